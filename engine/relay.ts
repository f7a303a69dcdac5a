/**
 * Node on the data path, only where it must be (docs/engine.md, "Relays"): between two segments
 * when an edge is tapped (record counts + samples for peeking), and around a stage with
 * `workers: N` (a dealer that hands whole records to the least busy copy, a merger that joins
 * their outputs on line boundaries, optionally in input order). Every buffer is bounded: a
 * target that cannot take more pauses its source (write → false → wait for 'drain').
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { EdgeMeter } from './edges';
import { countNewlines, lastLines, scanNewlines } from './lines';

// ---- peeking ----------------------------------------------------------------------------------

/** Records seen on one stage's output edge so far, and the most recent of them. */
export interface EdgePeek {
  stage: string;
  /** Records (lines; a last line without newline counts) that went over the edge so far: exact once the run has ended. */
  records: number;
  bytes: number;
  /** The most recent records, oldest first, most recent last: at most 20, each at most 4096 characters (cut longer ones), without the newline. */
  samples: string[];
}

export const maxSamples = 20;
export const maxSampleChars = 4096;
/** Bytes kept of one sample (UTF-8 may need up to 4 per character); cut to maxSampleChars on peek. */
const maxSampleBytes = maxSampleChars * 4;

function capped(b: Buffer): Buffer {
  return Buffer.from(b.length > maxSampleBytes ? b.subarray(0, maxSampleBytes) : b);
}

/**
 * Counts the records on an edge with Buffer.indexOf and keeps a ring of recent ones. Cheap per
 * chunk: when a chunk holds more than `maxSamples` whole records, only a reference to it is kept
 * and the samples are cut out of it when someone peeks (or a later chunk needs the ring).
 */
export class EdgeTap {
  records = 0;
  bytes = 0;
  private ring: Buffer[] = [];
  /** The newest chunk that alone holds the last maxSamples records (up to its newline at `end`). */
  private lazy: { chunk: Buffer; end: number } | undefined;
  /** Start of a record whose newline has not come yet (capped). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private inRecord = false;

  constructor(readonly stage: string) {}

  observe(chunk: Buffer): void {
    this.bytes += chunk.length;
    const { count: n, last } = scanNewlines(chunk);
    if (n === 0) {
      this.keepPartial(chunk);
      return;
    }
    this.records += n;
    if (n > maxSamples) {
      // The last maxSamples records lie between this chunk's newlines: cut them out later.
      this.lazy = { chunk, end: last };
      this.ring = [];
    } else {
      this.materialize();
      // The records that ended in this chunk; the first began in an earlier chunk (or here).
      const found = lastLines(chunk, last, maxSamples).map(([start, end]) =>
        start === 0 ? this.partialWith(chunk.subarray(0, end)) : capped(chunk.subarray(start, end)),
      );
      this.ring.push(...found);
      if (this.ring.length > maxSamples) this.ring.splice(0, this.ring.length - maxSamples);
    }
    this.partial = [];
    this.partialBytes = 0;
    this.inRecord = false;
    this.keepPartial(chunk.subarray(last + 1));
  }

  /** The edge ended: a last record without newline is a record. */
  end(): void {
    if (!this.inRecord) return;
    this.materialize();
    this.records++;
    this.ring.push(this.partialWith(Buffer.alloc(0)));
    if (this.ring.length > maxSamples) this.ring.shift();
    this.partial = [];
    this.partialBytes = 0;
    this.inRecord = false;
  }

  peek(): EdgePeek {
    this.materialize();
    return { stage: this.stage, records: this.records, bytes: this.bytes, samples: this.ring.map(sampleText) };
  }

  private materialize(): void {
    const lazy = this.lazy;
    if (!lazy) return;
    this.lazy = undefined;
    this.ring = lastLines(lazy.chunk, lazy.end, maxSamples).map(([start, end]) => capped(lazy.chunk.subarray(start, end)));
  }

  private keepPartial(b: Buffer): void {
    if (b.length === 0) return;
    this.inRecord = true;
    const room = maxSampleBytes - this.partialBytes;
    if (room <= 0) return;
    const kept = Buffer.from(b.length > room ? b.subarray(0, room) : b);
    this.partial.push(kept);
    this.partialBytes += kept.length;
  }

  private partialWith(rest: Buffer): Buffer {
    if (this.partial.length === 0) return capped(rest);
    return capped(Buffer.concat([...this.partial, rest.subarray(0, maxSampleBytes)]));
  }
}

function sampleText(b: Buffer): string {
  let s = b.toString('utf8');
  if (s.endsWith('\r')) s = s.slice(0, -1);
  if (s.length > maxSampleChars) {
    s = s.slice(0, maxSampleChars);
    const c = s.charCodeAt(s.length - 1);
    if (c >= 0xd800 && c <= 0xdbff) s = s.slice(0, -1);
  }
  return s;
}

