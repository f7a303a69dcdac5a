import type { DslHost } from '../../../dsl';
import { nodeHost } from '../../../dsl/host-node';

/** Programs the fake PATH has, so fixtures give the same answers on every machine. */
const programs = ['cat', 'grep', 'sed', 'jq', 'head', 'sort', 'wc', 'echo', 'node', 'sh', 'awk', 'tr', 'cut', 'uniq', 'yes', 'seq'];

/** A host with a fixed environment and PATH, and the real file system (nodeHost's) for fixture data files. */
export function fakeHost(env: Record<string, string> = { HOME: '/home/user', PATH: '/usr/bin' }): DslHost {
  const real = nodeHost(env);
  return {
    env,
    statKind: (absPath) => real.statKind(absPath),
    findProgram: (program) => (programs.includes(program) ? { kind: 'found', path: `/usr/bin/${program}` } : { kind: 'not-found' }),
    readStart: (absPath, maxBytes) => real.readStart(absPath, maxBytes),
  };
}
