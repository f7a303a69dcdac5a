import * as fs from 'node:fs';
import type { RunTimeline } from '../engine/timeline';
import { chromeTrace, type TraceLabel } from '../engine/trace';

/** `--trace FILE`: the run as a Chrome trace event file; a file that cannot be written is reported, not fatal. */
export function writeTraceFile(file: string, timeline: RunTimeline, label: TraceLabel, stderr: NodeJS.WritableStream): void {
  try {
    fs.writeFileSync(file, JSON.stringify(chromeTrace(timeline, label)));
  } catch (e) {
    stderr.write(`pipewright: cannot write --trace ${file}: ${(e as Error).message}\n`);
  }
}
