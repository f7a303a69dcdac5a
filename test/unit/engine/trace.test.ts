import { describe, expect, it } from 'vitest';
import type { RunEvent, StageStats } from '../../../engine';
import { RunTimeline, ratesOf } from '../../../engine/timeline';
import { chromeTrace, type TraceEvent } from '../../../engine/trace';
import { run } from './helpers';

const slowLines = `
name: paced
stages:
  - name: tick
    run: "for i in $(seq 1 40); do echo '{\\"i\\":'$i'}'; sleep 0.01; done"
  - name: copy
    run: cat
`;

function counters(events: TraceEvent[], name: string): { ts: number; value: number }[] {
  return events.flatMap((e) => (e.ph === 'C' && e.name === name ? [{ ts: e.ts, value: e.args.value }] : []));
}

/** The area under a rate counter (value holds from the previous point to this one): the total it counted. */
function integral(points: { ts: number; value: number }[]): number {
  let prev = 0;
  let sum = 0;
  for (const p of points) {
    sum += (p.value * (p.ts - prev)) / 1e6;
    prev = p.ts;
  }
  return sum;
}

describe('trace export (Chrome trace event format)', () => {
  it("has a track per stage with its lifetime, and counters whose integral is the run's totals", async () => {
    const d = await run(slowLines, { statsIntervalMs: 50 });
    expect(d.result.outcome).toBe('succeeded');
    const timeline = new RunTimeline();
    for (const e of d.events) timeline.add(e);
    const trace = chromeTrace(timeline, { pipeline: 'paced', file: 'test.pipeline.yaml' });
    // Round-trips through JSON, as the file does.
    const events = (JSON.parse(JSON.stringify(trace)) as typeof trace).traceEvents;
    expect(trace.displayTimeUnit).toBe('ms');
    expect(events.flatMap((e) => (e.ph === 'M' && e.name === 'process_name' ? [e.args.name] : []))).toEqual(['paced']);
    const threads = events.flatMap((e) => (e.ph === 'M' && e.name === 'thread_name' ? [[e.tid, e.args.name]] : []));
    expect(threads).toEqual([
      [0, 'run'],
      [1, 'tick'],
      [2, 'copy'],
    ]);
    const lifetimes = events.filter((e) => e.ph === 'X' && e.cat === 'stage');
    expect(lifetimes.map((e) => [e.name, e.ph === 'X' && e.tid, e.ph === 'X' && e.args.status])).toEqual([
      ['tick', 1, 'succeeded'],
      ['copy', 2, 'succeeded'],
    ]);
    const run0 = events.find((e) => e.ph === 'X' && e.cat === 'run');
    for (const e of lifetimes) {
      if (e.ph !== 'X' || run0?.ph !== 'X') throw new Error('unreachable');
      expect(e.dur).toBeGreaterThan(0);
      expect(e.ts + e.dur).toBeLessThanOrEqual(run0.dur + 1);
    }
    expect(run0?.ph === 'X' && run0.args).toMatchObject({ outcome: 'succeeded', records: 40 });

    // Several ticks were sampled, in time order.
    const rate = counters(events, 'copy: records/s');
    expect(rate.length).toBeGreaterThan(2);
    expect(rate.map((p) => p.ts)).toEqual(rate.map((p) => p.ts).sort((a, b) => a - b));
    // The sink's records/s over time adds up to its 40 records; bytes/s to its exact bytes.
    expect(integral(rate)).toBeCloseTo(40, 1);
    expect(integral(counters(events, 'copy: bytes/s'))).toBeCloseTo(d.output.length, 0);
    const cpu = d.result.stages[0]!.stats.cpuUserMs + d.result.stages[0]!.stats.cpuSysMs;
    expect(integral(counters(events, 'tick: CPU %')) * 10).toBeCloseTo(cpu, 0);
    expect(counters(events, 'tick: RSS KiB').some((p) => p.value > 0)).toBe(true);
  });

  it('keeps a bounded number of samples on a long run, still covering all of it', () => {
    const timeline = new RunTimeline(64);
    const stats = (i: number, t: number): StageStats => ({
      name: 's',
      index: 0,
      status: 'running',
      bytesIn: 0,
      bytesOut: t * 10,
      recordsOut: t,
      procBytesRead: 0,
      procBytesWritten: 0,
      cpuUserMs: t / 2,
      cpuSysMs: 0,
      rssKb: 100,
      maxRssKb: 100,
      durationMs: t,
      rateOut: 0,
      busy: 0.5,
      waitingRead: 0,
      waitingWrite: 0,
      working: 1,
      bottleneck: false,
      exact: false,
      pid: i,
    });
    const events: RunEvent[] = [{ type: 'start', at: 1_000, stages: [{ name: 's', index: 0, inputs: [] }] }];
    for (let i = 1; i <= 10_000; i++)
      events.push({ type: 'stats', edges: [], progress: { bytes: 0, bytesPerSec: 0 }, elapsedMs: i * 100, stages: [stats(i, i * 100)], records: 0, bytes: 0 });
    for (const e of events) timeline.add(e);
    const samples = timeline.stages[0]!.samples;
    expect(samples.length).toBeLessThanOrEqual(65);
    expect(samples[0]!.t).toBe(0);
    expect(samples.at(-1)!.t).toBeGreaterThan(990_000);
    // Rates stay right at the coarser step (the samples are cumulative): 1 record, 10 bytes and 0.5 ms CPU per ms.
    for (const p of ratesOf(samples)) {
      expect(p.recordsPerSec).toBeCloseTo(1000);
      expect(p.bytesPerSec).toBeCloseTo(10_000);
      expect(p.cpu).toBeCloseTo(0.5);
    }
  });
});
