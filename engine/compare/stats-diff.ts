// Two runs' numbers side by side, stage by stage (matched by name) and edge by edge: what each
// figure was, what it is, the change in words people read (+12 %, ×0.5), and the regressions — a
// rate down, or memory or time up, by more than a threshold. The CLI prints it, the editor draws
// it. No vscode here.
import { formatBytes, formatCount, formatDuration, formatExact } from '../format';
import type { StageStatus } from '../status';
import type { RunStats, StageNumbers } from './run-stats';

export const metrics = ['recordsIn', 'recordsOut', 'bytesOut', 'rate', 'cpuMs', 'maxRssKb', 'durationMs'] as const;
export type Metric = (typeof metrics)[number];

export interface Figure {
  a?: number | undefined;
  b?: number | undefined;
  /** "=", "+12 %", "−8 %", "×0.5", "×3.2", "from 0"; "" when neither run has the figure, "—" when one has not. */
  change: string;
  regression: boolean;
}

export interface StageComparison {
  name: string;
  /** In both runs, only in the second (added) or only in the first (removed). */
  presence: 'both' | 'added' | 'removed';
  statusA?: StageStatus | undefined;
  statusB?: StageStatus | undefined;
  figures: Record<Metric, Figure>;
  /** Records in or out differ (both counted). */
  countsChanged: boolean;
  /** What got worse, in words: "rate ×0.5", "failed (was succeeded)". */
  regressions: string[];
}

export interface EdgeComparison {
  from: string;
  to: string;
  records: Figure;
  /** Records per second of the run's duration. */
  rate: Figure;
}

export interface StatsComparison {
  /** The threshold used, as a fraction (0.2 = 20 %). */
  threshold: number;
  run: { outcomeA: string; outcomeB: string; records: Figure; bytes: Figure; durationMs: Figure };
  /** The second run's stages in order, then the first run's stages it no longer has. */
  stages: StageComparison[];
  edges: EdgeComparison[];
  added: string[];
  removed: string[];
  /** Stages whose record counts differ. */
  changedCounts: string[];
  /** Every regression, "stage: what". */
  regressions: string[];
}

/**
 * Changes smaller than these are noise, whatever their share: a stage of 5 ms that takes 9 ms
 * is not a regression, nor is 300 KB more memory. Rates need both runs' stage to last this long.
 */
export const noiseFloor = { durationMs: 100, maxRssKb: 1024 };

/** "+12 %", "−8 %", "×0.5", "×3.2", "=", "from 0". */
export function changeText(a: number | undefined, b: number | undefined): string {
  if (a === undefined && b === undefined) return '';
  if (a === undefined || b === undefined) return '—';
  if (a === b) return '=';
  if (a === 0) return 'from 0';
  const r = b / a;
  if (r >= 2 || r <= 0.5) return `×${r < 10 ? r.toFixed(r < 0.1 ? 2 : 1).replace(/\.0+$/, '') : Math.round(r)}`;
  const pct = (r - 1) * 100;
  const shown = Math.abs(pct) < 1 ? Math.abs(pct).toFixed(1) : String(Math.round(Math.abs(pct)));
  return `${pct > 0 ? '+' : '−'}${shown} %`;
}

/** How each figure reads: records as exact counts, rates rounded, bytes, memory and times in units. */
export const metricFormat: Record<Metric, (n: number) => string> = {
  recordsIn: formatExact,
  recordsOut: formatExact,
  bytesOut: formatBytes,
  rate: formatCount,
  cpuMs: formatDuration,
  maxRssKb: (n) => formatBytes(n * 1024),
  durationMs: formatDuration,
};

/** One figure of both runs: "400", "228 → 251 (+10 %)", "3.1k → 1.5k (×0.5) !" (a regression), "—" when neither has it. */
export function figureText(f: Figure, show: (n: number) => string): string {
  if (f.a === undefined && f.b === undefined) return '—';
  if (f.change === '=') return show(f.a!);
  const side = (n: number | undefined) => (n === undefined ? '—' : show(n));
  return `${side(f.a)} → ${side(f.b)}${f.change === '—' ? '' : ` (${f.change})`}${f.regression ? ' !' : ''}`;
}

function figure(a: number | undefined, b: number | undefined, regression = false): Figure {
  return { a, b, change: changeText(a, b), regression };
}

const rateOf = (s: StageNumbers) => (s.recordsOut !== undefined && s.durationMs > 0 ? (s.recordsOut * 1000) / s.durationMs : undefined);
const bad: readonly StageStatus[] = ['failed', 'timed-out', 'cancelled'];

