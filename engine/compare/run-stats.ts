// What a comparison needs of one run: the final numbers of each stage and edge. The CLI reads
// them from a `--stats-json` file, the editor from a run or its history summary; both give this
// shape, so the comparison is one piece of code. No vscode here.
import type { RunResult } from '../events';
import type { StageStatus } from '../status';

export interface StageNumbers {
  name: string;
  status: StageStatus;
  /** Undefined: the edge was not counted (the first stage's input, counts off). */
  recordsIn?: number | undefined;
  recordsOut?: number | undefined;
  bytesIn?: number | undefined;
  bytesOut?: number | undefined;
  cpuMs: number;
  maxRssKb: number;
  durationMs: number;
}

export interface EdgeNumbers {
  /** Stage names; `to` is `(output)` for the run's records. */
  from: string;
  to: string;
  records: number;
  bytes: number;
}

export interface RunStats {
  outcome: string;
  durationMs: number;
  /** Records and bytes of the run's output. */
  records: number;
  bytes: number;
  stages: StageNumbers[];
  edges: EdgeNumbers[];
}

/** The name edges to the run's output have: one no stage can have (as `pipewright graph` draws it). */
export const outputName = '(output)';

/** The numbers of a finished run. */
export function runStatsOf(result: RunResult): RunStats {
  const nameOf = (i: number | 'output') => (i === 'output' ? outputName : (result.stages[i]?.name ?? `stage ${i + 1}`));
  return {
    outcome: result.outcome,
    durationMs: result.durationMs,
    records: result.records,
    bytes: result.bytes,
    stages: result.stages.map((st) => ({
      name: st.name,
      status: st.status,
      recordsIn: st.stats.recordsIn,
      recordsOut: st.stats.recordsOut,
      bytesIn: st.stats.bytesIn,
      bytesOut: st.stats.bytesOut,
      cpuMs: st.stats.cpuUserMs + st.stats.cpuSysMs,
      maxRssKb: st.stats.maxRssKb,
      durationMs: st.stats.durationMs,
    })),
    edges: result.edges.filter((e) => e.countedBy !== undefined).map((e) => ({ from: nameOf(e.from), to: nameOf(e.to), records: e.records, bytes: e.bytes })),
  };
}

const statuses: readonly StageStatus[] = ['pending', 'running', 'succeeded', 'failed', 'stopped-early', 'cancelled', 'timed-out'];

/**
 * The numbers in a `pipewright run --stats-json` file (parsed), or why they are not there. Reads
 * only what it needs, so files of older and newer versions with extra fields still compare.
 */
export function readRunStats(json: unknown): { ok: true; stats: RunStats } | { ok: false; why: string } {
  const j = json as Record<string, unknown> | null;
  if (typeof j !== 'object' || j === null || !Array.isArray(j.stages) || !Array.isArray(j.edges))
    return { ok: false, why: 'it is not the --stats-json of a run (no `stages` and `edges`)' };
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const stages: StageNumbers[] = [];
  for (const [i, raw] of (j.stages as unknown[]).entries()) {
    const s = raw as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null || typeof s.name !== 'string') return { ok: false, why: `stage ${i + 1} has no name` };
    if (!statuses.includes(s.status as StageStatus)) return { ok: false, why: `stage \`${s.name}\` has no known status` };
    stages.push({
      name: s.name,
      status: s.status as StageStatus,
      recordsIn: num(s.recordsIn),
      recordsOut: num(s.recordsOut),
      bytesIn: num(s.bytesIn),
      bytesOut: num(s.bytesOut),
      cpuMs: (num(s.cpuUserMs) ?? 0) + (num(s.cpuSysMs) ?? 0),
      maxRssKb: num(s.maxRssKb) ?? 0,
      durationMs: num(s.durationMs) ?? 0,
    });
  }
  const nameOf = (i: unknown) => (i === 'output' ? outputName : typeof i === 'number' ? stages[i]?.name : undefined);
  const edges: EdgeNumbers[] = [];
  for (const raw of j.edges as unknown[]) {
    const e = raw as Record<string, unknown> | null;
    const from = nameOf(e?.from);
    const to = nameOf(e?.to);
    const records = num(e?.records);
    const bytes = num(e?.bytes);
    // Uncounted edges (`countedBy: null`, counts off) say 0, which is not a count.
    if (from === undefined || to === undefined || records === undefined || bytes === undefined || e?.countedBy === null) continue;
    edges.push({ from, to, records, bytes });
  }
  return {
    ok: true,
    stats: {
      outcome: typeof j.outcome === 'string' ? j.outcome : 'unknown',
      durationMs: num(j.durationMs) ?? 0,
      records: num(j.records) ?? 0,
      bytes: num(j.bytes) ?? 0,
      stages,
      edges,
    },
  };
}
