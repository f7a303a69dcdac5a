import { describe, expect, it } from 'vitest';
import type { StageStats } from '../../../engine';
import { RecordLines, RunModel } from '../../../extension/run-model';
import { stats as restingStats } from './stage-stats';

/** A running stage as these tests feed it: 10 bytes out in 5 ms, working. */
function stats(index: number, extra: Partial<StageStats> = {}): StageStats {
  return restingStats(index, { bytesOut: 10, rssKb: 0, maxRssKb: 0, durationMs: 5, working: 1, ...extra });
}

describe('RecordLines', () => {
  it('shows whole lines up to the cap and only counts the rest', () => {
    const lines = new RecordLines(3);
    expect(lines.take(Buffer.from('a\nb'))).toBe('a\n');
    expect(lines.take(Buffer.from('c\nd\ne\n'))).toBe('bc\nd\n');
    expect(lines.take(Buffer.from('f\n'))).toBe('');
    expect([lines.shown, lines.hidden]).toEqual([3, 2]);
    expect(lines.text).toBe('a\nbc\nd\n');
  });

  it('counts every line past the cap exactly, split anywhere, with or without a last newline', () => {
    const text = Array.from({ length: 50 }, (_, i) => `{"n":${i}}`).join('\n');
    for (const ending of ['', '\n'])
      for (const size of [1, 3, 7, 64]) {
        const lines = new RecordLines(4);
        const bytes = Buffer.from(text + ending);
        let shown = '';
        for (let at = 0; at < bytes.length; at += size) shown += lines.take(bytes.subarray(at, at + size));
        shown += lines.flush();
        expect(shown).toBe('{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n');
        expect([lines.shown, lines.hidden]).toEqual([4, 46]);
      }
  });

  it('flushes a last line without newline and cuts very long lines for display', () => {
    const lines = new RecordLines(10, 5);
    expect(lines.take(Buffer.from('123456789\nxy'))).toBe('12345… (9 characters)\n');
    expect(lines.flush()).toBe('xy\n');
    expect(lines.flush()).toBe('');
  });
});

describe('RunModel', () => {
  it('follows a run from start to end', () => {
    const m = new RunModel(1, '/p/a.pipeline.yaml', 'a', undefined, 0);
    expect(
      m.apply({
        type: 'start',
        at: 0,
        stages: [
          { name: 's0', index: 0, inputs: [] },
          { name: 's1', index: 1, inputs: [0] },
        ],
      }),
    ).toEqual({ run: true, stages: [] });
    expect(m.apply({ type: 'status', stage: 's1', index: 1, status: 'running', pid: 42 })).toEqual({ run: false, stages: [1] });
    for (let i = 0; i < 12; i++) m.apply({ type: 'stderr', stage: 's1', index: 1, line: `line ${i}` });
    expect(m.stages[1]?.stderrTail).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11']);
    m.apply({
      type: 'stats',
      edges: [],
      progress: { bytes: 0, bytesPerSec: 0 },
      elapsedMs: 1000,
      stages: [stats(0), stats(1, { bottleneck: true })],
      records: 500,
      bytes: 5000,
    });
    expect([m.records, m.recordRate, m.bottleneck?.name]).toEqual([500, 500, 's1']);
    m.apply({ type: 'stats', edges: [], progress: { bytes: 0, bytesPerSec: 0 }, elapsedMs: 2000, stages: [stats(0), stats(1)], records: 1500, bytes: 15000 });
    expect(m.recordRate).toBe(1000);
    m.apply({ type: 'status', stage: 's1', index: 1, status: 'failed', exitCode: 2, message: 'exited with 2' });
    const change = m.apply({
      type: 'end',
      result: { outcome: 'failed', ok: false, stages: [], records: 1600, bytes: 16000, durationMs: 2100, stoppedReading: false, edges: [], failedStage: 's1' },
    });
    expect(change).toEqual({ run: true, stages: [0, 1] });
    expect([m.state, m.running, m.records, m.stages[1]?.status, m.stages[1]?.exitCode]).toEqual(['failed', false, 1600, 'failed', 2]);
  });
});
