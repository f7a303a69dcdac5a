import type { EdgeMeter } from './edges';
import type { SourceWatch } from './progress';
import type { StageRun } from './stage-run';
import { aggregateStats, pickBottleneck, type StageStats } from './stats';
import { endedStatuses } from './status';

/** Every stage's stats at `now`: its process's (or its copies', summed), its edges' counts, its file read, its host. */
export function stageSnapshots(
  stages: readonly StageRun[],
  edges: readonly EdgeMeter[],
  sources: readonly (SourceWatch | undefined)[],
  now: number,
): StageStats[] {
  const bottleneck = pickBottleneck(
    stages.map((s) => s.copies?.[0]?.meter ?? s.meter),
    (m) => m.endedAt !== undefined,
  );
  return stages.map((st) => {
    let stats: StageStats;
    if (st.copies) {
      const copies = st.copies.map((c) => withCounts(withHost(c.meter.snapshot(now, c.status, c.pid, false), c), c));
      stats = aggregateStats(st.name, st.index, st.status, copies, st.index === bottleneck);
    } else stats = st.meter.snapshot(now, st.status, st.pid, st.index === bottleneck);
    if (st.wrote) stats.wrote = st.wrote;
    const source = sources[st.index]?.progress();
    if (source) stats.source = source;
    return withHost(withEdges(stats, st.index, edges), st);
  });
}

/**
 * A stage's records and bytes from its edges' counts: in, the sum of its input edges (fan-in);
 * out, its output edge, or the fan-out branch that took the most (a dropped branch took fewer);
 * its output rates from that edge when counted.
 */
function withEdges(stats: StageStats, i: number, edges: readonly EdgeMeter[]): StageStats {
  const inputs = edges.filter((e) => e.to === i);
  const output = edges.filter((e) => e.from === i).reduce<EdgeMeter | undefined>((a, e) => (a && a.records >= e.records ? a : e), undefined);
  if (inputs.length > 0 && inputs.every((e) => e.countedBy)) {
    stats.recordsIn = inputs.reduce((n, e) => n + e.records, 0);
    stats.bytesIn = inputs.reduce((n, e) => n + e.bytes, 0);
  }
  if (output?.countedBy) {
    stats.recordsOut = output.records;
    stats.bytesOut = output.bytes;
    const ended = endedStatuses.has(stats.status);
    const secs = stats.durationMs / 1000;
    const live = output.stats();
    stats.recordsPerSec = ended ? (secs > 0 ? output.records / secs : 0) : live.recordsPerSec;
    stats.rateOut = ended ? (secs > 0 ? output.bytes / secs : 0) : live.bytesPerSec;
  }
  return stats;
}

/** A copy's records and bytes, as the engine dealt them to it and took them from it. */
function withCounts(stats: StageStats, c: StageRun): StageStats {
  if (c.counts?.in) {
    stats.recordsIn = c.counts.in.records;
    stats.bytesIn = c.counts.in.bytes;
  }
  if (c.counts) {
    stats.recordsOut = c.counts.out.records;
    stats.bytesOut = c.counts.out.bytes;
  }
  return stats;
}

/** Names the host(s) a stage runs on in its stats: each copy its own, the stage all of them. */
function withHost(stats: StageStats, st: StageRun): StageStats {
  const names = [...new Set((st.copies ?? [st]).flatMap((c) => (c.host ? [c.host.name] : [])))];
  if (names.length > 0) stats.host = names.join(', ');
  if (st.step !== undefined) stats.step = st.step;
  return stats;
}
