/**
 * `write`: records → a file (NDJSON, or CSV with a header from the first record's keys), passing
 * every record on unchanged. A regular file (or none yet) is written under a temporary name in
 * the same folder and renamed over the target only when complete and — under the engine — only
 * when every stage feeding it ended well (the commit channel, see protocol.ts): a failed,
 * cancelled or killed run leaves the existing file byte for byte. The temporary file is removed
 * on every other way out. A symlink is written through to its target; a FIFO, device or other
 * non-regular file is written straight through, like the shell's `>`.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Options } from './options';
import { commitFdVariable } from './protocol';
import { eachLine, messageOf, notJson, StageError, stdinChunks, stdout, warn } from './records';
import { resolveTarget, temporaryName } from './write-target';

export const options = ['path', 'format'] as const;

/** `.csv` → csv; anything else is NDJSON. */
export function writeFormatOf(file: string): 'ndjson' | 'csv' {
  return path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'ndjson';
}

/** A CSV cell: null/undefined empty, strings as they are, objects and arrays as JSON. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function isRecordObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function run(opts: Options): Promise<void> {
  const file = opts.string('path');
  const format = opts.oneOf('format', ['ndjson', 'csv']) ?? writeFormatOf(file);
  const verdict = commitChannel();
  let target: string;
  let existing: fs.Stats | undefined;
  try {
    // stat follows every link, /dev/stdout's /proc/self/fd/1 too (its link text, `pipe:[…]`, is no path).
    existing = statOf(file);
    target = existing && !existing.isFile() ? path.resolve(file) : resolveTarget(file);
  } catch (err) {
    throw cannotWrite(file, err);
  }
  if (existing?.isDirectory()) throw new StageError(`cannot write ${file}: it is a folder; give a file name in \`path\``);
  // Not a regular file (a FIFO, a device, a socket): written straight through, like `>`.
  const through = existing !== undefined && !existing.isFile();
  const tmp = through ? target : temporaryName(target);
  // Its own stdout by name (`/dev/stdout`): the copy joins the records it passes on (opening a
  // socket by name fails with ENXIO, and a second writer would race the record output).
  const ownStdout = through && existing !== undefined && isStdout(existing);
  let fd: number | undefined;
  try {
    if (!ownStdout) fd = fs.openSync(tmp, through ? 'w' : 'wx', 0o666);
    if (existing && !through) fs.fchmodSync(fd!, existing.mode & 0o7777);
  } catch (err) {
    throw cannotWrite(file, err);
  }
  let committed = through;
  // Runs on every way out (process.exit from a failure, a signal or a broken pipe).
  process.on('exit', () => {
    if (committed || fd === undefined) return;
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      // already gone
    }
  });

  const pending: Buffer[] = [];
  let pendingSize = 0;
  const toFile = (data: Buffer | string): void => {
    const b = typeof data === 'string' ? Buffer.from(data) : data;
    pending.push(b);
    pendingSize += b.length;
  };
  /** CSV rows waiting to be stringified (in one call per batch). */
  const rows: string[][] = [];
  let rowsSize = 0;
  const flushFile = (): void => {
    if (rows.length > 0) {
      toFile(stringify(rows));
      rows.length = 0;
      rowsSize = 0;
    }
    if (pending.length === 0) return;
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize);
    pending.length = 0;
    pendingSize = 0;
    if (fd === undefined) return stdout.push(data);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    } catch (err) {
      throw new StageError(`cannot write ${file}: ${messageOf(err)}`);
    }
  };

  let columns: string[] | undefined;
  let warnedExtra = false;
  const csvRow = (r: unknown, n: number): void => {
    if (!isRecordObject(r))
      throw new StageError(
        `record ${n} is not an object, so it has no fields to write as CSV columns; write NDJSON instead (\`format: ndjson\`) or \`map\` it to an object`,
      );
    if (columns === undefined) {
      columns = Object.keys(r);
      rows.push(columns);
    } else if (!warnedExtra) {
      const known = columns;
      const extra = Object.keys(r).filter((k) => !known.includes(k));
      if (extra.length > 0) {
        warnedExtra = true;
        warn(
          `record ${n} has fields that are not in the CSV header (${extra.join(', ')}); they are left out (the header comes from the first record's fields)`,
        );
      }
    }
    const cols = columns;
    rows.push(cols.map((k) => cell(Object.hasOwn(r, k) ? r[k] : undefined)));
  };

  await eachLine(stdinChunks(), (buf, start, end, n) => {
    if (format === 'csv') {
      let r: unknown;
      try {
        r = JSON.parse(buf.toString('utf8', start, end));
      } catch (err) {
        throw new StageError(`record ${n} ${notJson(err)}; fix the stage that writes it (nothing was written to ${file})`);
      }
      csvRow(r, n);
      rowsSize += end - start; // about the size of the row in CSV
    } else if (buf[end] === 0x0a) toFile(buf.subarray(start, end + 1));
    else {
      toFile(buf.subarray(start, end));
      toFile('\n');
    }
    stdout.pushLine(buf, start, end);
    if (pendingSize + rowsSize >= 256 * 1024) flushFile();
  });
  flushFile();
  if (through) {
    if (fd !== undefined) fs.closeSync(fd);
    verdict.close();
    return;
  }
  try {
    fs.fsyncSync(fd!);
  } catch (err) {
    throw new StageError(`cannot write ${file}: ${messageOf(err)}`);
  }
  if (!(await verdict.granted)) {
    throw new StageError(`${file} was left as it was: a stage before \`write\` did not end well, or the run was cancelled`);
  }
  try {
    fs.closeSync(fd!);
    fs.renameSync(tmp, target);
  } catch (err) {
    throw new StageError(`cannot write ${file}: ${messageOf(err)}`);
  }
  committed = true;
}

/** `st` is this process's standard output. */
function isStdout(st: fs.Stats): boolean {
  try {
    const out = fs.fstatSync(1);
    return out.dev === st.dev && out.ino === st.ino;
  } catch {
    return false;
  }
}

function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function cannotWrite(file: string, err: unknown): StageError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? `its folder ${path.dirname(path.resolve(file))} does not exist` : code === 'EACCES' ? 'permission denied' : messageOf(err);
  return new StageError(`cannot write ${file}: ${why}; fix \`path\` (it is relative to the stage's working directory)`);
}

/**
 * The engine's verdict on the commit channel (protocol.ts): the line `commit` grants it;
 * anything else, or the channel closing first, refuses. Without a channel (run by hand) it is
 * granted. Listening starts at once, so a verdict is never missed; it is awaited only at the end.
 */
function commitChannel(): { granted: Promise<boolean>; close(): void } {
  const fdText = process.env[commitFdVariable];
  delete process.env[commitFdVariable];
  if (fdText === undefined || !/^[0-9]+$/.test(fdText)) return { granted: Promise.resolve(true), close() {} };
  const channel = new net.Socket({ fd: Number(fdText), readable: true, writable: false });
  let text = '';
  const granted = new Promise<boolean>((resolve) => {
    channel.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (text.includes('\n')) resolve(text.startsWith('commit\n'));
    });
    channel.on('error', () => resolve(false));
    channel.on('close', () => resolve(text.startsWith('commit\n')));
  });
  void granted.then(() => channel.destroy());
  return { granted, close: () => channel.destroy() };
}
