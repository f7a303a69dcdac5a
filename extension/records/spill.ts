// A run's whole output, kept on disk while the run is in the history (the extension's storage),
// so "Save all records…" works after the run and the records of an earlier window can be read
// again. Writing waits for the disk (backpressure reaches the pipeline through the event stream);
// saving streams, so memory stays flat whatever the size. No vscode here.
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { RecordKeeper } from './keeper';
import { cellText, parseRecord } from './model';

/**
 * Chunks are written a megabyte at a time: one write per 64 KiB chunk is a call into the thread
 * pool each, and on a loaded machine the extension host's event loop lost the CPU in those calls
 * (0.4–0.7 s of a 1M-record run's profile; bench/typing.ts --host-profile, bench/spill.ts).
 */
const batchBytes = 1024 * 1024;

export class SpillFile {
  private readonly out: fs.WriteStream;
  private failed: Error | undefined;
  private batch: Buffer[] = [];
  private batched = 0;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.out = fs.createWriteStream(file);
    this.out.on('error', (e) => (this.failed = e));
  }

  /** Resolves when the chunk may be followed by the next (after a drain when the buffer is full). */
  async write(data: Buffer): Promise<void> {
    if (this.failed) return;
    this.batch.push(data);
    this.batched += data.length;
    if (this.batched < batchBytes) return;
    // events.once rejects on 'error' and removes its listeners either way.
    if (!this.flush()) await once(this.out, 'drain').catch(() => undefined);
  }

  /** Hands the batch to the stream as one write (corked: a single writev); false when the stream is full. */
  private flush(): boolean {
    const batch = this.batch;
    this.batch = [];
    this.batched = 0;
    this.out.cork();
    let room = true;
    for (const chunk of batch) room = this.out.write(chunk);
    this.out.uncork();
    return room;
  }

  /** Closes the file; resolves with the error that stopped writing, if any (the run goes on without a copy). */
  async end(): Promise<Error | undefined> {
    if (!this.failed) {
      this.flush();
      this.out.end();
      await once(this.out, 'close').catch(() => undefined);
    }
    return this.failed;
  }
}

/** The spill file of run `id` under `dir`. */
export const spillPath = (dir: string, id: number) => path.join(dir, `run-${id}.ndjson`);

/** Ids of the spill files in `dir`. */
export function spilledIds(dir: string): number[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((f) => {
    const m = /^run-(\d+)\.ndjson$/.exec(f);
    return m ? [Number(m[1])] : [];
  });
}

/** Feeds a spill file to a keeper (the records of a run from an earlier window). */
export async function replay(file: string, keeper: RecordKeeper): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) keeper.take(chunk as Buffer);
  keeper.flush();
}

export type SaveFormat = 'ndjson' | 'csv';

export const formatOf = (target: string): SaveFormat => (/\.csv$/i.test(target) ? 'csv' : 'ndjson');

function lines(file: string): AsyncIterable<string> {
  return readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
}

/** Which records to save: all, or those a filter keeps (`n`: the record's number, from 1). */
export type Keep = (line: string, n: number) => boolean;

/**
 * Writes the whole output to `target`, or the records `keep` keeps: NDJSON as the stages wrote it
 * (a byte copy when all are saved), or CSV with one column per field (nested fields dotted,
 * non-JSON lines in a text column). CSV reads the file twice — once for the columns, once for the
 * rows — so only the column names are held.
 */
export async function saveAll(spill: string, target: string, format: SaveFormat = formatOf(target), keep?: Keep): Promise<{ records: number }> {
  if (format === 'ndjson' && !keep) {
    let records = 0;
    let last = 10;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) records++;
        if (chunk.length > 0) last = chunk[chunk.length - 1]!;
        done(null, chunk);
      },
    });
    await pipeline(fs.createReadStream(spill), count, fs.createWriteStream(target));
    return { records: records + (last !== 10 ? 1 : 0) };
  }
  async function* kept() {
    let n = 0;
    for await (const line of lines(spill)) if (!keep || keep(line, ++n)) yield line;
  }
  let records = 0;
  if (format === 'ndjson') {
    async function* ndjson() {
      for await (const line of kept()) {
        records++;
        yield `${line}\n`;
      }
    }
    await pipeline(ndjson, fs.createWriteStream(target));
    return { records };
  }
  const columns = new Map<string, true>();
  for await (const line of kept()) for (const key of Object.keys(parseRecord(line, 0).cells)) columns.set(key, true);
  const keys = [...columns.keys()];
  async function* rows() {
    for await (const line of kept()) {
      records++;
      const { cells } = parseRecord(line, records);
      yield keys.map((k) => {
        const v = cells[k];
        return v === undefined || v === null ? '' : cellText(v);
      });
    }
  }
  await pipeline(rows, stringify({ header: true, columns: keys }), fs.createWriteStream(target));
  return { records };
}
