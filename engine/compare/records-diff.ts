// Which records of two outputs (NDJSON or any lines) are only in the first, only in the second,
// or — matched by a key field — changed, and in which fields. Streams: GNU sort orders each file
// (spilling to disk past its buffer), and one merge pass walks both sorted streams, so memory
// holds the counts and a few examples whatever the size. No vscode here.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { changedFields, keyOf } from './record-fields';

export interface RecordExample {
  /** The record's number in its file, from 1. */
  n: number;
  line: string;
}

export interface ChangedExample {
  /** The key's value, as JSON. */
  key: string;
  a: RecordExample;
  b: RecordExample;
  /** Dotted paths of the fields that differ (`status`, `user.name`). */
  fields: string[];
}

export interface RecordsComparison {
  /** The key field, when records were matched by it. */
  key?: string | undefined;
  recordsA: number;
  recordsB: number;
  onlyInA: number;
  onlyInB: number;
  /** With a key: records whose key is in both files but whose line differs. */
  changed: number;
  same: number;
  /** With a key: records that are not JSON objects holding it (compared as whole lines). */
  unkeyed: number;
  /** A few of each kind: the first in sort order (by line, or by key), listed by record number. */
  examples: { onlyInA: RecordExample[]; onlyInB: RecordExample[]; changed: ChangedExample[] };
  /** Per field (dotted path), how many changed records differ in it, most first. */
  changedFields: { field: string; records: number }[];
}

export interface RecordsDiffOptions {
  /** Match records by this field (dotted for nested: `user.id`); without it, whole lines are compared. */
  key?: string | undefined;
  /** Examples kept of each kind (default 5). */
  examples?: number | undefined;
  /** GNU sort's main-memory buffer per file (`sort -S`): what bounds memory. */
  sortBuffer?: string | undefined;
}

/** Sort by bytes, whatever the user's locale: the merge compares the same way (latin1 strings are bytes). */
const sortEnv = { ...process.env, LC_ALL: 'C' };
const defaultBuffer = '32M';

/** Lines of a stream as latin1 strings (one char per byte, so `<` is byte order), pulled a chunk at a time. */
class LineCursor {
  private lines: string[] = [];
  private i = 0;
  private rest = '';
  done = false;
  private readonly chunks: AsyncIterator<string>;
  private coming: Promise<IteratorResult<string>>;

  constructor(private readonly stream: Readable) {
    stream.setEncoding('latin1');
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
    // Read at once: a child's stdout that nobody listens to when the child exits is drained and
    // lost (Node's child_process resumes it), and a stream's iterator only listens once asked.
    this.coming = this.pull();
  }

  /** The next chunk, asked for now; a failure surfaces where it is awaited (`fill`), not as an unhandled rejection meanwhile. */
  private pull(): Promise<IteratorResult<string>> {
    const next = this.chunks.next();
    next.catch(() => undefined);
    return next;
  }

  /** Stops reading (the rest is not needed). */
  close(): void {
    this.done = true;
    this.stream.destroy();
  }

  /** The next line, or undefined at the end; call `fill` first when it says it needs to. */
  get head(): string | undefined {
    return this.lines[this.i];
  }

  get empty(): boolean {
    return this.i >= this.lines.length;
  }

  shift(): void {
    this.i++;
  }

  /** Reads chunks until a line is there or the stream has ended. */
  async fill(): Promise<void> {
    while (this.empty && !this.done) {
      const r = await this.coming;
      if (r.done) {
        this.done = true;
        this.lines = this.rest === '' ? [] : [this.rest];
        this.i = 0;
        this.rest = '';
        return;
      }
      this.coming = this.pull();
      const parts = (this.rest + r.value).split('\n');
      this.rest = parts.pop()!;
      this.lines = parts;
      this.i = 0;
    }
  }
}

const byNumber = (x: RecordExample, y: RecordExample) => x.n - y.n;
/**
 * Walks two streams sorted by `keyOf` (byte order) side by side: a line whose key the other side
 * has not reached is only on its side; lines with the same key pair up in order.
 */
