// The records of a run that the extension host keeps in memory, whatever the run's size: the
// first N, the last N and a uniform sample of N lines (reservoir sampling), plus the exact count.
// Kept lines are copies (a slice of a big chunk would keep the whole chunk alive). No vscode here.
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
  private readonly ring: (KeptLine | undefined)[];
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
    this.ring = Array.from<KeptLine | undefined>({ length: max });
    this.rand = mulberry32(seed); // deterministic: the same output gives the same sample
  }

  take(data: Buffer): void {
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      this.line(data.subarray(start, nl));
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
    if (this.partial.length > 0) this.line(Buffer.alloc(0));
  }

  private line(tail: Buffer): void {
    const n = ++this.total;
    let bytes = tail;
    if (this.partial.length > 0) {
      bytes = Buffer.concat([...this.partial, tail.subarray(0, Math.max(0, this.maxLineBytes - this.partialBytes))]);
      this.partial = [];
      this.partialBytes = 0;
    }
    const wantFirst = this.first.length < this.max;
    // Algorithm R: the n-th line replaces a kept one with probability max/n.
    const slot = n <= this.max ? n - 1 : Math.floor(this.rand() * n);
    const wantSample = slot < this.max;
    if (this.max === 0) return;
    const kept = { n, line: (bytes.length > this.maxLineBytes ? bytes.subarray(0, this.maxLineBytes) : bytes).toString('utf8') };
    if (wantFirst) this.first.push(kept);
    this.ring[(n - 1) % this.max] = kept;
    if (wantSample) this.reservoir[slot] = kept;
  }

  /** The kept lines of a selection, in output order. */
  lines(selection: Selection): KeptLine[] {
    if (selection === 'first') return [...this.first];
    if (selection === 'sample') return [...this.reservoir].sort((a, b) => a.n - b.n);
    return this.ring.filter((l): l is KeptLine => l !== undefined).sort((a, b) => a.n - b.n);
  }
}
