/**
 * `count`: one record per distinct value of the `by` field(s), with how many records had it,
 * like `sort | uniq -c | sort -rn`: `{"action":"install","count":48}`, most frequent first, then
 * by key. Memory grows with the number of distinct keys, never with the number of records. A
 * record without the field counts under null. Written when the input ends.
 */
import { asText } from './bytes';
import type { Options } from './options';
import { eachLine, recordLines, RecordProblems, StageError, stdinChunks, stdout } from './records';

export const options = ['by', 'onError'] as const;

/** Bounds of the cache of lines seen (see `seen`): at most ~1 MB. */
const cachedLines = 4096;
const cachedLineBytes = 256;

/** Text that is not UTF-8, kept as its bytes (bytes.ts). */
class RawText {
  constructor(readonly bytes: Buffer) {}
}

interface Group {
  /** The key's values, in `by` order (null for a missing field). */
  values: unknown[];
  /** Each value as JSON text, as in the key (a RawText's marked with a leading NUL, which no JSON text has). */
  json: string[];
  count: number;
}

/** null < false < true < numbers < text < text that is not UTF-8 < anything else (objects, arrays). */
function rank(v: unknown): number {
  return v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : v instanceof RawText ? 4 : 5;
}

function compareValues(a: unknown, b: unknown, aJson: string, bJson: string): number {
  const ra = rank(a);
  if (ra !== rank(b)) return ra - rank(b);
  if (ra === 1 || ra === 2) return Number(a) - Number(b);
  if (ra === 4) return Buffer.compare((a as RawText).bytes, (b as RawText).bytes);
  const x = ra === 3 ? (a as string) : aJson;
  const y = ra === 3 ? (b as string) : bJson;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Most frequent first; equal counts by key, field by field. */
function byCountThenKey(a: Group, b: Group): number {
  if (a.count !== b.count) return b.count - a.count;
  for (let i = 0; i < a.values.length; i++) {
    const c = compareValues(a.values[i], b.values[i], a.json[i]!, b.json[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** One output record; text that is not UTF-8 goes out as its own bytes. */
function write(group: Group, names: readonly string[]): void {
  for (let i = 0; i < names.length; i++) {
    const v = group.values[i];
    stdout.push(`${i === 0 ? '{' : ','}${names[i]!}:`);
    stdout.push(v instanceof RawText ? Buffer.from(JSON.stringify(v.bytes.toString('latin1')), 'latin1') : group.json[i]!);
  }
  stdout.push(`,"count":${group.count}}\n`);
}

export async function run(opts: Options): Promise<void> {
  const by = opts.stringOrList('by');
  if (by.includes('count'))
    throw new StageError('`count`: `by` cannot name `count`, the field the count is written to; rename that field first (e.g. with `map`)', 2);
  if (new Set(by).size < by.length) throw new StageError('`count`: `by` names a field twice', 2);
  const groups = new Map<string, Group>();
  const problems = new RecordProblems(opts.oneOf('onError', ['fail', 'skip']) ?? 'fail');
  /**
   * Lines seen before (their bytes, one character per byte) → their group: a line like one before
   * has the same key, so most lines are counted without being parsed, as `uniq` compares lines.
   * Short lines only, and only so many: memory stays bounded by the keys, not the records.
   */
  const seen = new Map<string, Group>();
  let line = '';
  const parsed = recordLines(
    problems,
    (r, n, _problems, _buf, _start, _end, raw) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        problems.report(
          n,
          `is ${Array.isArray(r) ? 'an array' : r === null ? 'null' : `a ${typeof r}`}, not an object with fields`,
          'count works on JSON objects',
        );
        return;
      }
      const values: unknown[] = [];
      const json: string[] = [];
      for (let i = 0; i < by.length; i++) {
        let v = (Object.hasOwn(r, by[i]!) ? (r as Record<string, unknown>)[by[i]!] : null) ?? null;
        // The same word from a valid and from a broken line is one key; only text that is itself broken stays bytes.
        if (raw && typeof v === 'string') v = asText(v) ?? new RawText(Buffer.from(v, 'latin1'));
        values.push(v);
        json.push(v instanceof RawText ? `\u0000${JSON.stringify(v.bytes.toString('latin1'))}` : JSON.stringify(v));
      }
      const key = by.length === 1 ? json[0]! : json.join(',');
      let group = groups.get(key);
      if (group !== undefined) group.count++;
      else groups.set(key, (group = { values, json, count: 1 }));
      if (line !== '' && seen.size < cachedLines) seen.set(line, group);
    },
    true,
  );
  const total = await eachLine(stdinChunks(), (buf, start, end, n) => {
    line = end - start <= cachedLineBytes ? buf.toString('latin1', start, end) : '';
    const group = line === '' ? undefined : seen.get(line);
    if (group !== undefined) group.count++;
    else parsed(buf, start, end, n);
  });
  problems.summary(total);
  const names = by.map((f) => JSON.stringify(f));
  for (const group of [...groups.values()].sort(byCountThenKey)) {
    write(group, names);
    if (stdout.size >= 65536) await stdout.flush();
  }
}