// ---- sources and targets ----------------------------------------------------------------------

/** Pauses a stream while any reason holds (backpressure of a target, a slow event reader, reordering). */
export class Valve {
  private readonly reasons = new Set<string>();

  constructor(private readonly stream: () => Readable | undefined) {}

  pause(reason: string): void {
    this.reasons.add(reason);
    this.stream()?.pause();
  }

  resume(reason: string): void {
    if (!this.reasons.delete(reason) || this.reasons.size > 0) return;
    this.stream()?.resume();
  }

  get paused(): boolean {
    return this.reasons.size > 0;
  }
}

/** Bytes the engine reads from one side of an edge. */
export interface Source {
  /** Set by `connect`. */
  onData: (chunk: Buffer) => void;
  onEnd: () => void;
  pause(reason: string): void;
  resume(reason: string): void;
}

/** Where the engine writes them. */
export interface Target {
  /** False: stop writing until `whenDrained` calls back. */
  write(chunk: Buffer): boolean;
  whenDrained(cb: () => void): void;
  end(): void;
}

/** Source → (tap) → target, with write/drain backpressure; `meter` counts the edge (engine/edges.ts). */
export function connect(source: Source, target: Target, tap?: EdgeTap, meter?: EdgeMeter): void {
  let waiting = false;
  source.onData = (chunk) => {
    tap?.observe(chunk);
    meter?.observe(chunk);
    if (target.write(chunk) || waiting) return;
    waiting = true;
    source.pause('target');
    target.whenDrained(() => {
      waiting = false;
      source.resume('target');
    });
  };
  source.onEnd = () => {
    tap?.end();
    meter?.end();
    target.end();
  };
}

/** A file descriptor the engine reads itself (the run's stdin, dealt to a first stage's workers). */
export function fdReadable(fd: number): Readable {
  const st = fs.fstatSync(fd);
  // A pipe or socket is read without blocking a thread-pool thread (a cancelled run must not hang on it).
  if (st.isFIFO() || st.isSocket()) return new net.Socket({ fd, readable: true, writable: false });
  return fs.createReadStream('', { fd, autoClose: false });
}

/** One readable (a segment's last stdout): its data handlers are called by the segment. */
export class StreamSource implements Source {
  onData: (chunk: Buffer) => void = () => {};
  onEnd: () => void = () => {};
  private readonly valve: Valve;

  constructor(stream: () => Readable | undefined) {
    this.valve = new Valve(stream);
  }

  pause(reason: string): void {
    this.valve.pause(reason);
  }

  resume(reason: string): void {
    this.valve.resume(reason);
  }
}

/** One writable (a segment's input). */
export class StreamTarget implements Target {
  private ended = false;

  constructor(private readonly stream: Writable | undefined) {}

  write(chunk: Buffer): boolean {
    const s = this.stream;
    if (!s || s.destroyed || this.ended) return true; // gone: the run stops the source
    return s.write(chunk);
  }

  whenDrained(cb: () => void): void {
    const s = this.stream;
    if (!s || s.destroyed) return cb();
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      cb();
    };
    s.on('drain', done);
    s.on('close', done);
  }

  end(): void {
    this.ended = true;
    if (this.stream && !this.stream.destroyed) this.stream.end();
  }
}

// ---- workers ----------------------------------------------------------------------------------

/** Ordered mode: one piece of input dealt to one copy (numbered in dealing order), and its answers so far. */
interface Block {
  no: number;
  copy: number;
  /** Output lines still expected from the copy for this block. */
  remaining: number;
  parts: Buffer[];
  bytes: number;
}

/**
 * Deals whole records to N copies: each piece written to a copy ends on a newline, and a record
 * cut across upstream chunks goes to the copy that got its start. The copy picked is the least
 * busy: one whose write queue is not over its high-water mark, shortest queue first (round robin
 * among equals). When every live copy is full, `write` returns false until one drains.
 */
export class Dealer implements Target {
  /** The copy that got the start of a record whose newline has not come yet. */
  private locked: number | undefined;
  private next = 0;
  private readonly gone: boolean[];
  private ended = false;

  /** whenDrained callbacks still waiting: a copy that starts (`wake`) may take input now. */
  private readonly sleepers = new Set<() => void>();
  /** Input that came while every copy left was waiting to start, and whether it has ended since. */
  private readonly held: Buffer[] = [];
  private endHeld = false;

