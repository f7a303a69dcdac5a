import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, type Pipeline, type Problem } from '../dsl';
import { nodeHost } from '../dsl/host-node';
import { runError, type RunError } from './errors';
import { refusedHandle, startRun, type RunHandle, type RunOptions } from './run';

export type LoadedPipeline = { ok: true; pipeline: Pipeline; file: string; fileDir: string; warnings: Problem[] } | { ok: false; error: RunError };

/**
 * Reads and checks a pipeline file exactly as `pipewright check` does. A file with errors is
 * refused with its problems (`error.kind === 'invalid-pipeline'`), before anything starts.
 */
export function loadPipeline(file: string, env: Readonly<Record<string, string | undefined>> = process.env): LoadedPipeline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, error: unreadableError(file, e) };
  }
  const abs = path.resolve(file);
  const result = check(text, { file: abs, host: nodeHost(env) });
  if (!result.ok) return { ok: false, error: invalidPipelineError(file, result.problems) };
  return { ok: true, pipeline: result.pipeline, file, fileDir: path.dirname(abs), warnings: result.problems };
}

/** Why `file` could not be read, as a run error. */
export function unreadableError(file: string, e: unknown): RunError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
  return runError('unreadable-file', `${file}: cannot read the pipeline file: ${why}`, { file });
}

/** A file with check errors, refused with its problems. */
export function invalidPipelineError(file: string, problems: Problem[]): RunError {
  const errors = problems.filter((p) => p.severity === 'error');
  const count = `${errors.length} error${errors.length === 1 ? '' : 's'}`;
  const message = `${file}: the pipeline has ${count} and was not run; fix them (\`pipewright check ${file}\` lists them)`;
  return runError('invalid-pipeline', message, { file, problems });
}

/** Loads, checks and starts a pipeline file; an invalid file gives a `refused` run. */
export function runFile(file: string, options: Omit<RunOptions, 'file' | 'fileDir'> = {}): RunHandle {
  const loaded = loadPipeline(file, options.env);
  if (!loaded.ok) return refusedHandle(loaded.error, file);
  return startRun(loaded.pipeline, { ...options, file, fileDir: loaded.fileDir });
}
