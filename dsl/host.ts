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