  constructor(
    private readonly inputs: readonly (Writable | undefined)[],
    /** Ordered mode: told how many records each piece handed to a copy started (in input order). */
    private readonly assigned?: (copy: number, records: number) => void,
    /**
     * Copies not started yet (waiting for Slurm, engine/slurm.ts), kept up to date by the caller:
     * they get nothing, so that records never wait in a queued copy while running ones could take
     * them (with fewer CPUs than copies, the queued ones start only once the others have ended).
     */
    private readonly waiting: readonly boolean[] = [],
    /** Each piece as it goes to a copy (the copy's own counts). */
    private readonly sent?: (copy: number, piece: Buffer) => void,
  ) {
    this.gone = inputs.map((s) => !s);
  }

  /** A waiting copy has started: input may go to it now (first what came while none could take it). */
  wake(): void {
    if (!this.holding()) {
      for (const chunk of this.held.splice(0)) this.deal(chunk);
      if (this.endHeld) this.end();
    }
    // A copy: a callback may wait again (a new sleeper) before this loop ends.
    for (const cb of Array.from(this.sleepers)) cb();
  }

  /** No copy takes input, but some are still to start: input waits here. */
  private holding(): boolean {
    return this.waiting.some((w, i) => w && !this.gone[i]) && !this.inputs.some((_, i) => this.takes(i));
  }

  private takes(i: number): boolean {
    const s = this.inputs[i];
    return !this.gone[i] && !this.waiting[i] && s !== undefined && !s.destroyed;
  }

  /** A copy cannot take input any more (it exited, or its input broke). */
  markGone(copy: number): void {
    this.gone[copy] = true;
    if (this.locked === copy) this.locked = undefined;
  }

  get allGone(): boolean {
    return this.gone.every(Boolean);
  }

  private pick(): number | undefined {
    let best: number | undefined;
    let bestScore = Infinity;
    const n = this.inputs.length;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const s = this.inputs[i];
      if (!this.takes(i) || !s) continue;
      const score = (s.writableNeedDrain ? 1e15 : 0) + s.writableLength;
      if (score < bestScore) {
        best = i;
        bestScore = score;
      }
    }
    if (best !== undefined) this.next = (best + 1) % n;
    return best;
  }

  private send(copy: number, piece: Buffer, records: number): void {
    const s = this.inputs[copy];
    if (!s || s.destroyed || this.gone[copy]) return;
    s.write(piece);
    this.sent?.(copy, piece);
    if (records > 0) this.assigned?.(copy, records);
  }

  write(chunk: Buffer): boolean {
    if (this.held.length > 0 || this.holding()) {
      this.held.push(chunk);
      return false;
    }
    this.deal(chunk);
    return this.canTakeMore();
  }

  private deal(chunk: Buffer): void {
    let start = 0;
    if (this.locked !== undefined) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.send(this.locked, chunk, 0);
        return;
      }
      this.send(this.locked, chunk.subarray(0, nl + 1), 0); // counted when its start was sent
      this.locked = undefined;
      start = nl + 1;
    }
    if (start < chunk.length) {
      const last = chunk.lastIndexOf(10);
      if (last >= start) {
        const copy = this.pick();
        if (copy !== undefined) this.send(copy, chunk.subarray(start, last + 1), this.assigned ? countNewlines(chunk, start, last + 1) : 0);
        start = last + 1;
      }
      if (start < chunk.length) {
        const copy = this.pick();
        if (copy !== undefined) {
          // A copy may echo the start of a record before its end arrives: it is its record from now.
          this.send(copy, chunk.subarray(start), 1);
          this.locked = copy;
        }
      }
    }
  }

  private canTakeMore(): boolean {
    if (this.held.length > 0) return false;
    if (this.locked !== undefined) return !this.inputs[this.locked]!.writableNeedDrain;
    return this.inputs.some((s, i) => s && this.takes(i) && !s.writableNeedDrain) || this.allGone;
  }

  whenDrained(cb: () => void): void {
    let called = false;
    const listeners: (() => void)[] = [];
    const done = () => {
      if (called || !this.canTakeMore()) return;
      called = true;
      listeners.forEach((off) => off());
      this.sleepers.delete(done);
      cb();
    };
    this.sleepers.add(done);
    this.inputs.forEach((s) => {
      if (!s) return;
      s.on('drain', done);
      s.on('close', done);
      listeners.push(() => {
        s.off('drain', done);
        s.off('close', done);
      });
    });
    done();
  }

  /** Upstream ended: every copy's input ends (a last record without newline went where its start went). */
  end(): void {
    if (this.held.length > 0) {
      this.endHeld = true;
      return;
    }
    if (this.ended) return;
    this.ended = true;
    this.locked = undefined;
    for (const s of this.inputs) if (s && !s.destroyed) s.end();
  }
}

/**
 * Merges the outputs of N copies into one stream of whole lines. Unordered: each copy's output
 * is passed on up to its last newline, as it comes (a copy's last line without newline gets
 * one). Ordered: every line a copy writes answers the oldest input line it holds (the dealer
 * says which), and lines are passed on in input order; output that arrives ahead of its turn is
 * held, up to `windowBytes` — beyond that every copy but the one whose output is due next is
 * paused (its pipes fill, so the dealer feeds the late copy instead).
 */
