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

/** The host of one check (`memoHost`): each question once, and what it asked. */
export interface MemoHost extends DslHost {
  /** How many different questions it was asked. */
  readonly asked: number;
  /**
   * Asks `now` every question this one was asked and says whether every answer is the same: then every problem that
   * came from this host's answers still holds. Asked again, not recalled: the answers are fresh, and the base records
   * the paths (the language server watches them).
   */
  answersSameIn(now: DslHost): boolean;
}

const sameStart = (a: FileStart | undefined, b: FileStart | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.text === b.text && a.whole === b.whole);
const sameLookup = (a: ProgramLookup, b: ProgramLookup) => a.kind === b.kind && (a.kind === 'not-found' || a.path === (b as { path: string }).path);

/**
 * The host for one check: each path and program is looked up once, however many stages name
 * it. Fresh per check, so a long-lived caller (the language server) never sees stale answers.
 */
export function memoHost(base: DslHost): MemoHost {
  const kinds = new Map<string, 'file' | 'dir' | undefined>();
  const programs = new Map<string, { program: string; dir: string; found: ProgramLookup }>();
  const starts = new Map<string, { absPath: string; maxBytes: number; start: FileStart | undefined }>();
  return {
    env: base.env,
    statKind(absPath) {
      if (!kinds.has(absPath)) kinds.set(absPath, base.statKind(absPath));
      return kinds.get(absPath);
    },
    findProgram(program, dir) {
      const key = program.includes('/') ? `${dir}\0${program}` : program;
      let asked = programs.get(key);
      if (!asked) programs.set(key, (asked = { program, dir, found: base.findProgram(program, dir) }));
      return asked.found;
    },
    readStart(absPath, maxBytes) {
      const key = `${maxBytes}\0${absPath}`;
      let asked = starts.get(key);
      if (!asked) starts.set(key, (asked = { absPath, maxBytes, start: base.readStart(absPath, maxBytes) }));
      return asked.start;
    },
    get asked() {
      return kinds.size + programs.size + starts.size;
    },
    answersSameIn(now) {
      for (const [absPath, kind] of kinds) if (now.statKind(absPath) !== kind) return false;
      for (const { program, dir, found } of programs.values()) if (!sameLookup(now.findProgram(program, dir), found)) return false;
      for (const { absPath, maxBytes, start } of starts.values()) if (!sameStart(now.readStart(absPath, maxBytes), start)) return false;
      return true;
    },
  };
}
