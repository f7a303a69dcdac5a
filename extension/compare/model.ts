// The Compare view's data: two runs' numbers side by side (engine/compare/stats-diff.ts) turned
// into the text of each cell, plus the state of the records diff. vscode-free: the host builds
// it, the webview only draws it, and it is unit-tested without an editor.
import type { RecordsComparison } from '../../engine/compare/records-diff';
import { figureText, metricFormat, metrics, type Figure, type Metric, type StatsComparison } from '../../engine/compare/stats-diff';
import { formatCount, formatDuration, plural, statusText } from '../../engine/format';
import { clockTime } from '../history';
import type { RunModel } from '../run-model';

export interface RunHead {
  id: number;
  /** "run 5 · 14:03:21". */
  label: string;
  state: string;
  /** "8 records · 1.25 s". */
  detail: string;
}

export interface Cell {
  /** "228 → 251 (+10 %)", or one value when it did not change. */
  text: string;
  change: string;
  regression: boolean;
  /** The value differs between the runs. */
  changed: boolean;
}

export interface StageRow {
  name: string;
  presence: 'both' | 'added' | 'removed';
  status: string;
  cells: Record<Metric, Cell>;
  countsChanged: boolean;
  regressions: string[];
}

export interface EdgeRow {
  label: string;
  records: Cell;
  rate: Cell;
}

export type StatsPart =
  | {
      ok: true;
      /** "Counts changed in 3 stages: …", "No regressions (threshold 20 %)". */
      headline: string[];
      run: { records: Cell; durationMs: Cell };
      stages: StageRow[];
      edges: EdgeRow[];
      regressions: string[];
    }
  | { ok: false; why: string };

/** The records diff: not possible (why), going, failed, or its result. */
export type RecordsPart =
  | { state: 'unavailable'; why: string }
  | { state: 'comparing'; key?: string | undefined }
  | { state: 'failed'; key?: string | undefined; why: string }
  | { state: 'done'; comparison: RecordsComparison };

export interface CompareView {
  title: string;
  a: RunHead;
  b: RunHead;
  stats: StatsPart;
  records: RecordsPart;
  /** Field names offered as keys for the records diff (from the second run's first records). */
  keys: string[];
}

export const metricTitles: Record<Metric, string> = {
  recordsIn: 'Records in',
  recordsOut: 'Records out',
  bytesOut: 'Bytes out',
  rate: 'Rec/s',
  cpuMs: 'CPU',
  maxRssKb: 'Peak RSS',
  durationMs: 'Time',
};

function cell(f: Figure, show: (n: number) => string): Cell {
  return { text: figureText(f, show).replace(/ !$/, ''), change: f.change, regression: f.regression, changed: f.change !== '=' && f.change !== '' };
}

export function runHead(m: RunModel): RunHead {
  return {
    id: m.id,
    label: `run ${m.id} · ${clockTime(m.startedAt)}`,
    state: m.state,
    detail: `${plural(m.records, 'record', formatCount(m.records))} · ${formatDuration(m.elapsedMs)}`,
  };
}

export function statsPart(c: StatsComparison): StatsPart {
  const status = (s: StatsComparison['stages'][number]) =>
    s.presence === 'added'
      ? `added · ${statusText[s.statusB!]}`
      : s.presence === 'removed'
        ? `removed · was ${statusText[s.statusA!]}`
        : s.statusA === s.statusB
          ? statusText[s.statusA!]
          : `${statusText[s.statusA!]} → ${statusText[s.statusB!]}`;
  const headline = [
    c.changedCounts.length > 0
      ? `Counts changed in ${plural(c.changedCounts.length, 'stage')}: ${c.changedCounts.join(', ')}.`
      : 'The same counts in every stage.',
  ];
  if (c.added.length > 0) headline.push(`Added: ${c.added.join(', ')}.`);
  if (c.removed.length > 0) headline.push(`Removed: ${c.removed.join(', ')}.`);
  const threshold = `${Math.round(c.threshold * 1000) / 10} %`;
  headline.push(
    c.regressions.length > 0 ? `${plural(c.regressions.length, 'regression')} (threshold ${threshold}).` : `No regressions (threshold ${threshold}).`,
  );
  return {
    ok: true,
    headline,
    run: { records: cell(c.run.records, metricFormat.recordsOut), durationMs: cell(c.run.durationMs, formatDuration) },
    stages: c.stages.map((s) => ({
      name: s.name,
      presence: s.presence,
      status: status(s),
      cells: Object.fromEntries(metrics.map((m) => [m, cell(s.figures[m], metricFormat[m])])) as Record<Metric, Cell>,
      countsChanged: s.countsChanged,
      regressions: s.regressions,
    })),
    edges: c.edges.map((e) => ({ label: `${e.from} → ${e.to}`, records: cell(e.records, metricFormat.recordsOut), rate: cell(e.rate, formatCount) })),
    regressions: c.regressions,
  };
}
