import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RecordKeeper } from '../../../extension/records/keeper';
import { cellText, filterRows, flatten, inferColumns, parseRecord, rowJson, sortRows, textColumn, valueColumn } from '../../../extension/records/model';
import { replay, saveAll, SpillFile } from '../../../extension/records/spill';

const rows = (lines: string[]) => lines.map((l, i) => parseRecord(l, i + 1));

describe('records model', () => {
  it('flattens nested objects to dotted columns and keeps arrays as one cell', () => {
    expect(flatten({ id: 7, address: { city: 'Oslo', geo: { lat: 59.9 } }, tags: ['a', 'b'], empty: {} })).toEqual({
      id: 7,
      'address.city': 'Oslo',
      'address.geo.lat': 59.9,
      tags: ['a', 'b'],
      empty: '{}',
    });
  });

  it('infers columns in order of first appearance, with their types', () => {
    const r = rows(['{"id":1,"name":"Kettle","price":21.5,"ok":true}', '{"id":2,"name":null,"price":"n/a","extra":{"x":1}}', 'not json at all', '42']);
    expect(inferColumns(r)).toEqual([
      { key: 'id', type: 'number' },
      { key: 'name', type: 'string' },
      { key: 'price', type: 'mixed' },
      { key: 'ok', type: 'boolean' },
      { key: 'extra.x', type: 'number' },
      { key: textColumn, type: 'text' },
      { key: valueColumn, type: 'number' },
    ]);
    expect(r[2]!.cells).toEqual({ [textColumn]: 'not json at all' });
  });

  it('searches every cell, or one column with column:word, all words at once', () => {
    const r = rows(['{"name":"Swift Kettle","category":"tools","price":21}', '{"name":"Sturdy Lamp","category":"home","price":235}', 'kettle descaler']);
    expect(filterRows(r, 'kettle').map((x) => x.n)).toEqual([1, 3]);
    expect(filterRows(r, 'category:home').map((x) => x.n)).toEqual([2]);
    expect(filterRows(r, 'kettle tools').map((x) => x.n)).toEqual([1]);
    expect(filterRows(r, 'price:23').map((x) => x.n)).toEqual([2]);
    expect(filterRows(r, '  ').length).toBe(3);
  });

  it('sorts numbers as numbers, missing values last both ways, ties in record order', () => {
    const r = rows(['{"p":10}', '{"p":9}', '{"q":1}', '{"p":100}', '{"p":9}']);
    expect(sortRows(r, 'p', false).map((x) => x.n)).toEqual([2, 5, 1, 4, 3]);
    expect(sortRows(r, 'p', true).map((x) => x.n)).toEqual([4, 1, 2, 5, 3]);
  });

  it('copies a JSON record as written and a text line as a JSON string', () => {
    const [json, text] = rows(['{"a": 1}', 'plain "text"']);
    expect(rowJson(json!)).toBe('{"a": 1}');
    expect(JSON.parse(rowJson(text!))).toBe('plain "text"');
    expect(cellText(null)).toBe('null');
    expect(cellText([1, 'x'])).toBe('[1,"x"]');
  });
});

describe('record keeper', () => {
  const feed = (keeper: RecordKeeper, text: string, chunk: number) => {
    const b = Buffer.from(text);
    for (let i = 0; i < b.length; i += chunk) keeper.take(b.subarray(i, i + chunk));
    keeper.flush();
  };
  const text = Array.from({ length: 1000 }, (_, i) => `{"i":${i + 1}}`).join('\n'); // no final newline

  it('keeps the first, the last and a uniform sample of N lines, whatever the chunking', () => {
    for (const chunk of [1, 7, 4096]) {
      const k = new RecordKeeper(10);
      feed(k, text, chunk);
      expect(k.total).toBe(1000);
      expect(k.lines('first').map((l) => l.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(k.lines('last').map((l) => l.line)).toEqual(Array.from({ length: 10 }, (_, i) => `{"i":${991 + i}}`));
      const sample = k.lines('sample');
      expect(sample).toHaveLength(10);
      expect(sample.every((l, i) => l.line === `{"i":${l.n}}` && (i === 0 || l.n > sample[i - 1]!.n))).toBe(true);
      expect(sample.some((l) => l.n > 100)).toBe(true);
    }
  });

  it('keeps everything when the output is smaller than N, and cuts long lines it keeps', () => {
    const k = new RecordKeeper(5, 8);
    feed(k, 'a\nbb\n0123456789abcdef\n', 3);
    expect(k.total).toBe(3);
    expect(k.lines('sample').map((l) => l.line)).toEqual(['a', 'bb', '01234567']);
    expect(k.lines('last')).toEqual(k.lines('first'));
  });
});

describe('spill file and save all', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-records-'));
  const lines = ['{"id":1,"name":"Kettle, \\"Swift\\"","dims":{"w":2,"h":3},"tags":["a"]}', '{"id":2,"name":null,"extra":true}', 'a text line'];

  it('writes the output as it came, saves it as NDJSON byte for byte and as CSV with dotted columns', async () => {
    const spill = new SpillFile(path.join(dir, 'run-1.ndjson'));
    for (const l of lines) await spill.write(Buffer.from(`${l}\n`));
    expect(await spill.end()).toBeUndefined();
    const ndjson = path.join(dir, 'out.ndjson');
    expect(await saveAll(spill.file, ndjson)).toEqual({ records: 3 });
    expect(fs.readFileSync(ndjson, 'utf8')).toBe(`${lines.join('\n')}\n`);
    const csv = path.join(dir, 'out.csv');
    expect(await saveAll(spill.file, csv)).toEqual({ records: 3 });
    expect(parse(fs.readFileSync(csv, 'utf8'))).toEqual([
      ['id', 'name', 'dims.w', 'dims.h', 'tags', 'extra', textColumn],
      ['1', 'Kettle, "Swift"', '2', '3', '["a"]', '', ''],
      ['2', '', '', '', '', 'true', ''],
      ['', '', '', '', '', '', 'a text line'],
    ]);
    const k = new RecordKeeper(2);
    await replay(spill.file, k);
    expect(k.total).toBe(3);
    expect(k.lines('last').map((l) => l.line)).toEqual(lines.slice(1));
  });

  it('keeps every byte of an output written in batches, the last part batch included', async () => {
    const spill = new SpillFile(path.join(dir, 'run-2.ndjson'));
    // 3.3 MiB in chunks of uneven sizes: batches fill and spill over mid-chunk, and a part batch is left at the end.
    const chunks = [
      ...Array.from({ length: 60 }, (_, i) => Buffer.from(`${JSON.stringify({ i, pad: 'x'.repeat(40_000 + i * 500) })}\n`)),
      Buffer.from('{"last":true}\n'),
    ];
    for (const c of chunks) await spill.write(c);
    expect(await spill.end()).toBeUndefined();
    expect(fs.readFileSync(spill.file).equals(Buffer.concat(chunks))).toBe(true);
  });
});
