import type { RunTimeline } from '../engine/timeline';
import { chromeTrace, type TraceLabel } from '../engine/trace';
import type { OutputFile } from './out-file';

/** `--trace FILE`: the run as a Chrome trace event file; a file that cannot be written is reported, not fatal. */
export function writeTraceFile(out: OutputFile, timeline: RunTimeline, label: TraceLabel, stderr: NodeJS.WritableStream): void {
  const failed = out.write(JSON.stringify(chromeTrace(timeline, label)));
  if (failed !== undefined) stderr.write(`pipewright: cannot write --trace ${out.file}: ${failed}\n`);
}
