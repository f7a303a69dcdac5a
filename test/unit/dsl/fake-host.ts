import * as fs from 'node:fs';
import type { DslHost } from '../../../dsl';

/** Programs the fake PATH has, so fixtures give the same answers on every machine. */
const programs = ['cat', 'grep', 'sed', 'jq', 'head', 'sort', 'wc', 'echo', 'node', 'sh', 'awk', 'tr', 'cut', 'uniq', 'yes', 'seq'];

/** A host with a fixed environment and PATH, and the real file system for fixture data files. */
export function fakeHost(env: Record<string, string> = { HOME: '/home/user', PATH: '/usr/bin' }): DslHost {
  return {
    env,
    statKind(absPath) {
      try {
        return fs.statSync(absPath).isDirectory() ? 'dir' : 'file';
      } catch {
        return undefined;
      }
    },
    findProgram: (program) => (programs.includes(program) ? { kind: 'found', path: `/usr/bin/${program}` } : { kind: 'not-found' }),
  };
}
