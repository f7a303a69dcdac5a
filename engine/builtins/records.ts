/**
 * Record I/O shared by the built-in stages. A built-in is a process of its own: it reads NDJSON
 * records on stdin (one JSON value per line) and writes NDJSON on stdout, like any `run:` stage,
 * so the engine joins it with real pipes and measures it from /proc like any other stage.
 *
 * Lean on purpose (Node on the data path is expensive: bench/README.md): stdin is read in chunks,
 * lines are found with `Buffer.indexOf`, a line longer than a chunk is joined once (no
 * quadratic copying), output is batched per input chunk and written with backpressure.
 */
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';

/** Exit status of a stage whose reader went away first: 128 + SIGPIPE, as a shell reports it. */
export const brokenPipeStatus = 141;

const newline = 0x0a;

/**
 * Why a built-in stops. `status` 2 = its options are wrong, 1 = its input or files are. The
 * message is one line for people: what happened and what to do (the engine adds the stage name).
 */
export class StageError extends Error {
  constructor(
    message: string,
    readonly status: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** `err.message` of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isBrokenPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED';
}

/** Writes a line to stderr, synchronously (it must not be lost by an exit right after). */
export function warn(line: string): void {
  try {
    fs.writeSync(2, line.endsWith('\n') ? line : `${line}\n`);
  } catch {
    // stderr gone: nothing left to tell
  }
}

/**
 * Batched output to a writable stream (stdout by default). Records are pushed as strings or
 * byte ranges; `flush()` writes them as one chunk and waits while the reader is slower
 * (`write()` returned false → 'drain'), so memory stays flat whatever the speeds.
 */
export class Output {
  private parts: (string | Buffer)[] = [];
  private strings = true;
  /** Bytes (or UTF-16 units) waiting; a hint for when to flush, not an exact count. */
  size = 0;

  /** `encoding` turns pushed strings into bytes: `latin1` for text made one character per byte (bytes.ts). */
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly encoding: BufferEncoding = 'utf8',
  ) {}

  push(data: string | Buffer): void {
    if (data.length === 0) return;
    if (typeof data !== 'string') this.strings = false;
    this.parts.push(data);
    this.size += data.length;
  }

  /** Pushes `buf[start, end)` as one record line, adding the newline when `buf[end]` is not one. */
  pushLine(buf: Buffer, start: number, end: number): void {
    if (buf[end] === newline) this.push(buf.subarray(start, end + 1));
    else {
      this.push(buf.subarray(start, end));
      this.push('\n');
    }
  }

  private take(): string | Buffer | undefined {
    const parts = this.parts;
    if (parts.length === 0) return undefined;
    const data =
      parts.length === 1
        ? parts[0]
        : this.strings
          ? parts.join('')
          : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, this.encoding) : p)));
    this.parts = [];
    this.strings = true;
    this.size = 0;
    return data;
  }

  /** Writes what is pending; resolves when the stream can take more. */
  async flush(): Promise<void> {
    const data = this.take();
    if (data === undefined) return;
    if (!this.write(data)) await drained(this.stream);
  }

  /** Writes what is pending and resolves once everything written so far has left the process. */
  async finish(): Promise<void> {
    const data = this.take() ?? '';
    await new Promise<void>((resolve) => this.write(data, () => resolve()));
  }

  private write(data: string | Buffer, done?: () => void): boolean {
    return typeof data === 'string' ? this.stream.write(data, this.encoding, done) : this.stream.write(data, done);
  }
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done); // the 'error' handler of stdout ends the process
  });
}

/** The built-in's standard output. */
export const stdout = new Output(process.stdout);

/**
 * Called with each record line: `buf[start, end)` without its newline (`buf[end]` is the
 * newline when there is one), and the record's number, counting from 1. Return `false` to stop
 * reading.
 */
export type LineHandler = (buf: Buffer, start: number, end: number, n: number) => boolean | void;

/** True for a line holding nothing but an optional `\r` (blank lines are not records). */
function isBlank(buf: Buffer, start: number, end: number): boolean {
  return end === start || (end === start + 1 && buf[start] === 0x0d);
}

/**
 * Reads `input` to its end (or until `onLine` returns false), calling `onLine` for every
 * non-blank line. A final line without a newline is a record too. After each chunk's lines the
 * pending output is flushed, so records flow on as they come and backpressure reaches upstream.
 * Returns the number of records seen.
 */
export async function eachLine(input: AsyncIterable<Buffer>, onLine: LineHandler, out: Output = stdout): Promise<number> {
  let n = 0;
  /** Pieces of a line that has not ended yet (a huge record spans many chunks). */
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const chunk of input) {
    let start = 0;
    let nl = chunk.indexOf(newline);
    if (pending.length > 0) {
      if (nl < 0) {
        pending.push(chunk);
        pendingSize += chunk.length;
        continue;
      }
      // Joined once, with its newline, when the line finally ends: linear in its size.
      const line = Buffer.concat([...pending, chunk.subarray(0, nl + 1)], pendingSize + nl + 1);
      pending = [];
      pendingSize = 0;
      if (!isBlank(line, 0, line.length - 1) && onLine(line, 0, line.length - 1, ++n) === false) return n;
      start = nl + 1;
      nl = chunk.indexOf(newline, start);
    }
    while (nl >= 0) {
      if (!isBlank(chunk, start, nl) && onLine(chunk, start, nl, ++n) === false) return n;
      start = nl + 1;
      nl = chunk.indexOf(newline, start);
    }
    if (start < chunk.length) {
      pending.push(start === 0 ? chunk : chunk.subarray(start));
      pendingSize += chunk.length - start;
    }
    if (out.size > 0) await out.flush();
  }
  if (pending.length > 0) {
    const line = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize);
    if (!isBlank(line, 0, line.length)) onLine(line, 0, line.length, ++n);
  }
  return n;
}

