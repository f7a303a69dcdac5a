/**
 * Everything the checker may learn about the machine, injected so that the core stays pure:
 * tests pass a fake, the CLI and the language server pass `nodeHost()`. Only look-ups:
 * nothing here may execute a program.
 */
export interface DslHost {
  /** The process environment that `${VAR}` falls back to. */
  env: Readonly<Record<string, string | undefined>>;
  /** 'file', 'dir' or undefined when nothing is at the absolute path. */
  statKind(absPath: string): 'file' | 'dir' | undefined;
  /** Where `program` would be run from in `dir` (see `lookupProgram` in host-node.ts). */
  findProgram(program: string, dir: string): ProgramLookup;
  /**
   * The first `maxBytes` of a regular file as UTF-8 text, and whether that is the whole file;
   * undefined for anything else (never blocks on a FIFO or a device).
   */
  readStart(absPath: string, maxBytes: number): FileStart | undefined;
}

export interface FileStart {
  text: string;
  whole: boolean;
}

/**
 * A program looked up as execvp would: `found` (its absolute path), `not-executable` (a regular
 * file is there, without execute permission: the run would fail with "permission denied"), or
 * `not-found`.
 */
export type ProgramLookup = { kind: 'found'; path: string } | { kind: 'not-executable'; path: string } | { kind: 'not-found' };

/**
 * The host for one check: each path and program is looked up once, however many stages name
 * it. Fresh per check, so a long-lived caller (the language server) never sees stale answers.
 */
export function memoHost(base: DslHost): DslHost {
  const kinds = new Map<string, 'file' | 'dir' | undefined>();
  const programs = new Map<string, ProgramLookup>();
  const starts = new Map<string, FileStart | undefined>();
  return {
    env: base.env,
    statKind(absPath) {
      if (!kinds.has(absPath)) kinds.set(absPath, base.statKind(absPath));
      return kinds.get(absPath);
    },
    findProgram(program, dir) {
      const key = program.includes('/') ? `${dir}\0${program}` : program;
      let found = programs.get(key);
      if (!found) programs.set(key, (found = base.findProgram(program, dir)));
      return found;
    },
    readStart(absPath, maxBytes) {
      const key = `${maxBytes}\0${absPath}`;
      if (!starts.has(key)) starts.set(key, base.readStart(absPath, maxBytes));
      return starts.get(key);
    },
  };
}
