import { describe, expect, it } from 'vitest';
import { RunModel, type StageView } from '../../../extension/run-model';
import { runRow } from '../../../extension/run-rows';
import { stageRow } from '../../../extension/stage-row';
import { stats } from './stage-stats';

/**
 * What the Stages view shows after a name at its default width (about 300 px): some 25
 * characters. The row's first two parts must fit there: the state and its key number.
 */
const inSight = (description: string) => description.split(' · ').slice(0, 2).join(' · ');

function stage(extra: Partial<StageView>): StageView {
  return { name: 'as-records', index: 1, status: 'running', stderrTail: [], ...extra };
}

describe("the Stages view's rows", () => {
  it('a running stage leads with its records and rate; the icon says running', () => {
    const row = stageRow(stage({ stats: stats(1, { recordsIn: 12_400, recordsOut: 12_345, recordsPerSec: 4_500, rateOut: 4.5 * 1024 * 1024, busy: 0.23 }) }));
    expect(row.description).toBe('12.3k rec · 4.5k rec/s · busy 23%');
    expect(inSight(row.description).length).toBeLessThanOrEqual(25);
    // The rest is in the tooltip: both edges, exact, and the bytes.
    expect(row.tooltip).toContain('in: 12,400 rec');
    expect(row.tooltip).toContain('out: 12,345 rec');
    expect(row.tooltip).toContain('4.5k rec/s, 4.5 MiB/s');
    // A screen reader hears the state in words.
    expect(row.accessible).toBe('as-records, running, 12.3k rec · 4.5k rec/s · busy 23%');
    // The editor's line has no icon: the word first.
    expect(row.line).toBe('running · 12.3k rec · 4.5k rec/s · busy 23%');
  });

  it('a stage reading a file leads with % and ETA; the bottleneck says so before its numbers', () => {
    const source = { file: '/data/big.ndjson', size: 60 * 1024 * 1024, position: 20 * 1024 * 1024, percent: 34.2, etaMs: 12_300 };
    expect(stageRow(stage({ stats: stats(0, { recordsOut: 1_200, recordsPerSec: 300, source }) })).description).toMatch(/^34% · ETA 12\.3 s · 1\.2k rec/);
    const slow = stageRow(stage({ stats: stats(1, { recordsOut: 800, recordsPerSec: 200, bottleneck: true, busy: 0.97 }) }));
    expect(slow.description).toBe('bottleneck · 800 rec · 200 rec/s · busy 97%');
    expect(slow.tooltip).toContain('the bottleneck');
  });

  it('without counted edges a running stage shows bytes per second', () => {
    const row = stageRow(stage({ stats: stats(0, { bytesOut: undefined, procBytesWritten: 2048, rateOut: 1024 }) }));
    expect(row.description).toBe('2.0 KiB process I/O · 1.0 KiB/s · busy 0%');
  });

  it('an ended stage: records and time, a write stage its file; words for states the icon does not tell', () => {
    expect(stageRow(stage({ status: 'succeeded', stats: stats(1, { status: 'succeeded', recordsOut: 10, durationMs: 1030, busy: 0.12 }) })).description).toBe(
      '10 rec · 1.03 s · busy 12%',
    );
    const wrote = stageRow(
      stage({ status: 'succeeded', stats: stats(2, { status: 'succeeded', recordsOut: 10, wrote: { file: '/w/out/result.ndjson', bytes: 4952 } }) }),
    );
    expect(wrote.description).toMatch(/^4\.8 KiB to result\.ndjson · /);
    expect(stageRow(stage({ status: 'stopped-early', stats: stats(0, { status: 'stopped-early', recordsOut: 5 }) })).description).toMatch(
      /^stopped early · 5 rec/,
    );
    expect(stageRow(stage({ status: 'pending' })).description).toBe('pending');
    expect(stageRow(stage({ status: 'queued' })).description).toBe('waiting for Slurm');
  });

  it('a failed stage says why first: exit code or signal, then its last stderr line', () => {
    const row = stageRow(
      stage({ status: 'failed', exitCode: 3, stderrTail: ['boom: the input was not what I wanted', ''], stats: stats(1, { status: 'failed', recordsOut: 0 }) }),
    );
    expect(row.description).toBe('exit 3 · boom: the input was not what I wanted · 0 rec');
    expect(row.tooltip.split('\n')[0]).toBe('as-records: failed (exit 3)');
    expect(row.line).toMatch(/^failed · exit 3 · boom/);
    expect(stageRow(stage({ status: 'failed', signal: 'SIGKILL' })).description).toBe('SIGKILL');
    expect(stageRow(stage({ status: 'timed-out', stderrTail: ['still going'] })).description).toBe('timed out · still going');
    expect(stageRow(stage({ status: 'failed', stderrTail: ['x'.repeat(200)] })).description).toBe(`exit ? · ${'x'.repeat(120)}…`);
  });

  it('a stage on another host says where last', () => {
    expect(stageRow(stage({ stats: stats(1, { recordsOut: 5, recordsPerSec: 1, host: 'box' }) })).description).toBe('5 rec · 1 rec/s · busy 0% · on box');
  });
});

describe("the Stages view's run rows", () => {
  const model = (frame: Partial<RunModel['frame']>) => {
    const m = new RunModel(4, '/w/p.pipeline.yaml', 'million', undefined, Date.UTC(2026, 11, 7, 6, 0, 0));
    m.frame = { state: 'running', records: 0, recordRate: 0, elapsedMs: 0, stages: [], ...frame };
    return m;
  };

  it('a running run: records and rate, or % and ETA when a stage reads a file', () => {
    const row = runRow(model({ records: 123_456, recordRate: 45_300, elapsedMs: 2_100 }), false);
    expect(row.description).toMatch(/^123\.5k rec · 45\.3k rec\/s · 2\.10 s · \d\d:\d\d:\d\d$/);
    expect(inSight(row.description).length).toBeLessThanOrEqual(25);
    expect(row.accessible).toMatch(/^million, running, 123\.5k rec/);
    const source = { file: '/data/big.ndjson', size: 100, position: 34, percent: 34, etaMs: 12_300 };
    expect(runRow(model({ records: 1_200, progress: { records: 1_200, bytes: 34, bytesPerSec: 10, source } }), false).description).toMatch(
      /^34% · ETA 12\.3 s · 1\.2k rec · /,
    );
  });

  it('an ended run: records and time; the state in words unless it succeeded; everything in the tooltip', () => {
    const done = runRow(model({ state: 'succeeded', records: 10, elapsedMs: 1_030 }), false);
    expect(done.description).toMatch(/^10 rec · 1\.03 s · /);
    expect(done.tooltip).toContain('10 records in 1.03 s');
    expect(done.tooltip).toContain('/w/p.pipeline.yaml');
    expect(runRow(model({ state: 'cancelled', records: 26, elapsedMs: 2_280 }), false).description).toMatch(/^cancelled · 26 rec · 2\.28 s/);
    const cut = runRow(model({ state: 'interrupted', records: 680_000, elapsedMs: 6_000 }), true);
    expect(cut.description).toMatch(/^interrupted · 680k rec/);
    expect(cut.tooltip).toContain('million: interrupted by a window reload');
    expect(cut.tooltip).toContain('From an earlier window');
  });

  it("says the state its stages say while the engine's end is on its way", () => {
    const row = runRow(model({ state: 'running', stages: [stage({ status: 'cancelled' })] }), false);
    expect(row.description).toMatch(/^cancelled · /);
  });
});
