/**
 * How a run's processes are ended, in one place: the escalation on failure, timeout and cancel,
 * and after the engine stopped reading. (Parent death is the kernel's and pw-segment's: see
 * segment.ts.)
 */
import type { SegmentProcess } from './segment';

/** Grace after SIGTERM before stragglers get SIGKILL, and before the whole group does. */
const termGraceMs = 20;
const killGraceMs = 60;
/** After the engine stopped reading, stages that do not write (so never see SIGPIPE) get one; then SIGTERM. */
export const stopReadingGraceMs = 200;

/** The run's timers, all cleared at its end. */
export class Timers {
  private timers: NodeJS.Timeout[] = [];

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      fn();
    }, ms);
    this.timers.push(t);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}

/**
 * Ends every stage of `segments`: SIGTERM to each process group (the segment's bash and the
 * stage wrappers ignore it, so they survive to reap their stage and report), then SIGKILL to
 * every member but them (`wrappers()`, asked when it is time), then SIGKILL to whole groups.
 */
export function terminateSegments(segments: readonly SegmentProcess[], wrappers: () => number[], timers: Timers): void {
  for (const seg of segments) seg.signalGroup('SIGTERM');
  timers.later(termGraceMs, () => {
    const keep = wrappers();
    for (const seg of segments) seg.killMembers(keep);
    timers.later(killGraceMs - termGraceMs, () => {
      for (const seg of segments) if (!seg.exited) seg.signalGroup('SIGKILL');
    });
  });
}
