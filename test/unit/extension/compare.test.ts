// What the Compare view draws, from two ended runs as the history keeps them.
import { describe, expect, it } from 'vitest';
import type { RunResult, StageStats } from '../../../engine';
import { compareStats } from '../../../engine/compare/stats-diff';
import { modelOf, summaryOf, type RunSummary } from '../../../extension/history';
import { runHead, statsPart } from '../../../extension/compare/model';
import { RunModel } from '../../../extension/run-model';
import { stats as statsOf } from './stage-stats';

function stage(name: string, index: number, recordsIn: number | undefined, recordsOut: number, extra: Partial<StageStats> = {}) {
  const stats = statsOf(index, {
    name,
    status: 'succeeded',
    recordsIn,
    recordsOut,
    bytesOut: recordsOut * 10,
    cpuUserMs: 10,
    cpuSysMs: 5,
    rssKb: 0,
    maxRssKb: 3000,
    durationMs: 500,
    exact: true,
    ...extra,
  });
  return { name, index, status: 'succeeded' as const, stats, stderrTail: [] };
}

/** An ended run of read → filter → count with `kept` records through the filter. */
function ended(id: number, kept: number, extra: Partial<StageStats> = {}): RunModel {
  const result: RunResult = {
    outcome: 'succeeded',
    ok: true,
    stages: [stage('read', 0, undefined, 400), stage('filter', 1, 400, kept, extra), stage('count', 2, kept, 8)],
    edges: [
      { from: 0, to: 1, countedBy: 'counter', records: 400, bytes: 4000, recordsPerSec: 0, bytesPerSec: 0, ended: true },
      { from: 1, to: 2, countedBy: 'counter', records: kept, bytes: kept * 10, recordsPerSec: 0, bytesPerSec: 0, ended: true },
      { from: 2, to: 'output', countedBy: 'engine', records: 8, bytes: 80, recordsPerSec: 0, bytesPerSec: 0, ended: true },
    ],
    records: 8,
    bytes: 80,
    durationMs: 1000,
    stoppedReading: false,
  };
  const m = new RunModel(id, '/w/a.pipeline.yaml', 'a', undefined, 1000 * id);
  m.apply({ type: 'start', at: 0, stages: result.stages.map((s) => ({ name: s.name, index: s.index, inputs: s.index ? [s.index - 1] : [] })) });
  m.apply({ type: 'end', result });
  return m;
}

/** As a later window reads it back: a summary through the workspace state (JSON). */
const restored = (m: RunModel) => JSON.parse(JSON.stringify(summaryOf(m))) as RunSummary;

describe('compare view model', () => {
  it('keeps each run’s final numbers in its history summary, so runs of an earlier window compare too', () => {
    const s = restored(ended(1, 228));
    expect(s.stats?.stages.map((x) => [x.name, x.recordsIn ?? null, x.recordsOut, x.cpuMs])).toEqual([
      ['read', null, 400, 15],
      ['filter', 400, 228, 15],
      ['count', 228, 8, 15],
    ]);
    expect(s.stats?.edges.map((e) => `${e.from}>${e.to}:${e.records}`)).toEqual(['read>filter:400', 'filter>count:228', 'count>(output):8']);
    expect(modelOf(s).stages.map((x) => x.name)).toEqual(['read', 'filter', 'count']);
  });

  it('draws the stages whose counts changed, each cell before → after with its change, and the regressions', () => {
    const a = restored(ended(1, 228)).stats!;
    const b = restored(ended(2, 263, { maxRssKb: 9000 })).stats!;
    const part = statsPart(compareStats(a, b, 0.2));
    expect(part.ok).toBe(true);
    if (!part.ok) return;
    expect(part.headline).toEqual(['Counts changed in 2 stages: filter, count.', '1 regression (threshold 20 %).']);
    const filter = part.stages.find((s) => s.name === 'filter')!;
    expect(filter.countsChanged).toBe(true);
    expect(filter.cells.recordsOut).toEqual({ text: '228 → 263 (+15 %)', change: '+15 %', regression: false, changed: true });
    expect(filter.cells.maxRssKb).toMatchObject({ text: '2.9 MiB → 8.8 MiB (×3)', regression: true });
    expect(part.stages.find((s) => s.name === 'read')!.cells.recordsOut).toEqual({ text: '400', change: '=', regression: false, changed: false });
    expect(part.edges.map((e) => [e.label, e.records.text])).toEqual([
      ['read → filter', '400'],
      ['filter → count', '228 → 263 (+15 %)'],
      ['count → (output)', '8'],
    ]);
    expect(part.regressions).toEqual(['filter: peak RSS ×3']);
    expect(runHead(ended(2, 263))).toMatchObject({ id: 2, state: 'succeeded', detail: '8 records · 1.00 s' });
  });
});