async function walk(
  ca: LineCursor,
  cb: LineCursor,
  keyOf: (line: string) => string,
  on: { onlyA(x: string): void; onlyB(y: string): void; both(x: string, y: string): void },
): Promise<void> {
  for (;;) {
    if (ca.empty) await ca.fill();
    if (cb.empty) await cb.fill();
    const x = ca.head;
    const y = cb.head;
    if (x === undefined && y === undefined) return;
    const kx = x === undefined ? undefined : keyOf(x);
    const ky = y === undefined ? undefined : keyOf(y);
    if (ky === undefined || (kx !== undefined && kx < ky)) {
      on.onlyA(x!);
      ca.shift();
    } else if (kx === undefined || ky < kx) {
      on.onlyB(y!);
      cb.shift();
    } else {
      on.both(x!, y!);
      ca.shift();
      cb.shift();
    }
  }
}

const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');

/** GNU sort with `args` (files, or its stdin); `ended` resolves when it has ended well. */
function sorter(args: string[], buffer: string): { child: ChildProcessWithoutNullStreams; ended: Promise<void> } {
  const child = spawn('sort', ['-S', buffer, ...args], { env: sortEnv });
  let err = '';
  // A sort that failed closes its stdin: the failure is reported from its exit, not from the write.
  child.stdin.on('error', () => undefined);
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d.slice(0, 2000)));
  const ended = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'ENOENT' ? 'GNU sort was not found on PATH (Debian: coreutils)' : `sort could not start: ${e.message}`)),
    );
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`sort failed (${signal ?? `exit ${code}`}): ${err.trim()}`))));
  });
  return { child, ended };
}

