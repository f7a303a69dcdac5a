/**
 * Which program counts the records on the edges inside a segment (docs/engine.md, "Edges"): the
 * C counter built next to the bundles (dist/edge-count, from engine/native/count.c) when it runs
 * on this machine, else the perl one (engine/edge-count.pl, bundled as text; perl is already
 * needed by every segment on the scripts). `PIPEWRIGHT_EDGE_COUNTER=perl` in the run's environment
 * picks the perl one, and runs every segment on the scripts (segment.ts): what a build without a
 * C compiler runs (tests, comparisons).
 */
import counterScript from './edge-count.pl';
import { nativeProgram } from './native-programs';

export type CounterKind = 'native' | 'perl';

/** Full-line comments off: the script is a command line (ps, /proc/PID/cmdline). */
const perlCounter = counterScript.replace(/^\s*#.*\n/gm, '');

/** The counter a run uses, and the segment variables that start it (see segment.sh, `__pw_count`). */
export function edgeCounter(env: Readonly<Record<string, string | undefined>>): { kind: CounterKind; vars: Record<string, string> } {
  // With /dev/null in and fd 3 closed it counts nothing, reports nowhere and exits 0.
  const built = env.PIPEWRIGHT_EDGE_COUNTER === 'perl' ? undefined : nativeProgram('edge-count', ['probe']);
  if (built !== undefined) return { kind: 'native', vars: { __PW_COUNTER: built } };
  return { kind: 'perl', vars: { __PW_COUNTER: 'perl', __PW_COUNTER_PL: perlCounter } };
}
