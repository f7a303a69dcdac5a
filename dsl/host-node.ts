import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DslHost } from './host';

/**
 * The real machine as a DslHost: stat and PATH look-ups only, nothing is executed.
 * The one file of dsl/ that touches the file system; the checker itself never imports it.
 * The environment is a copy: reading `process.env` costs a getenv per access, and the checker
 * merges it into every stage's environment.
 */
export function nodeHost(environment: Readonly<Record<string, string | undefined>> = process.env): DslHost {
  const env = { ...environment };
  const statKind = (absPath: string): 'file' | 'dir' | undefined => {
    try {
      const st = fs.statSync(absPath);
      return st.isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  };
  const isExecutable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return statKind(file) === 'file';
    } catch {
      return false;
    }
  };
  return {
    env,
    statKind,
    findOnPath(program) {
      for (const dir of (env.PATH ?? '').split(path.delimiter)) {
        if (!dir) continue;
        const candidate = path.join(dir, program);
        if (isExecutable(candidate)) return candidate;
      }
      return undefined;
    },
  };
}
