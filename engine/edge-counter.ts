/**
 * Which program counts the records on the edges inside a segment (docs/engine.md, "Edges"): a
 * local segment runs on dist/pw-segment, which counts them itself (engine/native/count.c), so
 * it needs no variables; a segment on the scripts (engine/segment.sh: on another host, or here
 * with `PIPEWRIGHT_EDGE_COUNTER=perl`, which runs a local straight segment as a host runs it,
 * for tests and comparisons) counts them with engine/edge-count.pl, bundled as text.
 */
import counterScript from './edge-count.pl';

/** Full-line comments off: the script is a command line (ps, /proc/PID/cmdline). */
const perlCounter = counterScript.replace(/^\s*#.*\n/gm, '');

/** The segment variables that turn counting on (the scripts' `__pw_count` reads them; pw-segment only their presence). */
export function edgeCounter(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return env.PIPEWRIGHT_EDGE_COUNTER === 'perl' ? { __PW_COUNTER: 'perl', __PW_COUNTER_PL: perlCounter } : {};
}
