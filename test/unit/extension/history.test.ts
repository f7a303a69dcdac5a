import { describe, expect, it } from 'vitest';
import { modelOf, RunHistory, summaryOf, type RunSummary } from '../../../extension/history';
import { RunModel } from '../../../extension/run-model';

function summary(id: number, file: string, startedAt = id * 1000): RunSummary {
  return { id, file, pipelineName: file, startedAt, durationMs: 10, outcome: 'succeeded', records: id, stages: [{ name: 'a', status: 'succeeded' }] };
}

describe('run history', () => {
  it('keeps the last N runs of each pipeline, newest first, and says which fell out', () => {
    const h = new RunHistory(2);
    expect(h.put(summary(1, 'a'))).toEqual([]);
    expect(h.put(summary(2, 'b'))).toEqual([]);
    expect(h.put(summary(3, 'a'))).toEqual([]);
    expect(h.put(summary(4, 'a'))).toEqual([1]);
    expect(h.all().map((s) => s.id)).toEqual([4, 3, 2]);
    expect(h.ofFile('a').map((s) => s.id)).toEqual([4, 3]);
    // Putting a run again replaces it (the summary at its end replaces the one from its start).
    h.put({ ...summary(4, 'a'), records: 99 });
    expect(h.all().map((s) => [s.id, s.records])).toEqual([
      [4, 99],
      [3, 3],
      [2, 2],
    ]);
    expect(h.remove(3)).toBe(true);
    expect(h.remove(3)).toBe(false);
    expect(h.setMaxRuns(1)).toEqual([]);
    expect(h.maxId()).toBe(4);
  });

  it('survives a round trip through saved state, ignoring what does not read as a summary', () => {
    const saved = JSON.parse(JSON.stringify([summary(5, 'a'), { id: 'x' }, null, summary(6, 'a')])) as RunSummary[];
    const h = new RunHistory(10, saved);
    expect(h.all().map((s) => s.id)).toEqual([6, 5]);
    expect(new RunHistory(1, saved).all().map((s) => s.id)).toEqual([6]);
  });

  it('turns a run into a summary and back into a model without stats', () => {
    const m = new RunModel(9, '/w/a.pipeline.yaml', 'a', 'two', 5000);
    m.apply({
      type: 'start',
      at: 5000,
      stages: [
        { name: 'one', index: 0, inputs: [] },
        { name: 'two', index: 1, inputs: [0] },
      ],
    });
    m.apply({ type: 'status', stage: 'one', index: 0, status: 'running' });
    const s = summaryOf(m);
    expect(s).toMatchObject({
      id: 9,
      to: 'two',
      outcome: 'running',
      stages: [
        { name: 'one', status: 'running' },
        { name: 'two', status: 'pending' },
      ],
    });
    expect(JSON.stringify(s)).not.toMatch(/stats|stderr/);
    // A run cut off by a reload did not finish, and nobody cancelled it: it comes back interrupted.
    const [saved] = new RunHistory(10, JSON.parse(JSON.stringify([s])) as RunSummary[]).all();
    const back = modelOf(saved!);
    expect([back.id, back.state, back.to, back.stages.map((x) => x.status)]).toEqual([9, 'interrupted', 'two', ['cancelled', 'cancelled']]);
    expect(back.running).toBe(false);
  });

  it('keeps what a run cut off by a window reload had done: its records and its time so far', () => {
    const m = new RunModel(3, '/w/big.pipeline.yaml', 'big', undefined, 0);
    m.apply({ type: 'start', at: 0, stages: [{ name: 'numbers', index: 0, inputs: [] }] });
    m.apply({ type: 'status', stage: 'numbers', index: 0, status: 'running' });
    m.apply({ type: 'stats', elapsedMs: 6000, records: 680_000, bytes: 4_000_000, progress: { bytes: 4_000_000, bytesPerSec: 0 }, edges: [], stages: [] });
    // Saved as it goes (the last save before the reload), or at the window's close (interrupted).
    for (const summary of [summaryOf(m), summaryOf(m, true)]) {
      const [saved] = new RunHistory(10, JSON.parse(JSON.stringify([summary])) as RunSummary[]).all();
      expect(saved).toMatchObject({ outcome: 'interrupted', records: 680_000, durationMs: 6000 });
      const back = modelOf(saved!);
      expect([back.state, back.records, back.elapsedMs]).toEqual(['interrupted', 680_000, 6000]);
    }
    // An ended run is saved as it ended, window closing or not.
    m.apply({
      type: 'end',
      result: { outcome: 'succeeded', ok: true, file: m.file, stages: [], edges: [], records: 700_000, bytes: 0, durationMs: 6500, stoppedReading: false },
    });
    expect(summaryOf(m, true)).toMatchObject({ outcome: 'succeeded', records: 700_000 });
  });
});
