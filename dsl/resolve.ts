import * as path from 'node:path';
import { isObject } from './build';
import type { Pipeline, Stage, StageAction } from './model';
import { interpolate, mergeEnv, type Lookup } from './vars';

type Env = Readonly<Record<string, string | undefined>>;

/** The pipeline's working directory: its `cwd` relative to the pipeline file's folder. */
export function pipelineDir(pipeline: Pipeline, processEnv: Env, fileDir: string): string {
  const env = mergeEnv(processEnv, pipeline.env);
  return path.resolve(fileDir, interpolate(pipeline.cwd ?? '.', (n) => env[n]));
}

/** A stage as it will run: its environment, working directory and `${VAR}`-substituted action. */
export interface ResolvedStage {
  stage: Stage;
  env: Record<string, string>;
  dir: string;
  action?: StageAction;
}

function interpolateDeep(value: unknown, lookup: Lookup): unknown {
  if (typeof value === 'string') return interpolate(value, lookup);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, lookup));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, lookup)]));
  return value;
}

/**
 * Resolves a stage against the process environment and the pipeline file's folder. `run`
 * scripts are left alone: the shell expands their variables from the same environment.
 * The checker and the engine both use this, so they agree on paths and values.
 */
export function resolveStage(pipeline: Pipeline, stage: Stage, processEnv: Env, fileDir: string): ResolvedStage {
  const env = mergeEnv(processEnv, pipeline.env, stage.env);
  const lookup: Lookup = (n) => env[n];
  const dir = path.resolve(pipelineDir(pipeline, processEnv, fileDir), interpolate(stage.cwd ?? '.', lookup));
  const resolved: ResolvedStage = { stage, env, dir };
  const a = stage.action;
  if (a?.kind === 'run') resolved.action = a;
  else if (a?.kind === 'command') resolved.action = { kind: 'command', argv: a.argv.map((arg) => interpolate(arg, lookup)) };
  else if (a?.kind === 'use') resolved.action = { kind: 'use', builtin: a.builtin, options: interpolateDeep(a.options, lookup) as Record<string, unknown> };
  return resolved;
}

export function resolveIn(dir: string, file: string): string {
  return path.resolve(dir, file);
}

export function parentDir(file: string): string {
  return path.dirname(file);
}