function compareStage(name: string, a: StageNumbers | undefined, b: StageNumbers | undefined, t: number): StageComparison {
  const regressions: string[] = [];
  const up = (x: number | undefined, y: number | undefined, floor: number) => x !== undefined && y !== undefined && y > x * (1 + t) && y - x >= floor;
  const rateA = a && rateOf(a);
  const rateB = b && rateOf(b);
  const longEnough = a !== undefined && b !== undefined && Math.min(a.durationMs, b.durationMs) >= noiseFloor.durationMs;
  const rateDown = longEnough && rateA !== undefined && rateB !== undefined && rateB < rateA * (1 - t);
  const rssUp = up(a?.maxRssKb, b?.maxRssKb, noiseFloor.maxRssKb);
  const timeUp = up(a?.durationMs, b?.durationMs, noiseFloor.durationMs);
  const figures: Record<Metric, Figure> = {
    recordsIn: figure(a?.recordsIn, b?.recordsIn),
    recordsOut: figure(a?.recordsOut, b?.recordsOut),
    bytesOut: figure(a?.bytesOut, b?.bytesOut),
    rate: figure(rateA, rateB, rateDown),
    cpuMs: figure(a?.cpuMs, b?.cpuMs),
    maxRssKb: figure(a?.maxRssKb, b?.maxRssKb, rssUp),
    durationMs: figure(a?.durationMs, b?.durationMs, timeUp),
  };
  if (a && b && bad.includes(b.status) && !bad.includes(a.status)) regressions.push(`${b.status} (was ${a.status})`);
  if (rateDown) regressions.push(`rate ${figures.rate.change}`);
  if (rssUp) regressions.push(`peak RSS ${figures.maxRssKb.change}`);
  if (timeUp) regressions.push(`time ${figures.durationMs.change}`);
  const differs = (x: number | undefined, y: number | undefined) => x !== undefined && y !== undefined && x !== y;
  return {
    name,
    presence: a && b ? 'both' : b ? 'added' : 'removed',
    statusA: a?.status,
    statusB: b?.status,
    figures,
    countsChanged: differs(a?.recordsIn, b?.recordsIn) || differs(a?.recordsOut, b?.recordsOut),
    regressions,
  };
}

/** Compares run `a` (before) with run `b` (after); `threshold` is a fraction (0.2: 20 %). */
export function compareStats(a: RunStats, b: RunStats, threshold = 0.2): StatsComparison {
  const byName = (s: RunStats) => new Map(s.stages.map((st) => [st.name, st]));
  const inA = byName(a);
  const inB = byName(b);
  const names = [...b.stages.map((s) => s.name), ...a.stages.map((s) => s.name).filter((n) => !inB.has(n))];
  const stages = names.map((n) => compareStage(n, inA.get(n), inB.get(n), threshold));

  const key = (e: { from: string; to: string }) => `${e.from}\u0000${e.to}`;
  const edgesA = new Map(a.edges.map((e) => [key(e), e]));
  const edgesB = new Map(b.edges.map((e) => [key(e), e]));
  const edgeKeys = [...edgesB.keys(), ...[...edgesA.keys()].filter((k) => !edgesB.has(k))];
  const perSec = (records: number | undefined, run: RunStats) => (records !== undefined && run.durationMs > 0 ? (records * 1000) / run.durationMs : undefined);
  const edges = edgeKeys.map((k) => {
    const ea = edgesA.get(k);
    const eb = edgesB.get(k);
    const e = (eb ?? ea)!;
    return { from: e.from, to: e.to, records: figure(ea?.records, eb?.records), rate: figure(perSec(ea?.records, a), perSec(eb?.records, b)) };
  });

  const runTimeUp = b.durationMs > a.durationMs * (1 + threshold) && b.durationMs - a.durationMs >= noiseFloor.durationMs;
  const run = {
    outcomeA: a.outcome,
    outcomeB: b.outcome,
    records: figure(a.records, b.records),
    bytes: figure(a.bytes, b.bytes),
    durationMs: figure(a.durationMs, b.durationMs, runTimeUp),
  };
  const regressions = stages.flatMap((s) => s.regressions.map((r) => `${s.name}: ${r}`));
  if (a.outcome === 'succeeded' && b.outcome !== 'succeeded') regressions.unshift(`the run: ${b.outcome} (was succeeded)`);
  if (runTimeUp) regressions.push(`the run: time ${run.durationMs.change}`);
  return {
    threshold,
    run,
    stages,
    edges,
    added: stages.filter((s) => s.presence === 'added').map((s) => s.name),
    removed: stages.filter((s) => s.presence === 'removed').map((s) => s.name),
    changedCounts: stages.filter((s) => s.countsChanged).map((s) => s.name),
    regressions,
  };
}

/** "20%", "20 %", "0.2" → 0.2; undefined when it is not a share of at least 0. */
export function parseThreshold(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === '%' || n > 1 ? n / 100 : n;
}