export class Merger implements Source {
  onData: (chunk: Buffer) => void = () => {};
  onEnd: () => void = () => {};
  private readonly valves: Valve[];
  private readonly partial: Buffer[][];
  private readonly open: boolean[];
  private endedAll = false;
  // ordered mode
  private readonly queues: Block[][];
  /** Ordered mode: the copy's output so far ends inside a line. */
  private readonly midLine: boolean[];
  private readonly blocks = new Map<number, Block>();
  private nextBlock = 0;
  private dealt = 0;
  private held = 0;

  constructor(
    streams: readonly (() => Readable | undefined)[],
    private readonly ordered: boolean,
    private readonly windowBytes: number,
    /** A copy broke the one-line-out-per-line-in rule of ordered mode (`atEnd`: found when its output ended). */
    private readonly onMismatch: (copy: number, message: string, atEnd: boolean) => void,
  ) {
    this.valves = streams.map((s) => new Valve(s));
    this.partial = streams.map(() => []);
    this.open = streams.map(() => true);
    this.queues = streams.map(() => []);
    this.midLine = streams.map(() => false);
  }

  /** Bytes held for reordering now (bounded by about windowBytes + one chunk per copy). */
  get heldBytes(): number {
    return this.held;
  }

  pause(reason: string): void {
    for (const v of this.valves) v.pause(reason);
  }

  resume(reason: string): void {
    for (const v of this.valves) v.resume(reason);
  }

  /** From the dealer to the merger (ordered): `records` more input lines went to `copy`. */
  assigned(copy: number, records: number): void {
    const b: Block = { no: this.dealt++, copy, remaining: records, parts: [], bytes: 0 };
    this.queues[copy]!.push(b);
    this.blocks.set(b.no, b);
  }

  data(copy: number, chunk: Buffer): void {
    if (this.ordered) this.orderedData(copy, chunk);
    else this.unorderedData(copy, chunk);
  }

  closed(copy: number): void {
    if (!this.open[copy]) return;
    if (this.ordered && this.midLine[copy]) this.orderedData(copy, Buffer.from('\n'));
    const tail = this.partial[copy]!;
    if (tail.length > 0) {
      this.partial[copy] = [];
      const line = Buffer.concat([...tail, Buffer.from('\n')]);
      this.onData(line);
    }
    this.open[copy] = false;
    if (this.ordered) {
      const left = this.queues[copy]!.reduce((n, b) => n + b.remaining, 0);
      if (left > 0) this.onMismatch(copy, `wrote ${left} line${left === 1 ? '' : 's'} fewer than it read`, true);
    }
    if (!this.endedAll && this.open.every((o) => !o)) {
      this.endedAll = true;
      this.onEnd();
    }
  }

  private unorderedData(copy: number, chunk: Buffer): void {
    const last = chunk.lastIndexOf(10);
    const tail = this.partial[copy]!;
    if (last < 0) {
      tail.push(chunk);
      return;
    }
    const head = chunk.subarray(0, last + 1);
    const out = tail.length > 0 ? Buffer.concat([...tail, head]) : head;
    this.partial[copy] = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    this.onData(out);
  }

  private orderedData(copy: number, chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.midLine[copy] = chunk[chunk.length - 1] !== 10;
    const queue = this.queues[copy]!;
    let pos = 0;
    while (pos < chunk.length) {
      const b = queue[0];
      if (!b) {
        this.onMismatch(copy, 'wrote more lines than it read', false);
        return;
      }
      const { count: found, last } = scanNewlines(chunk, pos, chunk.length, b.remaining);
      const end = found === b.remaining ? last + 1 : chunk.length;
      const piece = chunk.subarray(pos, end);
      b.parts.push(piece);
      b.bytes += piece.length;
      this.held += piece.length;
      b.remaining -= found;
      pos = end;
      if (b.remaining === 0) queue.shift();
      else break;
    }
    this.emitInOrder();
  }

  private emitInOrder(): void {
    for (;;) {
      const b = this.blocks.get(this.nextBlock);
      if (!b || b.remaining > 0) break;
      this.blocks.delete(b.no);
      this.nextBlock++;
      this.held -= b.bytes;
      if (b.bytes > 0) this.onData(b.parts.length === 1 ? b.parts[0]! : Buffer.concat(b.parts, b.bytes));
    }
    const due = this.blocks.get(this.nextBlock)?.copy;
    this.valves.forEach((v, i) => {
      if (this.held > this.windowBytes && i !== due) v.pause('reorder');
      else if (this.held <= this.windowBytes / 2 || i === due) v.resume('reorder');
    });
  }
}
