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

/**
 * The one forward newline scanner: counts `\n` bytes in `buf[from, to)`, stopping after `max`;
 * `last` is the offset of the last one counted (-1 when none).
 */
export function scanNewlines(buf: Buffer, from = 0, to = buf.length, max = Infinity): { count: number; last: number } {
  let count = 0;
  let last = -1;
  for (let i = buf.indexOf(10, from); i >= 0 && i < to && count < max; i = buf.indexOf(10, i + 1)) {
    count++;
    last = i;
  }
  return { count, last };
}

/** Number of `\n` bytes in `buf` from `from` (exclusive end `to`). */
export function countNewlines(buf: Buffer, from = 0, to = buf.length): number {
  return scanNewlines(buf, from, to).count;
}

/** Offset just after the `n`th newline (n ≥ 1) of `buf`, or -1 when it has fewer. */
export function afterNthNewline(buf: Buffer, n: number): number {
  const { count, last } = scanNewlines(buf, 0, buf.length, n);
  return count === n ? last + 1 : -1;
}

/**
 * The one backward scanner: the last `n` lines of `buf` whose newline is at or before `lastNl`
 * (a newline's offset), as [start, end) ranges without the newline, oldest first. A line that
 * starts before `buf` (no newline before it) has start 0.
 */
export function lastLines(buf: Buffer, lastNl: number, n: number): [number, number][] {
  const found: [number, number][] = [];
  let end = lastNl;
  while (found.length < n && end >= 0) {
    // (A negative offset would search from the end of the buffer.)
    const prev = end > 0 ? buf.lastIndexOf(10, end - 1) : -1;
    found.push([prev + 1, end]);
    if (prev < 0) break;
    end = prev;
  }
  return found.reverse();
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
