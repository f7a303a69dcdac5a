// A run's stats over time, kept from its event stream: per stage, cumulative samples (records,
// bytes, CPU) and memory at each stats tick, plus each stage's lifetime. Bounded: past
// `maxSamples` per stage every other sample is dropped, so a long run keeps the whole run at a
// coarser step. The trace export (trace.ts) and the editor's sparklines both read it.
import type { RunEvent, RunResult } from './events';
import type { StageStats } from './stats';
import type { StageStatus } from './status';

export interface StageSample {
  /** Milliseconds since the run started. */
  t: number;
  /** Records written so far to the next stage, when that edge is counted (see StageStats.recordsOut). */
  records?: number;
  bytesOut: number;
  /** User + system CPU so far. */
  cpuMs: number;
  rssKb: number;
}

export interface StageTimeline {
  name: string;
  index: number;
  status: StageStatus;
  /** Lifetime in ms since the run started: exact once the run has ended, from the ticks before. */
  startMs?: number;
  endMs?: number;
  samples: StageSample[];
}

/** Rates between two samples: what a chart of "records/s over time" plots. */
export interface RatePoint {
  t: number;
  recordsPerSec?: number;
  bytesPerSec: number;
  /** CPU time over wall time: 1 = one core all the time. */
  cpu: number;
  rssKb: number;
}

export class RunTimeline {
  /** Wall-clock start (ms since the epoch), from the start event. */
  startedAt?: number;
  stages: StageTimeline[] = [];
  result?: RunResult;
  /** Milliseconds since the start at the latest tick (or the run's duration once ended). */
  elapsedMs = 0;
  /** Only keep a tick this far after the previous sample; grows each time the samples are halved. */
  private stepMs = 0;

  constructor(private readonly maxSamples = 1024) {}

  add(event: RunEvent): void {
    switch (event.type) {
      case 'start':
        this.startedAt = event.at;
        // Nothing was written before the start: rates then cover the whole run, and their integral is the total.
        this.stages = event.stages.map((s) => ({
          name: s.name,
          index: s.index,
          status: 'pending',
          samples: [{ t: 0, records: 0, bytesOut: 0, cpuMs: 0, rssKb: 0 }],
        }));
        return;
      case 'status': {
        const stage = this.stages[event.index];
        if (!stage) return;
        stage.status = event.status;
        if (event.status === 'running') stage.startMs ??= this.elapsedMs;
        else if (event.status !== 'pending') stage.endMs ??= this.elapsedMs;
        return;
      }
      case 'stats':
        this.elapsedMs = event.elapsedMs;
        this.tick(event.elapsedMs, event.stages);
        return;
      case 'end':
        this.finish(event.result);
        return;
      case 'records':
      case 'stderr':
        return;
    }
  }

  /** Passes a run's events through, keeping them here on the way (for `for await` consumers). */
  async *recording(events: AsyncIterable<RunEvent>): AsyncGenerator<RunEvent> {
    for await (const event of events) {
      this.add(event);
      yield event;
    }
  }

  private tick(t: number, stats: StageStats[]): void {
    const first = this.stages[0]?.samples;
    const last = first?.at(-1);
    if (last && t - last.t < this.stepMs) return;
    for (const s of stats) {
      const stage = this.stages[s.index];
      if (!stage) continue;
      if (s.status === 'running') stage.startMs ??= Math.max(0, t - s.durationMs);
      stage.samples.push(sampleOf(t, s));
    }
    if ((first?.length ?? 0) > this.maxSamples) {
      for (const stage of this.stages) stage.samples = stage.samples.filter((_, i, all) => i % 2 === 0 || i === all.length - 1);
      // Keep the later samples as far apart as the halved ones are.
      this.stepMs = (2 * t) / this.maxSamples;
    }
  }

  /** Exact lifetimes and totals from the result; a last sample at each stage's end. */
  private finish(result: RunResult): void {
    this.result = result;
    this.elapsedMs = Math.max(this.elapsedMs, result.durationMs);
    for (const r of result.stages) {
      const stage = this.stages[r.index] ?? (this.stages[r.index] = { name: r.name, index: r.index, status: r.status, samples: [] });
      stage.status = r.status;
      if (this.startedAt !== undefined && r.startedAt !== undefined) stage.startMs = Math.max(0, r.startedAt - this.startedAt);
      if (this.startedAt !== undefined && r.endedAt !== undefined) stage.endMs = Math.max(0, r.endedAt - this.startedAt);
      stage.endMs ??= result.durationMs;
      const final = sampleOf(stage.endMs, r.stats);
      const last = stage.samples.at(-1);
      // A tick after the stage ended already holds its (then live) totals: the exact ones replace them.
      if (last && last.t >= final.t) stage.samples[stage.samples.length - 1] = { ...final, t: last.t };
      else stage.samples.push(final);
    }
  }
}

function sampleOf(t: number, s: StageStats): StageSample {
  return {
    t,
    ...(s.recordsOut !== undefined ? { records: s.recordsOut } : {}),
    // The output edge's bytes when it is counted, else what the process wrote.
    bytesOut: s.bytesOut ?? s.procBytesWritten,
    cpuMs: s.cpuUserMs + s.cpuSysMs,
    rssKb: s.rssKb,
  };
}

/** Rates between consecutive samples (one point per interval, at its end). */
export function ratesOf(samples: readonly StageSample[]): RatePoint[] {
  const points: RatePoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = (b.t - a.t) / 1000;
    if (dt <= 0) continue;
    const point: RatePoint = {
      t: b.t,
      bytesPerSec: Math.max(0, b.bytesOut - a.bytesOut) / dt,
      cpu: Math.max(0, b.cpuMs - a.cpuMs) / 1000 / dt,
      rssKb: b.rssKb,
    };
    if (a.records !== undefined && b.records !== undefined) point.recordsPerSec = Math.max(0, b.records - a.records) / dt;
    points.push(point);
  }
  return points;
}
