/**
 * The edges of a run, each with its own counts (docs/stats.md): an edge joins a writer stage to
 * its reader, or the last stage to the run's output. Its records and bytes are counted exactly,
 * by whichever sees its bytes: a counter process between two stages of a segment
 * (pw-segment's counter, engine/native/count.c, reporting on the control channel), or the engine itself where the
 * bytes pass through it anyway (relays, workers' dealing and merging, the records of the last
 * stage). Edges inside a segment are not counted when counts are off (`RunOptions.counts`).
 */
import { countNewlines } from './lines';

/** Where an edge ends: a stage's index, or the run's output (the records the engine reads). */
export type EdgeEnd = number | 'output';

export interface EdgeStats {
  /** Index of the stage that writes it. */
  from: number;
  to: EdgeEnd;
  /** Who counts it: a counter process, the engine; undefined when it is not counted (then every count is 0). */
  countedBy?: 'counter' | 'engine';
  /** Records (lines; a last line without newline counts once the edge has ended) and bytes that went over it. */
  records: number;
  bytes: number;
  /** Over about the last second while it flows (0 once ended). */
  recordsPerSec: number;
  bytesPerSec: number;
  /** It has ended (its writer's output closed, or its reader left): the counts are final. */
  ended: boolean;
}

/** How far back the live rate looks. */
const rateWindowMs = 1000;

/** The counts of one edge as they come in, and the history behind its live rate. */
export class EdgeMeter {
  records = 0;
  bytes = 0;
  ended = false;
  /** Engine counting: the bytes so far end inside a line. */
  private midLine = false;
  private history: { at: number; records: number; bytes: number }[] = [];

  constructor(
    readonly from: number,
    readonly to: EdgeEnd,
    public countedBy?: 'counter' | 'engine',
  ) {}

  /** A counter process's report: its totals so far (final with `end`). */
  report(records: number, bytes: number, end: boolean): void {
    if (this.ended) return;
    this.records = records;
    this.bytes = bytes;
    if (end) this.ended = true;
  }

  /** Bytes the engine passed over this edge. */
  observe(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return;
    this.bytes += chunk.length;
    this.records += countNewlines(chunk, 0, chunk.length);
    this.midLine = chunk[chunk.length - 1] !== 10;
  }

  /** The engine's side of the edge ended: a last line without newline is a record. */
  end(): void {
    if (this.ended) return;
    if (this.midLine) this.records++;
    this.midLine = false;
    this.ended = true;
  }

  /** Records at each tick, for the live rate. */
  tick(at: number): void {
    this.history.push({ at, records: this.records, bytes: this.bytes });
    while (this.history.length > 2 && this.history[1]!.at <= at - rateWindowMs) this.history.shift();
  }

  stats(): EdgeStats {
    const first = this.history[0];
    const last = this.history.at(-1);
    const dt = first && last ? (last.at - first.at) / 1000 : 0;
    const live = !this.ended && dt > 0;
    const s: EdgeStats = {
      from: this.from,
      to: this.to,
      records: this.records,
      bytes: this.bytes,
      recordsPerSec: live ? (last!.records - first!.records) / dt : 0,
      bytesPerSec: live ? (last!.bytes - first!.bytes) / dt : 0,
      ended: this.ended,
    };
    if (this.countedBy) s.countedBy = this.countedBy;
    return s;
  }
}