/** Standard input as a stream of Buffers. */
export function stdinChunks(): AsyncIterable<Buffer> {
  return process.stdin as AsyncIterable<Buffer>;
}

/**
 * Process-wide behaviour every built-in shares: a reader that went away (EPIPE on stdout, or
 * SIGPIPE sent by the engine) ends the process quietly with status 141, which the engine reports
 * as "stopped early"; SIGTERM/SIGINT/SIGHUP end it with 128 + N after the 'exit' handlers ran
 * (so `write` can remove its temporary file). Node ignores SIGPIPE by default, hence the handler.
 */
export function installProcessHandlers(): void {
  process.stdout.on('error', (err) => {
    if (isBrokenPipe(err)) process.exit(brokenPipeStatus);
    warn(`cannot write to standard output: ${messageOf(err)}`);
    process.exit(1);
  });
  process.stdin.on('error', (err) => {
    // Leaving a `for await` over stdin early (head is done, a record failed) aborts the read.
    if ((err as NodeJS.ErrnoException).code === 'ABORT_ERR') return;
    // A writer that vanished mid-record is the upstream stage's failure, reported for it.
    if (isBrokenPipe(err)) process.exit(brokenPipeStatus);
    warn(`cannot read standard input: ${messageOf(err)}`);
    process.exit(1);
  });
  const signals: [NodeJS.Signals, number][] = [
    ['SIGPIPE', brokenPipeStatus],
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ];
  for (const [signal, status] of signals) process.on(signal, () => process.exit(status));
}

/** What a stage does with a record it cannot handle: stop the run, drop the record, or pass it on unchanged. */
export type OnError = 'fail' | 'skip' | 'keep';

/** Counts record problems under `onError`: `fail` stops at the first, `skip` drops and `keep` passes on, counting them. */
export class RecordProblems {
  private count = 0;
  private first: string | undefined;
  /** Individual messages printed before only the summary is left to tell. */
  private static readonly shown = 3;

  /** `canKeep`: the stage offers `onError: keep`, so the advice on a failure names it. */
  constructor(
    private readonly policy: OnError,
    private readonly canKeep = false,
  ) {}

  /**
   * A record could not be handled: with `fail` this throws (the run stops, naming the record);
   * otherwise it is counted, and the answer says whether to pass it on unchanged (`keep`).
   */
  report(n: number, what: string, fix: string): boolean {
    if (this.policy === 'fail') {
      const keep = this.canKeep ? ' (or `onError: keep` to pass them on unchanged)' : '';
      throw new StageError(`record ${n} ${what}; ${fix}, or set \`onError: skip\` to drop such records${keep}`);
    }
    this.count++;
    this.first ??= `record ${n} ${what}`;
    if (this.count <= RecordProblems.shown) warn(`${this.policy === 'keep' ? `kept record ${n} unchanged` : `skipped record ${n}`}: it ${what}`);
    return this.policy === 'keep';
  }

  /** The summary line, printed once at the end (nothing when every record was handled). */
  summary(total: number): void {
    const done = this.policy === 'keep' ? 'kept unchanged' : 'skipped';
    if (this.count > 0) warn(`${done} ${this.count} of ${total} records (onError: ${this.policy}); the first: ${this.first ?? ''}`);
  }
}

/** Why a record is not valid JSON, for messages: "is not valid JSON (Unexpected token …)". */
export function notJson(err: unknown): string {
  return `is not valid JSON (${messageOf(err)})`;
}

/**
 * Called for each record that parsed; `buf[start, end)` holds its line, for stages that pass it on
 * unchanged. `raw`: the line is not valid UTF-8 and was decoded one character per byte (bytes.ts).
 */
export type RecordHandler = (r: unknown, n: number, problems: RecordProblems, buf: Buffer, start: number, end: number, raw: boolean) => void;

/**
 * Each stdin line parsed as JSON, for the stages that work on records. A line that is not JSON
 * goes to the stage's `onError` policy (`keep` passes it on as it is); the summary comes at the
 * end. With `keepBytes`, a line that is not valid UTF-8 is read one character per byte instead of
 * having its bad bytes replaced, so a stage can write them back as they were (`rawBytes`).
 */
export async function eachRecord(problems: RecordProblems, onRecord: RecordHandler, keepBytes = false): Promise<void> {
  const total = await eachLine(stdinChunks(), recordLines(problems, onRecord, keepBytes));
  problems.summary(total);
}

/** The line handler of `eachRecord`, for a stage that looks at a line before it is parsed (count's cache). */
export function recordLines(problems: RecordProblems, onRecord: RecordHandler, keepBytes = false): LineHandler {
  return (buf, start, end, n) => {
    let text = buf.toString('utf8', start, end);
    let raw = false;
    if (keepBytes && text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) {
      text = buf.toString('latin1', start, end);
      raw = true;
    }
    let r: unknown;
    try {
      r = JSON.parse(text);
    } catch (err) {
      if (problems.report(n, notJson(err), 'fix the stage that writes it')) stdout.pushLine(buf, start, end);
      return;
    }
    onRecord(r, n, problems, buf, start, end, raw);
  };
}
