/**
 * Which program counts the records on the edges inside a segment (docs/engine.md, "Edges"): the
 * C counter built next to the bundles (dist/edge-count, from engine/edge-count.c) when it runs
 * on this machine, else the perl one (engine/edge-count.pl, bundled as text; perl is already
 * needed by every segment). `PIPEWRIGHT_EDGE_COUNTER=perl` in the run's environment picks the
 * perl one (tests, comparisons).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import counterScript from './edge-count.pl';

export type CounterKind = 'native' | 'perl';

/** Full-line comments off: the script is a command line (ps, /proc/PID/cmdline). */
const perlCounter = counterScript.replace(/^\s*#.*\n/gm, '');

let native: string | null | undefined;

/** The built C counter, if there is one that runs here (checked once per process: a copy built elsewhere may not). */
function nativeCounter(): string | undefined {
  if (native !== undefined) return native ?? undefined;
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const found = [path.join(here, 'edge-count'), path.join(here, '..', 'dist', 'edge-count')].find((p) => fs.existsSync(p));
  // With /dev/null in and fd 3 closed it counts nothing, reports nowhere and exits 0.
  native = found !== undefined && spawnSync(found, ['probe'], { stdio: 'ignore', timeout: 5000 }).status === 0 ? found : null;
  return native ?? undefined;
}

/** The counter a run uses, and the segment variables that start it (see segment.sh, `__pw_count`). */
export function edgeCounter(env: Readonly<Record<string, string | undefined>>): { kind: CounterKind; vars: Record<string, string> } {
  const built = env.PIPEWRIGHT_EDGE_COUNTER === 'perl' ? undefined : nativeCounter();
  if (built !== undefined) return { kind: 'native', vars: { __PW_COUNTER: built } };
  return { kind: 'perl', vars: { __PW_COUNTER: 'perl', __PW_COUNTER_PL: perlCounter } };
}
