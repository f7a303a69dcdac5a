// The records of a run that the extension host keeps in memory, whatever the run's size: the
// first N, the last N and a uniform sample of N lines (reservoir sampling), plus the exact count.
// The first N and the sample are copies, decoded when kept (a slice of a big chunk would keep the
// whole chunk alive). The last N are views into their chunks, decoded when asked for: every line
// passes through them, and nearly all are pushed out by the next chunk (decoding each cost the
// extension host a string per record of a million-record run); they hold at most the last few
// chunks. No vscode here.
import { mulberry32 } from '../../engine/random';

export type Selection = 'first' | 'last' | 'sample';

export interface KeptLine {
  /** The line's number in the output, from 1. */
  n: number;
  line: string;
}

export class RecordKeeper {
  /** Lines seen so far (a last line without newline counts once flushed). */
  total = 0;
  private readonly first: KeptLine[] = [];
  /** The last N: slot i holds line ringN[i], bytes start..end of ringChunk[i] (no object per line). */
  private readonly ringChunk: (Buffer | undefined)[];
  private readonly ringStart: Int32Array;
  private readonly ringEnd: Int32Array;
  private readonly ringN: Float64Array;
  private readonly reservoir: KeptLine[] = [];
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private readonly rand: () => number;

  constructor(
    /** Lines kept per selection. */
    readonly max: number,
    /** Longer lines are cut when kept; counting stays exact. */
    private readonly maxLineBytes = 64 * 1024,
    seed = 1,
  ) {
    this.ringChunk = Array.from<Buffer | undefined>({ length: max });
    this.ringStart = new Int32Array(max);
    this.ringEnd = new Int32Array(max);
    this.ringN = new Float64Array(max);
    this.rand = mulberry32(seed); // deterministic: the same output gives the same sample
  }

  take(data: Buffer): void {
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      this.line(data, start, nl);
      start = nl + 1;
    }
    if (start < data.length && this.partialBytes < this.maxLineBytes) {
      const rest = data.subarray(start, start + this.maxLineBytes - this.partialBytes);
      this.partial.push(Buffer.from(rest));
      this.partialBytes += rest.length;
    } else if (start < data.length) this.partial.push(Buffer.alloc(0)); // a line past the cap: still one line
  }

  /** The end of the output: a last line without a newline is a record too. */
  flush(): void {
    if (this.partial.length > 0) this.line(Buffer.alloc(0), 0, 0);
  }

  /** A line: bytes start..end of chunk, after what `partial` holds of it. */
  private line(chunk: Buffer, start: number, end: number): void {
    const n = ++this.total;
    if (this.partial.length > 0) {
      chunk = Buffer.concat([...this.partial, chunk.subarray(start, start + Math.max(0, Math.min(end - start, this.maxLineBytes - this.partialBytes)))]);
      [start, end] = [0, chunk.length];
      this.partial = [];
      this.partialBytes = 0;
    }
    if (this.max === 0) return;
    end = Math.min(end, start + this.maxLineBytes);
    const i = (n - 1) % this.max;
    this.ringChunk[i] = chunk;
    this.ringStart[i] = start;
    this.ringEnd[i] = end;
    this.ringN[i] = n;
    const wantFirst = this.first.length < this.max;
    // Algorithm R: the n-th line replaces a kept one with probability max/n.
    const slot = n <= this.max ? n - 1 : Math.floor(this.rand() * n);
    const wantSample = slot < this.max;
    if (!wantFirst && !wantSample) return;
    const kept = { n, line: chunk.toString('utf8', start, end) };
    if (wantFirst) this.first.push(kept);
    if (wantSample) this.reservoir[slot] = kept;
  }

  /** The kept lines of a selection, in output order. */
  lines(selection: Selection): KeptLine[] {
    if (selection === 'first') return [...this.first];
    if (selection === 'sample') return [...this.reservoir].sort((a, b) => a.n - b.n);
    const last: KeptLine[] = [];
    this.ringChunk.forEach((chunk, i) => {
      if (chunk) last.push({ n: this.ringN[i]!, line: chunk.toString('utf8', this.ringStart[i], this.ringEnd[i]) });
    });
    return last.sort((a, b) => a.n - b.n);
  }
}
