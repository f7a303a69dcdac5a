import * as fs from 'node:fs';
import * as path from 'node:path';
import { check, type Pipeline, type Problem } from '../dsl';
import { nodeHost } from '../dsl/host-node';
import { runError, type RunError } from './errors';
import { formatBytes, formatExact, plural } from './format';
import { refusedHandle, startRun, type RunHandle, type RunOptions } from './run';

export type LoadedPipeline = { ok: true; pipeline: Pipeline; file: string; fileDir: string; warnings: Problem[] } | { ok: false; error: RunError };

/**
 * Reads and checks a pipeline file exactly as `pipewright check` does. A file with errors is
 * refused with its problems (`error.kind === 'invalid-pipeline'`), before anything starts.
 */
export function loadPipeline(file: string, env: Readonly<Record<string, string | undefined>> = process.env): LoadedPipeline {
  const read = readPipelineFile(file);
  if (!read.ok) return { ok: false, error: unreadableError(file, read.why) };
  const text = read.text;
  const abs = path.resolve(file);
  const result = check(text, { file: abs, host: nodeHost(env) });
  if (!result.ok) return { ok: false, error: invalidPipelineError(file, result.problems) };
  return { ok: true, pipeline: result.pipeline, file, fileDir: path.dirname(abs), warnings: result.problems };
}

/** Most a pipeline file may hold: the YAML parser takes seconds per MiB, and more is no pipeline. */
export const maxPipelineBytes = 16 * 1024 * 1024;

/**
 * The text of a pipeline file, or why it cannot be read, in words. Only a regular file of at most
 * `maxPipelineBytes`: a device (`/dev/zero`) or a FIFO may never end, so nothing is read from them.
 */
export function readPipelineFile(file: string): { ok: true; text: string } | { ok: false; why: string } {
  let fd: number | undefined;
  try {
    // Non-blocking, so that opening a FIFO does not wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) return { ok: false, why: 'it is a folder; give a *.pipeline.yaml file' };
    if (!st.isFile()) return { ok: false, why: `it is ${kindOf(st)}, not a regular file; save the pipeline to a file and give its name` };
    if (st.size > maxPipelineBytes)
      return { ok: false, why: `it holds ${formatExact(st.size)} bytes, more than a pipeline file may (${formatBytes(maxPipelineBytes)})` };
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return { ok: true, text: buf.toString('utf8', 0, n) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder; give a *.pipeline.yaml file' : (e as Error).message };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (a pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Why `file` could not be read (`readPipelineFile`'s words), as a run error. */
export function unreadableError(file: string, why: string): RunError {
  return runError('unreadable-file', `${file}: cannot read the pipeline file: ${why}`, { file });
}

/** A file with check errors, refused with its problems. */
export function invalidPipelineError(file: string, problems: Problem[]): RunError {
  const errors = problems.filter((p) => p.severity === 'error');
  const count = plural(errors.length, 'error');
  const message = `${file}: the pipeline has ${count} and was not run; fix them (\`pipewright check ${file}\` lists them)`;
  return runError('invalid-pipeline', message, { file, problems });
}

/** Loads, checks and starts a pipeline file; an invalid file gives a `refused` run. */
export function runFile(file: string, options: Omit<RunOptions, 'file' | 'fileDir'> = {}): RunHandle {
  const loaded = loadPipeline(file, options.env);
  if (!loaded.ok) return refusedHandle(loaded.error, file);
  return startRun(loaded.pipeline, { ...options, file, fileDir: loaded.fileDir });
}
