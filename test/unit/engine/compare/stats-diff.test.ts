import { describe, expect, it } from 'vitest';
import type { RunStats, StageNumbers } from '../../../../engine/compare/run-stats';
import { readRunStats } from '../../../../engine/compare/run-stats';
import { changeText, compareStats, parseThreshold } from '../../../../engine/compare/stats-diff';

function stage(name: string, over: Partial<StageNumbers> = {}): StageNumbers {
  return { name, status: 'succeeded', recordsIn: 100, recordsOut: 100, bytesIn: 1000, bytesOut: 1000, cpuMs: 50, maxRssKb: 4096, durationMs: 1000, ...over };
}

function run(stages: StageNumbers[], over: Partial<RunStats> = {}): RunStats {
  return { outcome: 'succeeded', durationMs: 1000, records: 100, bytes: 1000, stages, edges: [], ...over };
}

describe('changeText', () => {
  it('says the change as people read it: percent when small, a factor when it doubles or halves', () => {
    expect(changeText(100, 112)).toBe('+12 %');
    expect(changeText(100, 92)).toBe('−8 %');
    expect(changeText(100, 50)).toBe('×0.5');
    expect(changeText(100, 320)).toBe('×3.2');
    expect(changeText(10, 250)).toBe('×25');
    expect(changeText(1000, 1003)).toBe('+0.3 %');
    expect(changeText(7, 7)).toBe('=');
    expect(changeText(0, 5)).toBe('from 0');
    expect(changeText(undefined, 5)).toBe('—');
    expect(changeText(undefined, undefined)).toBe('');
  });
});

describe('compareStats', () => {
  it('matches stages by name, lists added and removed ones, and names the stages whose counts changed', () => {
    const a = run([stage('read'), stage('filter', { recordsOut: 40 }), stage('old')]);
    const b = run([stage('read'), stage('new'), stage('filter', { recordsOut: 55 })]);
    const c = compareStats(a, b);
    expect(c.stages.map((s) => [s.name, s.presence])).toEqual([
      ['read', 'both'],
      ['new', 'added'],
      ['filter', 'both'],
      ['old', 'removed'],
    ]);
    expect(c.added).toEqual(['new']);
    expect(c.removed).toEqual(['old']);
    expect(c.changedCounts).toEqual(['filter']);
    expect(c.stages[2]!.figures.recordsOut).toEqual({ a: 40, b: 55, change: '+38 %', regression: false });
  });

  it('marks a rate down, memory up or time up past the threshold as a regression, and not below it', () => {
    const a = run([stage('slow'), stage('fat'), stage('ok')]);
    const b = run([stage('slow', { durationMs: 2000 }), stage('fat', { maxRssKb: 4096 * 3 }), stage('ok', { durationMs: 1150, maxRssKb: 4500 })]);
    const c = compareStats(a, b, 0.2);
    expect(c.regressions).toEqual(['slow: rate ×0.5', 'slow: time ×2', 'fat: peak RSS ×3']);
    expect(c.stages[2]!.regressions).toEqual([]);
    expect(compareStats(a, b, 0.1).stages[2]!.regressions).toEqual(['rate −13 %', 'time +15 %']);
  });

  it('does not call noise a regression: tiny stages and small memory changes', () => {
    const a = run([stage('tiny', { durationMs: 5, maxRssKb: 300 })]);
    const b = run([stage('tiny', { durationMs: 40, maxRssKb: 900 })]);
    expect(compareStats(a, b).regressions).toEqual([]);
  });

  it('counts a stage that now fails, and a run that no longer succeeds, as regressions', () => {
    const c = compareStats(run([stage('x')]), run([stage('x', { status: 'failed' })], { outcome: 'failed' }));
    expect(c.regressions).toEqual(['the run: failed (was succeeded)', 'x: failed (was succeeded)']);
  });

  it('compares edges by their two ends, with records per second of each run', () => {
    const a = run([stage('a'), stage('b')], { durationMs: 2000, edges: [{ from: 'a', to: 'b', records: 100, bytes: 10 }] });
    const b = run([stage('a'), stage('b')], {
      durationMs: 1000,
      edges: [
        { from: 'a', to: 'b', records: 120, bytes: 12 },
        { from: 'b', to: '(output)', records: 5, bytes: 1 },
      ],
    });
    const c = compareStats(a, b);
    expect(c.edges).toEqual([
      { from: 'a', to: 'b', records: { a: 100, b: 120, change: '+20 %', regression: false }, rate: { a: 50, b: 120, change: '×2.4', regression: false } },
      {
        from: 'b',
        to: '(output)',
        records: { a: undefined, b: 5, change: '—', regression: false },
        rate: { a: undefined, b: 5, change: '—', regression: false },
      },
    ]);
  });
});

describe('readRunStats', () => {
  it('reads what `pipewright run --stats-json` writes: edges by index become names, uncounted edges are left out', () => {
    const r = readRunStats({
      outcome: 'succeeded',
      durationMs: 10,
      records: 2,
      bytes: 4,
      stages: [
        { name: 'a', status: 'succeeded', recordsIn: null, recordsOut: 3, cpuUserMs: 1, cpuSysMs: 2, maxRssKb: 9, durationMs: 5 },
        { name: 'b', status: 'stopped-early', recordsIn: 3, recordsOut: 2, cpuUserMs: 0, cpuSysMs: 0, maxRssKb: 9, durationMs: 5 },
      ],
      edges: [
        { from: 0, to: 1, countedBy: 'counter', records: 3, bytes: 6 },
        { from: 1, to: 'output', countedBy: null, records: 0, bytes: 0 },
      ],
    });
    expect(r.ok && r.stats.stages.map((s) => [s.name, s.recordsIn, s.cpuMs])).toEqual([
      ['a', undefined, 3],
      ['b', 3, 0],
    ]);
    expect(r.ok && r.stats.edges).toEqual([{ from: 'a', to: 'b', records: 3, bytes: 6 }]);
  });

  it('says why a file is not a run', () => {
    expect(readRunStats([1, 2])).toEqual({ ok: false, why: 'it is not the --stats-json of a run (no `stages` and `edges`)' });
    expect(readRunStats({ stages: [{ name: 'x', status: 'nope' }], edges: [] })).toEqual({ ok: false, why: 'stage `x` has no known status' });
  });
});

describe('parseThreshold', () => {
  it('reads 20%, 20 % and 0.2 alike', () => {
    expect([parseThreshold('20%'), parseThreshold('20 %'), parseThreshold('0.2'), parseThreshold('5')]).toEqual([0.2, 0.2, 0.2, 0.05]);
    expect(parseThreshold('lots')).toBeUndefined();
  });
});