function readable(file: string): void {
  try {
    if (fs.statSync(file).isDirectory()) throw new Error('it is a folder');
    fs.accessSync(file, fs.constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

/** Compares the records of files `a` and `b`. Rejects with a message naming the file when one cannot be read. */
export async function compareRecords(a: string, b: string, options: RecordsDiffOptions = {}): Promise<RecordsComparison> {
  readable(a);
  readable(b);
  return options.key === undefined ? compareLines(a, b, options) : compareKeyed(a, b, options.key, options);
}

function emptyComparison(key: string | undefined): RecordsComparison {
  return {
    key,
    recordsA: 0,
    recordsB: 0,
    onlyInA: 0,
    onlyInB: 0,
    changed: 0,
    same: 0,
    unkeyed: 0,
    examples: { onlyInA: [], onlyInB: [], changed: [] },
    changedFields: [],
  };
}

async function compareLines(a: string, b: string, options: RecordsDiffOptions): Promise<RecordsComparison> {
  const max = options.examples ?? 5;
  const buffer = options.sortBuffer ?? defaultBuffer;
  const sa = sorter([a], buffer);
  const sb = sorter([b], buffer);
  sa.child.stdin.end();
  sb.child.stdin.end();
  const ca = new LineCursor(sa.child.stdout);
  const cb = new LineCursor(sb.child.stdout);
  const r = emptyComparison(undefined);
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  try {
    await walk(ca, cb, (line) => line, {
      onlyA: (x) => {
        r.onlyInA++;
        if (onlyA.length < max) onlyA.push(x);
      },
      onlyB: (y) => {
        r.onlyInB++;
        if (onlyB.length < max) onlyB.push(y);
      },
      both: () => r.same++,
    });
    await Promise.all([sa.ended, sb.ended]);
  } finally {
    sa.child.kill();
    sb.child.kill();
  }
  r.recordsA = r.same + r.onlyInA;
  r.recordsB = r.same + r.onlyInB;
  // Sorting lost the record numbers: one more pass finds the examples' first places.
  const [na, nb] = await Promise.all([placesOf(a, onlyA), placesOf(b, onlyB)]);
  r.examples.onlyInA = onlyA.map((l) => ({ n: na.get(l) ?? 0, line: utf8(l) })).sort(byNumber);
  r.examples.onlyInB = onlyB.map((l) => ({ n: nb.get(l) ?? 0, line: utf8(l) })).sort(byNumber);
  return r;
}

/** The number (from 1) of the first line of `file` equal to each of `wanted` (latin1 strings). */
async function placesOf(file: string, wanted: string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (wanted.length === 0) return found;
  const want = new Set(wanted);
  const cursor = new LineCursor(fs.createReadStream(file));
  for (let n = 1; ; n++) {
    if (cursor.empty) await cursor.fill();
    const line = cursor.head;
    if (line === undefined) break;
    cursor.shift();
    if (want.delete(line)) found.set(line, n);
    if (want.size === 0) break;
  }
  cursor.close();
  return found;
}

/**
 * Writes `KEY\tN\tLINE` for each line of `file` into `out` (sort's stdin), with backpressure.
 * KEY is the key's JSON (JSON escapes tabs, so the first tab ends it), or `~` and the line's JSON
 * for a record without the key, so such records only match an identical line.
 */
async function decorate(file: string, key: string, out: NodeJS.WritableStream): Promise<number> {
  let unkeyed = 0;
  let n = 0;
  let rest = '';
  const write = (s: string) => (out.write(s) ? undefined : new Promise<void>((resolve) => out.once('drain', resolve)));
  const line = (l: string) => {
    n++;
    const k = keyOf(l, key);
    if (k === undefined) unkeyed++;
    return `${k ?? `~${JSON.stringify(l)}`}\t${n}\t${l}\n`;
  };
  for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' })) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop()!;
    const wait = write(parts.map(line).join(''));
    if (wait) await wait;
  }
  if (rest !== '') await write(line(rest));
  out.end();
  return unkeyed;
}

interface Keyed {
  key: string;
  n: number;
  line: string;
}

/** `KEY\tN\tLINE` (latin1) as its parts; the line back in UTF-8. */
function keyed(s: string): Keyed {
  const t1 = s.indexOf('\t');
  const t2 = s.indexOf('\t', t1 + 1);
  return { key: s.slice(0, t1), n: Number(s.slice(t1 + 1, t2)), line: utf8(s.slice(t2 + 1)) };
}

const example = (k: Keyed): RecordExample => ({ n: k.n, line: k.line });
const keyOfDecorated = (s: string) => s.slice(0, s.indexOf('\t'));

async function compareKeyed(a: string, b: string, key: string, options: RecordsDiffOptions): Promise<RecordsComparison> {
  const max = options.examples ?? 5;
  const buffer = options.sortBuffer ?? defaultBuffer;
  // Stable sort on the key alone: records with one key stay in file order, and pair up in that order.
  const args = ['-s', '-t', '\t', '-k1,1'];
  const sa = sorter(args, buffer);
  const sb = sorter(args, buffer);
  const r = emptyComparison(key);
  const fields = new Map<string, number>();
  const ca = new LineCursor(sa.child.stdout);
  const cb = new LineCursor(sb.child.stdout);
  try {
    const fed = Promise.all([decorate(a, key, sa.child.stdin), decorate(b, key, sb.child.stdin)]);
    // A file that fails half-way must not leave the sorts waiting for the rest of it.
    fed.catch(() => {
      sa.child.kill();
      sb.child.kill();
    });
    await walk(ca, cb, keyOfDecorated, {
      onlyA: (x) => {
        r.onlyInA++;
        if (r.examples.onlyInA.length < max) r.examples.onlyInA.push(example(keyed(x)));
      },
      onlyB: (y) => {
        r.onlyInB++;
        if (r.examples.onlyInB.length < max) r.examples.onlyInB.push(example(keyed(y)));
      },
      both: (x, y) => {
        const ra = keyed(x);
        const rb = keyed(y);
        if (ra.line === rb.line) r.same++;
        else {
          r.changed++;
          const diff = changedFields(ra.line, rb.line);
          for (const f of diff) fields.set(f, (fields.get(f) ?? 0) + 1);
          if (r.examples.changed.length < max) r.examples.changed.push({ key: utf8(keyOfDecorated(x)), a: example(ra), b: example(rb), fields: diff });
        }
      },
    });
    const [ua, ub] = await fed;
    r.unkeyed = ua + ub;
    await Promise.all([sa.ended, sb.ended]);
  } finally {
    sa.child.kill();
    sb.child.kill();
  }
  r.recordsA = r.same + r.changed + r.onlyInA;
  r.recordsB = r.same + r.changed + r.onlyInB;
  r.examples.onlyInA.sort(byNumber);
  r.examples.onlyInB.sort(byNumber);
  r.examples.changed.sort((x, y) => x.b.n - y.b.n);
  r.changedFields = [...fields].map(([field, records]) => ({ field, records })).sort((x, y) => y.records - x.records || (x.field < y.field ? -1 : 1));
  return r;
}
