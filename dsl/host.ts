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
  /** Absolute path of an executable named `program` on PATH, or undefined. */
  findOnPath(program: string): string | undefined;
}

/**
 * The host for one check: each path and program is looked up once, however many stages name
 * it. Fresh per check, so a long-lived caller (the language server) never sees stale answers.
 */
export function memoHost(base: DslHost): DslHost {
  const kinds = new Map<string, 'file' | 'dir' | undefined>();
  const programs = new Map<string, string | undefined>();
  return {
    env: base.env,
    statKind(absPath) {
      if (!kinds.has(absPath)) kinds.set(absPath, base.statKind(absPath));
      return kinds.get(absPath);
    },
    findOnPath(program) {
      if (!programs.has(program)) programs.set(program, base.findOnPath(program));
      return programs.get(program);
    },
  };
}
