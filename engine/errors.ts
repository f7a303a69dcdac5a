import type { Problem } from '../dsl';

/**
 * Why a run was refused or failed. Every kind is stable (tools match on it, never on the
 * message); the message names the file, the stage and what to do. Values of environment
 * variables never appear in messages.
 */
export type RunErrorKind =
  /** The file cannot be read. */
  | 'unreadable-file'
  /** The file has check problems of severity error; `problems` holds them. */
  | 'invalid-pipeline'
  /** `to` names no stage, `limit` is not a positive integer, and the like. */
  | 'bad-option'
  /** The program of a `command:` stage is not on PATH (or not executable). */
  | 'command-not-found'
  /** The processes could not be started at all (or the built-in stages' program is missing). */
  | 'spawn-failed'
  /** A stage exited non-zero or was killed by a signal. */
  | 'stage-failed'
  /** A stage ran longer than its `timeout`. */
  | 'stage-timeout'
  /** Cancelled through the AbortSignal or `RunHandle.cancel()`. */
  | 'cancelled';

/** A result-shaped error: returned in `RunResult.error`, never thrown by the engine. */
export interface RunError {
  kind: RunErrorKind;
  /** One line for people: file, stage, what happened and what to do. */
  message: string;
  file?: string | undefined;
  /** Name of the stage concerned, when one is. */
  stage?: string;
  /** For `invalid-pipeline`: the problems that `pipewright check` would print. */
  problems?: Problem[];
}

export function runError(kind: RunErrorKind, message: string, extra: Omit<RunError, 'kind' | 'message'> = {}): RunError {
  return { kind, message, ...extra };
}

/** "examples/x.pipeline.yaml: " or "" — the prefix of every message about a file. */
export function filePrefix(file: string | undefined): string {
  return file ? `${file}: ` : '';
}
