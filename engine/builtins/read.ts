/**
 * `read`: a file → NDJSON records on stdout, streaming (a file of any size never loads whole).
 * A source: it never reads its stdin.
 *   ndjson     the bytes as they are (plus a final newline when the file lacks one)
 *   json       a JSON array, parsed incrementally: each element becomes one compact line
 *   csv / tsv  rows → objects named by the header row (or c1, c2, … with `header: false`);
 *              unquoted values are typed (see `typedValue`), quoted values stay strings
 *   lines      each line of text → {"line": "…"}, its bytes kept as they are (bytes.ts)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { JSONParser } from '@streamparser/json';
import { parse as parseCsv, type InfoField } from 'csv-parse';
import { firstNonJsonLine, formatOf, sniffBytes } from '../../dsl/read-format';
import type { Options } from './options';
import { eachLine, messageOf, Output, StageError, stdout, warn } from './records';

export const options = ['path', 'format', 'header'] as const;

const chunkSize = 64 * 1024;

function openInput(file: string): number {
  try {
    const fd = fs.openSync(file, 'r');
    if (fs.fstatSync(fd).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    return fd;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : messageOf(err);
    throw new StageError(`cannot read ${file} (${path.resolve(file)}): ${why}; fix \`path\` (it is relative to the stage's working directory)`);
  }
}

/** A JSON number as CSV writes it: no leading zeros (so `007` or a ZIP code stays text), no `+`. */
const numberPattern = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * How an unquoted CSV/TSV value is typed: empty → null; `true`/`false` (any case) → boolean; a
 * plain decimal number → number, unless it is an integer too big to be exact (a long id stays
 * text) or out of range. Everything else, and every quoted value, stays a string.
 */
export function typedValue(value: string, quoted: boolean): string | number | boolean | null {
  if (quoted) return value;
  if (value === '') return null;
  const lower = value.length <= 5 ? value.toLowerCase() : '';
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (numberPattern.test(value)) {
    const n = Number(value);
    const integral = !/[.eE]/.test(value);
    if (Number.isFinite(n) && (!integral || Number.isSafeInteger(n))) return n;
  }
  return value;
}

/**
 * A file that `read` takes for NDJSON only because of its extension fails at once, naming its
 * first line, when that line is not JSON: the next stage would fail on every record otherwise.
 */
function refuseText(fd: number, file: string): void {
  if (!fs.fstatSync(fd).isFile()) return; // a pipe or a device: what was read could not be read again
  const head = Buffer.alloc(sniffBytes);
  const n = fs.readSync(fd, head, 0, sniffBytes, 0);
  const bad = firstNonJsonLine(head.toString('utf8', 0, n), n < sniffBytes);
  if (bad === undefined) return;
  throw new StageError(
    `${file} is not NDJSON: line ${bad.number} is not JSON (\`${bad.line.slice(0, 60)}\`); ` +
      'set `format: lines` to read each line as {"line": "…"} (then `parse` it into fields), or `format: csv`, `tsv` or `json`',
  );
}

/** Each line → `{"line":"…"}`, decoded one character per byte so that JSON.stringify escapes only what JSON needs and no byte changes. */
async function readLines(fd: number): Promise<void> {
  const out = new Output(process.stdout, 'latin1');
  const input = fs.createReadStream('', { fd, highWaterMark: chunkSize }) as AsyncIterable<Buffer>;
  await eachLine(
    input,
    (buf, start, end, n) => {
      if (buf[end - 1] === 0x0d) end--; // a CRLF line end
      if (n === 1 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3; // UTF-8 BOM
      out.push(`{"line":${JSON.stringify(buf.toString('latin1', start, end))}}\n`);
    },
    out,
  );
  await out.finish();
}

async function readNdjson(fd: number): Promise<void> {
  let last = 0x0a;
  let any = false;
  for await (const chunk of fs.createReadStream('', { fd, highWaterMark: chunkSize }) as AsyncIterable<Buffer>) {
    if (chunk.length === 0) continue;
    any = true;
    last = chunk[chunk.length - 1]!;
    stdout.push(chunk);
    await stdout.flush();
  }
  if (any && last !== 0x0a) stdout.push('\n');
}

async function readJsonArray(fd: number, file: string): Promise<void> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  parser.onValue = ({ value }) => {
    stdout.push(JSON.stringify(value));
    stdout.push('\n');
  };
  let started = false;
  let offset = 0;
  for await (let chunk of fs.createReadStream('', { fd, highWaterMark: chunkSize }) as AsyncIterable<Buffer>) {
    if (!started) {
      // The document must be an array: checked on its first byte, before anything is parsed.
      if (offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3); // UTF-8 BOM
      const text = chunk.toString('latin1');
      const first = text.search(/\S/);
      offset += chunk.length;
      if (first < 0) continue; // only whitespace so far
      if (text[first] !== '[') {
        throw new StageError(
          `${file} is not a JSON array (it starts with \`${text.slice(first, first + 20).split('\n')[0] ?? ''}\`); ` +
            '`read` with format json takes an array of records, use format ndjson for one JSON value per line',
        );
      }
      started = true;
    }
    try {
      parser.write(chunk);
    } catch (err) {
      throw new StageError(`${file} is not valid JSON: ${messageOf(err)}; fix the file or choose another \`format\``);
    }
    await stdout.flush();
  }
  if (!started) return; // an empty (or blank) file: no records
  if (!parser.isEnded) throw new StageError(`${file} ends before its JSON array is closed (the file is cut short); fix the file`);
}

