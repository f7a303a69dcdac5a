// The records view's filter: words, or an expression in `use: filter`'s language, over kept
// records and over Save All.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuiltin } from '../builtins/helpers';
import { recordFilter } from '../../../extension/records/filter';
import { isExpression } from '../../../extension/records/model';
import { saveAll } from '../../../extension/records/spill';

const lines = [
  '{"path":"/a","status":200,"ms":1500}',
  '{"path":"/b","status":503,"ms":1200}',
  '{"path":"/c","status":500,"ms":90}',
  'not json',
  '{"path":"/d"}',
];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-records-filter-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const kept = (query: string) => {
  const f = recordFilter(query, true);
  if (f.kind !== 'words' && f.kind !== 'expression') throw new Error(`not a filter: ${JSON.stringify(f)}`);
  return lines.filter((l, i) => f.test(l, i + 1));
};

describe('records filter', () => {
  it('tells an expression over r from words', () => {
    expect(['r.status >= 500', 'r["a b"] == 1', '!r.ok', 'r?.x', '(r.a||0) > 1'].map(isExpression)).toEqual([true, true, true, true, true]);
    expect(['error 500', 'status:500', 'car.wheel', 'r', 'for r in x'].map(isExpression)).toEqual([false, false, false, false, false]);
  });

  it('keeps what `use: filter` keeps for the same expression', async () => {
    const expr = 'r.status >= 500 && r.ms > 1000';
    expect(kept(expr)).toEqual(['{"path":"/b","status":503,"ms":1200}']);
    // The built-in, as a process, over the JSON records (it fails on a line that is not JSON).
    const json = lines.filter((l) => l.startsWith('{'));
    const fromBuiltin = await runBuiltin('filter', { expr }, `${json.join('\n')}\n`);
    expect(fromBuiltin.stdout.toString().trimEnd().split('\n')).toEqual(kept(expr));
  });

  it('matches words as the records view does, in any cell or in a column', () => {
    expect(kept('status:50')).toEqual([lines[1], lines[2]]);
    expect(kept('json')).toEqual(['not json']);
  });

  it('says why an expression is not valid, and runs none in an untrusted workspace', () => {
    const bad = recordFilter('r.status >= ', true);
    expect(bad.kind === 'invalid' && bad.why).toMatch(/^Not a valid expression: .+\. Write one JavaScript expression over the record r/);
    const untrusted = recordFilter('r.status >= 500', false);
    expect(untrusted.kind === 'invalid' && untrusted.why).toMatch(/trust this workspace/);
    expect(recordFilter('  ', true).kind).toBe('none');
  });

  it('counts the lines that are not JSON or make the expression throw, and keeps none of those', () => {
    const f = recordFilter('r.status.toFixed(0) !== ""', true);
    expect(f.kind).toBe('expression');
    if (f.kind !== 'expression') return;
    expect(lines.filter((l, i) => f.test(l, i + 1))).toEqual(lines.slice(0, 3));
    expect(f.threw()).toBe(2); // "not json", and /d without a status
  });

  it('applies to Save All: NDJSON and CSV hold only the matching records', async () => {
    const spill = path.join(dir, 'run-1.ndjson');
    fs.writeFileSync(spill, `${lines.join('\n')}\n`);
    const f = recordFilter('r.status >= 500', true);
    if (f.kind !== 'expression') throw new Error('an expression');
    const ndjson = path.join(dir, 'out.ndjson');
    expect(await saveAll(spill, ndjson, 'ndjson', f.test)).toEqual({ records: 2 });
    expect(fs.readFileSync(ndjson, 'utf8')).toBe(`${lines[1]}\n${lines[2]}\n`);
    const csv = path.join(dir, 'out.csv');
    expect(await saveAll(spill, csv, 'csv', f.test)).toEqual({ records: 2 });
    expect(parse(fs.readFileSync(csv, 'utf8'))).toEqual([
      ['path', 'status', 'ms'],
      ['/b', '503', '1200'],
      ['/c', '500', '90'],
    ]);
  });
});
