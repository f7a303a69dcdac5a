// The pipeline language: parse and validate, pure (no vscode, no LSP, no child processes).
export { check, type CheckOptions, type CheckResult } from './check';
export { parse, type Parsed } from './parse';
export { buildPipeline, defaultPipelineName, durationMs } from './build';
export type { DslHost } from './host';
export type { HostEntry, Pipeline, Stage, StageAction, StageKey, PipelineKey } from './model';
export { pipelineKeys, stageKeys } from './model';
export { builtins, builtinNames, builtinSchema, isBuiltin, type BuiltinName } from './builtins';
export { pipelineGraph, ancestors, stagesToRun, unreadStages, type PipelineGraph } from './graph';
export { problemCodes, problemDocsAnchor, type Problem, type ProblemCode, type Severity, type Fix, type Edit } from './problems';
export { lineCol, type LineCol } from './positions';
export { resolveStage, pipelineDir, type ResolvedStage } from './resolve';
export { interpolate, variableReferences, mergeEnv } from './vars';
export type { Span } from './span';
