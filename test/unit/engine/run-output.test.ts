import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatExact } from '../../../engine/format';
import { liveLine, peekLines, statsJson, summary } from '../../../cli/run-output';
import type { RunResult, StageStats } from '../../../engine';

const stats = (over: Partial<StageStats> = {}): StageStats => ({
  name: 'squeeze',
  index: 1,
  status: 'running',
  recordsIn: 1_000_000,
  bytesIn: 150 * 1024 * 1024,
  recordsOut: 12,
  bytesOut: 2048,
  recordsPerSec: 3.9,
  procBytesRead: 0,
  procBytesWritten: 0,
  cpuUserMs: 1400,
  cpuSysMs: 20,
  rssKb: 1800,
  maxRssKb: 1900,
  durationMs: 3070,
  rateOut: 2.29,
  busy: 0.97,
  waitingRead: 0,
  waitingWrite: 0,
  working: 1,
  bottleneck: true,
  exact: false,
  ...over,
});

describe('run output', () => {
  it('formats sizes and durations', () => {
    expect([formatBytes(0), formatBytes(2.29), formatBytes(1536), formatBytes(150 * 1024 * 1024), formatBytes(3 * 1024 ** 3)]).toEqual([
      '0 B',
      '2 B',
      '1.5 KiB',
      '150 MiB',
      '3.0 GiB',
    ]);
    expect([formatDuration(12.4), formatDuration(3070), formatDuration(65_000)]).toEqual(['12 ms', '3.07 s', '1 min 5 s']);
  });
  it('writes exact counts with thousands separators, as en-US does', () => {
    const samples = [0, 7, 999, 1000, 12_345, 123_456, 1_234_567, 9_007_199_254_740_991, -1_234, 2.9];
    expect(samples.map(formatExact)).toEqual(samples.map((n) => Math.trunc(n).toLocaleString('en-US')));
  });

  it('draws a pv-style live line with the bottleneck marked', () => {
    expect(liveLine(stats(), 8)).toBe('squeeze   running            1M in      12 out       4 rec/s       2 B/s  busy  97%  rss  1.8 MiB  <- bottleneck');
    // Edges not counted (counts off) show a dash.
    expect(liveLine(stats({ recordsIn: undefined, recordsOut: undefined, recordsPerSec: undefined, bottleneck: false }), 8)).toBe(
      'squeeze   running             — in       — out       — rec/s       2 B/s  busy  97%  rss  1.8 MiB',
    );
  });
  it('summarises a run and writes the stats JSON fields', () => {
    const result: RunResult = {
      outcome: 'failed',
      ok: false,
      file: 'x.pipeline.yaml',
      stages: [
        { name: 'squeeze', index: 0, status: 'failed', exitCode: 2, stderrTail: ['bad'], stats: stats({ status: 'failed', exact: true }), message: 'x' },
      ],
      records: 3,
      bytes: 30,
      durationMs: 1500,
      stoppedReading: false,
      edges: [],
      failedStage: 'squeeze',
    };
    expect(summary(result)).toEqual([
      'pipewright: x.pipeline.yaml FAILED after 1.50 s: 3 records (30 B)',
      '  stage    status                                       in               out      cpu  peak rss      time',
      '  squeeze  FAILED (exit 2)         1,000,000 rec (150 MiB)  12 rec (2.0 KiB)   1.42 s   1.9 MiB    3.07 s  <- bottleneck',
    ]);
    const json = statsJson(result) as { stages: Record<string, unknown>[] };
    expect(json.stages[0]).toMatchObject({
      name: 'squeeze',
      status: 'failed',
      exitCode: 2,
      signal: null,
      recordsIn: 1_000_000,
      bytesIn: 150 * 1024 * 1024,
      recordsOut: 12,
      bytesOut: 2048,
      procBytesRead: 0,
      procBytesWritten: 0,
      cpuUserMs: 1400,
      cpuSysMs: 20,
      maxRssKb: 1900,
      durationMs: 3070,
    });
  });
  it('shows record counts where known, each worker under its stage, and peeks', () => {
    const w = (pid: number) => stats({ status: 'succeeded', pid, bottleneck: false, procBytesRead: 1024, procBytesWritten: 512, exact: true });
    const result: RunResult = {
      outcome: 'succeeded',
      ok: true,
      stages: [
        {
          name: 'w',
          index: 0,
          status: 'succeeded',
          stderrTail: [],
          stats: stats({
            status: 'succeeded',
            bottleneck: false,
            recordsIn: undefined,
            bytesIn: undefined,
            recordsOut: 7,
            bytesOut: 70,
            workers: [w(11), w(12)],
          }),
        },
      ],
      records: 7,
      bytes: 70,
      durationMs: 10,
      stoppedReading: false,
      edges: [],
    };
    const lines = summary(result);
    expect(lines[2]).toMatch(/^ {2}w +ok +— +7 rec \(70 B\) /);
    expect(lines.slice(3)).toEqual([
      '    worker 1  ok                                         1.42 s   1.9 MiB    3.07 s',
      '    worker 2  ok                                         1.42 s   1.9 MiB    3.07 s',
    ]);
    const json = statsJson(result) as { stages: { workers: { pid: number }[] }[] };
    expect(json.stages[0]!.workers.map((x) => x.pid)).toEqual([11, 12]);
    expect(peekLines({ stage: 'w', records: 1, bytes: 4, samples: ['abc'] })).toEqual(['pipewright: peek `w`: 1 record (4 B) written; the last 1:', '  abc']);
    expect(peekLines({ stage: 'w', records: 0, bytes: 0, samples: [] })).toEqual(['pipewright: peek `w`: 0 records (0 B) written']);
  });
});
