// Running a pipeline: real processes joined by kernel pipes, live stats from /proc. No vscode.
export { startRun, refusedHandle as refusedRun, type RunOptions, type RunHandle } from './run';
export { runFile, loadPipeline, invalidPipelineError, unreadableError, type LoadedPipeline } from './load';
export type { RunEvent, StartEvent, RecordsEvent, StderrEvent, StatusEvent, StatsEvent, EndEvent, RunResult, RunOutcome, StageResult } from './events';
export type { StageStats } from './stats';
export type { EdgePeek } from './relay';
export type { StageStatus } from './status';
export type { RunError, RunErrorKind } from './errors';
export type { EdgeStats, EdgeEnd } from './edges';
export type { Progress, SourceProgress } from './progress';
