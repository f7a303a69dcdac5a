import * as path from 'node:path';
import { isObject } from './build';
import type { Pipeline, Stage, StageAction } from './model';
import { interpolate, mergeEnv, type Lookup } from './vars';

type Env = Readonly<Record<string, string | undefined>>;

/** The pipeline's working directory: its `cwd` relative to the pipeline file's folder. */
export function pipelineDir(pipeline: Pipeline, processEnv: Env, fileDir: string): string {
  const merged = pipelineEnv(pipeline, processEnv);
  // Once per folder: every stage without its own `cwd` works there (a path resolved per stage was 5 % of a big file's check).
  let dir = merged.dirs.get(fileDir);
  if (dir === undefined) {
    dir = path.resolve(
      fileDir,
      interpolate(pipeline.cwd ?? '.', (n) => merged.env[n]),
    );
    merged.dirs.set(fileDir, dir);
  }
  return dir;
}

/** The process environment with the pipeline's `env` over it (and the folders it makes of `cwd`), once per pipeline and environment. */
const pipelineEnvs = new WeakMap<Pipeline, { base: Env; env: Readonly<Record<string, string>>; dirs: Map<string, string> }>();

function pipelineEnv(pipeline: Pipeline, processEnv: Env): { env: Readonly<Record<string, string>>; dirs: Map<string, string> } {
  const cached = pipelineEnvs.get(pipeline);
  if (cached?.base === processEnv) return cached;
  const merged = { base: processEnv, env: mergeEnv(processEnv, pipeline.env), dirs: new Map<string, string>() };
  pipelineEnvs.set(pipeline, merged);
  return merged;
}

/** A stage as it will run: its environment, working directory and `${VAR}`-substituted action. */
export interface ResolvedStage {
  stage: Stage;
  /** Shared between stages: copy it to change it. */
  env: Readonly<Record<string, string>>;
  dir: string;
  action?: StageAction;
}

function interpolateDeep(value: unknown, lookup: Lookup): unknown {
  if (typeof value === 'string') return interpolate(value, lookup);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, lookup));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, lookup)]));
  return value;
}

/** A stage's environment and working directory, without touching its action (what the checks need). */
export function stageScope(pipeline: Pipeline, stage: Stage, processEnv: Env, fileDir: string): { env: Readonly<Record<string, string>>; dir: string } {
  // Stages without `env` share the pipeline's (hundreds of stages would copy it otherwise).
  const shared = pipelineEnv(pipeline, processEnv).env;
  const env = Object.keys(stage.env).length > 0 ? mergeEnv(shared, stage.env) : shared;
  const base = pipelineDir(pipeline, processEnv, fileDir);
  const dir =
    stage.cwd === undefined
      ? base
      : path.resolve(
          base,
          interpolate(stage.cwd, (n) => env[n]),
        );
  return { env, dir };
}

/**
 * Resolves a stage against the process environment and the pipeline file's folder. `run`
 * scripts are left alone: the shell expands their variables from the same environment.
 * The checker and the engine both use this, so they agree on paths and values.
 */
export function resolveStage(pipeline: Pipeline, stage: Stage, processEnv: Env, fileDir: string): ResolvedStage {
  const { env, dir } = stageScope(pipeline, stage, processEnv, fileDir);
  const lookup: Lookup = (n) => env[n];
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
