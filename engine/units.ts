/**
 * How a run is cut into units (docs/engine.md, "Relays"): segments of stages joined directly by
 * kernel pipes, and stages run as N copies. Node sits only between units.
 */

/** What the engine runs: segments of directly-joined stages, and stages run as N copies. */
export type Unit = { kind: 'segment'; first: number; last: number } | { kind: 'workers'; index: number; copies: number; ordered: boolean };

/**
 * Cuts stages into units: a stage with `workers` > 1 is a unit of its own; otherwise stages are
 * joined directly, except after a tapped stage (its output edge gets a relay) and where the host
 * changes (`host`: a name for stages on another host, docs/remote.md). A tap on the last stage
 * needs no relay: the engine reads that edge anyway.
 */
export function cutUnits(stages: readonly { workers: number; ordered: boolean; tap: boolean; host?: string | undefined }[]): Unit[] {
  const units: Unit[] = [];
  let first = -1;
  const close = (last: number) => {
    if (first >= 0) units.push({ kind: 'segment', first, last });
    first = -1;
  };
  stages.forEach((s, i) => {
    if (s.workers > 1) {
      close(i - 1);
      units.push({ kind: 'workers', index: i, copies: s.workers, ordered: s.ordered });
      return;
    }
    if (first >= 0 && stages[first]!.host !== s.host) close(i - 1);
    if (first < 0) first = i;
    if (s.tap && i < stages.length - 1) close(i);
  });
  close(stages.length - 1);
  return units;
}
