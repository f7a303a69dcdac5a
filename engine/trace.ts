// A run as a Chrome trace event file (opens in ui.perfetto.dev and chrome://tracing): one track
// per stage holding its lifetime, and counters for records/s, bytes/s, CPU and memory over
// time. Pure: built from a RunTimeline, so the CLI and the editor write the same file.
import { ratesOf, type RunTimeline } from './timeline';

/** The subset of the trace event format used here (ts and dur in microseconds). */
export type TraceEvent =
  | { ph: 'M'; name: 'process_name' | 'thread_name' | 'thread_sort_index'; pid: number; tid?: number; args: { name?: string; sort_index?: number } }
  | { ph: 'X'; name: string; cat: string; ts: number; dur: number; pid: number; tid: number; args: Record<string, string | number> }
  | { ph: 'C'; name: string; ts: number; pid: number; args: { value: number } };

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number>;
}

export interface TraceLabel {
  /** The pipeline's name: the process track's name. */
  pipeline: string;
  file?: string;
}

const pid = 1;
/** Track 0 is the whole run; stage i is track i + 1. */
const tidOf = (index: number) => index + 1;
const us = (ms: number) => Math.round(ms * 1000);
/** Three decimals: small files, and a counter's integral over time still gives the total. */
const round = (n: number) => Math.round(n * 1000) / 1000;

export function chromeTrace(timeline: RunTimeline, label: TraceLabel): ChromeTrace {
  const end = timeline.elapsedMs;
  const result = timeline.result;
  const events: TraceEvent[] = [
    { ph: 'M', name: 'process_name', pid, args: { name: label.pipeline } },
    { ph: 'M', name: 'thread_name', pid, tid: 0, args: { name: 'run' } },
    { ph: 'M', name: 'thread_sort_index', pid, tid: 0, args: { sort_index: 0 } },
    {
      ph: 'X',
      name: label.pipeline,
      cat: 'run',
      ts: 0,
      dur: us(end),
      pid,
      tid: 0,
      args: { outcome: result?.outcome ?? 'running', records: result?.records ?? 0, bytes: result?.bytes ?? 0 },
    },
  ];
  for (const stage of timeline.stages) {
    const tid = tidOf(stage.index);
    events.push(
      { ph: 'M', name: 'thread_name', pid, tid, args: { name: stage.name } },
      { ph: 'M', name: 'thread_sort_index', pid, tid, args: { sort_index: tid } },
    );
    if (stage.startMs !== undefined) {
      const final = result?.stages.find((s) => s.index === stage.index);
      const args: Record<string, string | number> = { status: stage.status };
      if (final?.exitCode !== undefined) args.exitCode = final.exitCode;
      if (final?.signal !== undefined) args.signal = final.signal;
      if (final?.stats.recordsOut !== undefined) args.records = final.stats.recordsOut;
      if (final?.stats.recordsIn !== undefined) args.recordsIn = final.stats.recordsIn;
      if (final?.stats.bytesOut !== undefined) args.bytesOut = final.stats.bytesOut;
      const stop = stage.endMs ?? end;
      events.push({ ph: 'X', name: stage.name, cat: 'stage', ts: us(stage.startMs), dur: us(Math.max(0, stop - stage.startMs)), pid, tid, args });
    }
    const counter = (what: string, t: number, value: number) => events.push({ ph: 'C', name: `${stage.name}: ${what}`, ts: us(t), pid, args: { value } });
    for (const p of ratesOf(stage.samples)) {
      if (p.recordsPerSec !== undefined) counter('records/s', p.t, round(p.recordsPerSec));
      counter('bytes/s', p.t, round(p.bytesPerSec));
      counter('CPU %', p.t, round(p.cpu * 100));
      counter('RSS KiB', p.t, p.rssKb);
    }
  }
  const otherData: Record<string, string | number> = { pipeline: label.pipeline, outcome: result?.outcome ?? 'running' };
  if (label.file !== undefined) otherData.file = label.file;
  if (timeline.startedAt !== undefined) otherData.startedAt = new Date(timeline.startedAt).toISOString();
  return { traceEvents: events, displayTimeUnit: 'ms', otherData };
}
