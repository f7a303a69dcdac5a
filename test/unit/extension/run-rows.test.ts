import { describe, expect, it } from 'vitest';
import { newestFirst, runRowId, runStateText, shownState } from '../../../extension/run-rows';
import { RunModel } from '../../../extension/run-model';

function started(id: number, file: string, stages = ['read', 'count']): RunModel {
  const m = new RunModel(id, file, file, undefined, 1000 + id);
  m.apply({ type: 'start', at: 0, stages: stages.map((name, index) => ({ name, index, inputs: index === 0 ? [] : [index - 1] })) });
  return m;
}

describe('Stages view rows', () => {
  it('puts the newest run on top, open, and every other run folded, whatever file it ran', () => {
    const a1 = started(1, '/w/a.pipeline.yaml');
    const b = started(2, '/w/b.pipeline.yaml');
    const a2 = started(3, '/w/a.pipeline.yaml');
    const order = newestFirst([a1, b, a2]);
    expect(order.map((m) => m.id)).toEqual([3, 2, 1]);
    // Only the newest keeps the plain id (drawn open); b, the latest of its own file, folds too.
    expect(order.map((m) => runRowId(m, order[0]))).toEqual(['run:3', 'run:2:earlier', 'run:1:earlier']);
  });

  it("says a run's state from its stages once they have all ended, never running beside cancelled stages", () => {
    const m = started(1, '/w/a.pipeline.yaml');
    m.apply({ type: 'status', stage: 'read', index: 0, status: 'running' });
    expect(shownState(m.freeze())).toBe('running');
    m.apply({ type: 'status', stage: 'read', index: 0, status: 'cancelled' });
    expect(shownState(m.freeze())).toBe('running'); // count has not ended yet
    m.apply({ type: 'status', stage: 'count', index: 1, status: 'cancelled' });
    // The engine's end has not come yet (its processes are being reaped): the stages tell.
    expect(m.state).toBe('running');
    expect(shownState(m.freeze())).toBe('cancelled');
    m.apply({ type: 'status', stage: 'count', index: 1, status: 'failed', exitCode: 2 });
    expect(shownState(m.freeze())).toBe('failed');
    m.apply({ type: 'status', stage: 'read', index: 0, status: 'succeeded' });
    m.apply({ type: 'status', stage: 'count', index: 1, status: 'succeeded' });
    expect(shownState(m.freeze())).toBe('succeeded');
  });

  it('keeps the outcome the engine reported once the run has ended', () => {
    const m = started(1, '/w/a.pipeline.yaml');
    m.state = 'failed';
    expect(shownState(m.freeze())).toBe('failed');
    expect(runStateText('interrupted')).toBe('interrupted by a window reload');
    expect(runStateText('cancelled')).toBe('cancelled');
  });
});
