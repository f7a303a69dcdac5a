import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DslHost, FileStart, ProgramLookup } from './host';

/**
 * The real machine as a DslHost: stat and PATH look-ups only, nothing is executed.
 * The one file of dsl/ that touches the file system; the checker itself never imports it.
 * The environment is a copy: reading `process.env` costs a getenv per access, and the checker
 * merges it into every stage's environment.
 */
export function nodeHost(environment: Readonly<Record<string, string | undefined>> = process.env): DslHost {
  const env = { ...environment };
  return {
    env,
    statKind(absPath) {
      try {
        return fs.statSync(absPath).isDirectory() ? 'dir' : 'file';
      } catch {
        return undefined;
      }
    },
    findProgram: (program, dir) => lookupProgram(program, dir, env.PATH),
    readStart,
  };
}

/**
 * Makes `process.env` a plain copy of itself, for a process that parses YAML: the yaml parser reads
 * `process.env.LOG_TOKENS` once per token, and Node's environment object asks the C++ side (a getenv and a
 * new string) each time: a third of `check()` on a 500-stage file, a tenth of parsing a big one. Children
 * still get this environment (spawn reads the object); only native code would not see later changes, and
 * the server and the CLI load none. Not for the extension host, whose environment other extensions share.
 */
export function plainProcessEnv(): void {
  process.env = { ...process.env };
}

/** See `DslHost.readStart`: opened without blocking, read only when it is a regular file. */
function readStart(absPath: string, maxBytes: number): FileStart | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(absPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(maxBytes);
    const n = fs.readSync(fd, buf, 0, maxBytes, 0);
    return { text: buf.toString('utf8', 0, n), whole: n < maxBytes };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Where `program` runs from, as execvp finds it for a stage working in `dir`: a name with a `/`
 * is a path relative to `dir`; any other name is searched in `searchPath` (empty and relative
 * entries are relative to `dir`). Only a regular file with execute permission is found; a
 * regular file without it is reported as such (execvp would fail with EACCES). `pipewright
 * check` and `pipewright run` both use this, so they never disagree. Nothing is executed.
 */
export function lookupProgram(program: string, dir: string, searchPath: string | undefined): ProgramLookup {
  const entries = program.includes('/') ? [undefined] : (searchPath ?? '').split(':');
  let notExecutable: string | undefined;
  for (const entry of entries) {
    const candidate = entry === undefined ? path.resolve(dir, program) : path.join(path.resolve(dir, entry || '.'), program);
    // Most candidates do not exist: no exception for those (an Error and its stack each, per PATH entry of every stage).
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(candidate, { throwIfNoEntry: false });
    } catch {
      continue; // ENOTDIR, EACCES on the way
    }
    if (!st?.isFile()) continue;
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return { kind: 'found', path: candidate };
    } catch {
      notExecutable ??= candidate;
    }
  }
  return notExecutable === undefined ? { kind: 'not-found' } : { kind: 'not-executable', path: notExecutable };
}