/**
 * Field names from a header row, each unique, so no column is lost: a repeated name gets `_2`,
 * `_3`, … (`name`, `name_2`), an empty one `column_N` (N its position, from 1). Each renaming is
 * said on stderr.
 */
function uniqueColumns(names: readonly string[], file: string): string[] {
  const taken = new Set(names);
  const used = new Set<string>();
  return names.map((raw, i) => {
    let name = raw === '' ? `column_${i + 1}` : raw;
    if (used.has(name) || (raw === '' && taken.has(name))) {
      let n = 2;
      while (taken.has(`${name}_${n}`) || used.has(`${name}_${n}`)) n++;
      name = `${name}_${n}`;
    }
    if (name !== raw) {
      const why = raw === '' ? `has no name in the header` : `repeats the header name \`${raw}\``;
      warn(`${file}: column ${i + 1} ${why}; its field is named \`${name}\` (rename it in the header to choose)`);
    }
    used.add(name);
    return name;
  });
}

async function readCsv(fd: number, file: string, format: 'csv' | 'tsv', header: boolean): Promise<void> {
  const parser = parseCsv({
    delimiter: format === 'tsv' ? '\t' : ',',
    columns: header ? (names: string[]) => uniqueColumns(names, file) : false,
    bom: true,
    relax_quotes: true,
    relax_column_count: !header,
    skip_empty_lines: true,
    cast: (value: string, context: InfoField) => (context.header ? value : typedValue(value, context.quoting)),
  });
  const source = fs.createReadStream('', { fd, highWaterMark: chunkSize });
  try {
    await pipeline(source, parser, async (records: AsyncIterable<Record<string, unknown> | unknown[]>) => {
      for await (const rec of records) {
        let obj: unknown = rec;
        if (Array.isArray(rec)) {
          const o: Record<string, unknown> = {};
          for (let i = 0; i < rec.length; i++) o[`c${i + 1}`] = rec[i];
          obj = o;
        }
        stdout.push(JSON.stringify(obj));
        stdout.push('\n');
        if (stdout.size >= chunkSize) await stdout.flush();
      }
    });
  } catch (err) {
    if (err instanceof StageError) throw err;
    const hint =
      header && /record length|column/i.test(messageOf(err))
        ? '; every row needs as many fields as the header (or set `header: false`)'
        : '; fix the file or choose another `format`';
    throw new StageError(`${file} is not valid ${format.toUpperCase()}: ${messageOf(err)}${hint}`);
  }
}

export async function run(opts: Options): Promise<void> {
  const file = opts.string('path');
  const given = opts.oneOf('format', ['ndjson', 'json', 'csv', 'tsv', 'lines']);
  const format = given ?? formatOf(file);
  const header = opts.boolean('header', true);
  const fd = openInput(file);
  if (format === 'ndjson') {
    if (given === undefined) refuseText(fd, file);
    await readNdjson(fd);
  } else if (format === 'lines') await readLines(fd);
  else if (format === 'json') await readJsonArray(fd, file);
  else await readCsv(fd, file, format, header);
}
