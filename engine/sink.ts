import { afterNthNewline, countNewlines } from './lines';

/**
 * The records of the last stage, as the engine hands them out: whole lines only (a partial
 * line waits for its end, and a last line without newline is a record at the end), counted
 * exactly, cut at `limit` on a record boundary.
 */
export class RecordSink {
  records = 0;
  bytes = 0;
  private partial: Buffer[] = [];
  private stopped = false;

  constructor(
    private readonly limit: number | undefined,
    private readonly emit: (data: Buffer, count: number) => void,
    /** `limit` records have gone out: the run stops reading. */
    private readonly reachedLimit: () => void,
  ) {}

  write(chunk: Buffer): void {
    if (this.stopped) return;
    const lastNl = chunk.lastIndexOf(10);
    if (lastNl < 0) {
      this.partial.push(chunk);
      return;
    }
    let end = lastNl + 1;
    let count = countNewlines(chunk, 0, end);
    const atLimit = this.limit !== undefined && this.records + count >= this.limit;
    if (atLimit) {
      count = this.limit - this.records;
      end = afterNthNewline(chunk, count);
    }
    const head = chunk.subarray(0, end);
    const data = this.partial.length > 0 ? Buffer.concat([...this.partial, head]) : head;
    this.partial = end < chunk.length && !atLimit ? [chunk.subarray(end)] : [];
    if (count > 0) this.out(data, count);
    if (atLimit) this.reachedLimit();
  }

  /** The last stage's output ended: a last line without newline is a record. Returns whether there was one. */
  end(): boolean {
    if (this.stopped || this.partial.length === 0) return false;
    const data = Buffer.concat(this.partial);
    this.partial = [];
    this.out(data, 1);
    return true;
  }

  /** No more records are wanted (the reader stopped, or the limit was reached). */
  stop(): void {
    this.stopped = true;
    this.partial = [];
  }

  private out(data: Buffer, count: number): void {
    this.records += count;
    this.bytes += data.length;
    this.emit(data, count);
  }
}
