import type { Readable } from 'node:stream';

/** Longest stderr/control line kept; the rest of a longer line is dropped (marked with …). */
export const maxLineBytes = 64 * 1024;

/** Splits a byte stream into text lines (UTF-8), keeping at most `maxBytes` of any one line. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private cut = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes = maxLineBytes,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, nl));
      this.flush();
      start = nl + 1;
    }
  }

  /** The stream ended: a last line without newline is still a line. */
  end(): void {
    if (this.size > 0 || this.cut) this.flush();
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    const room = this.maxBytes - this.size;
    if (room <= 0) {
      this.cut = true;
      return;
    }
    const kept = part.length > room ? part.subarray(0, room) : part;
    if (kept.length < part.length) this.cut = true;
    // Copy: the chunk's memory may be large and is not ours to hold on to.
    this.parts.push(Buffer.from(kept));
    this.size += kept.length;
  }

  private flush(): void {
    let line = Buffer.concat(this.parts, this.size).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (this.cut) line += '…';
    this.parts = [];
    this.size = 0;
    this.cut = false;
    this.onLine(line);
  }
}

/** Number of `\n` bytes in `buf` from `from` (exclusive end `to`). */
export function countNewlines(buf: Buffer, from = 0, to = buf.length): number {
  let n = 0;
  let i = buf.indexOf(10, from);
  while (i >= 0 && i < to) {
    n++;
    i = buf.indexOf(10, i + 1);
  }
  return n;
}

/** Offset just after the `n`th newline (n ≥ 1) of `buf`, or -1 when it has fewer. */
export function afterNthNewline(buf: Buffer, n: number): number {
  let i = -1;
  for (let k = 0; k < n; k++) {
    i = buf.indexOf(10, i + 1);
    if (i < 0) return -1;
  }
  return i + 1;
}

/**
 * Reads a child's stream as lines: each complete line to `onLine`, a last unterminated one at
 * close, then `onClose`. Stream errors end it like a close (the child's exit tells what happened).
 */
export function readLines(stream: Readable, onLine: (line: string) => void, onClose: () => void): void {
  const lines = new LineSplitter(onLine);
  stream.on('data', (c: Buffer) => lines.push(c));
  stream.on('error', () => {});
  stream.on('close', () => {
    lines.end();
    onClose();
  });
}
