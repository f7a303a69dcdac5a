// The records diff with the real GNU sort, against a plain in-memory multiset diff.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRecords } from '../../../../engine/compare/records-diff';
import { changedFields, keyOf } from '../../../../engine/compare/record-fields';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-records-diff-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
function write(lines: string[], end = '\n'): string {
  const f = path.join(dir, `f${files++}.ndjson`);
  fs.writeFileSync(f, lines.length ? lines.join('\n') + end : '');
  return f;
}

/** Lines only in x, counted with their repeats (what `comm -3` of the sorted files shows on one side). */
function onlyIn(x: string[], y: string[]): number {
  const left = new Map<string, number>();
  for (const l of y) left.set(l, (left.get(l) ?? 0) + 1);
  let n = 0;
  for (const l of x) {
    const k = left.get(l) ?? 0;
    if (k > 0) left.set(l, k - 1);
    else n++;
  }
  return n;
}

describe('compareRecords, whole lines', () => {
  it('counts lines only in each file as comm -3 does (repeats, order, non-ASCII, no final newline), with their record numbers', async () => {
    const a = write(['{"x":1}', 'b', 'b', 'é', '𝄞', 'z'], '');
    const b = write(['z', 'b', '{"x":2}', '𝄞', 'é', 'new']);
    const c = await compareRecords(a, b);
    expect([c.recordsA, c.recordsB, c.onlyInA, c.onlyInB, c.same]).toEqual([6, 6, 2, 2, 4]);
    expect(c.examples.onlyInA).toEqual([
      { n: 1, line: '{"x":1}' },
      { n: 2, line: 'b' },
    ]);
    expect(c.examples.onlyInB).toEqual([
      { n: 3, line: '{"x":2}' },
      { n: 6, line: 'new' },
    ]);
  });

  it('agrees with a multiset diff on any lines', async () => {
    const line = fc.oneof(
      fc.constantFrom('a', 'b', '{"k":1}', 'é', '\t', 'Z'),
      fc.string({ unit: 'grapheme', maxLength: 6 }).filter((s) => !s.includes('\n')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), async (x, y) => {
        const c = await compareRecords(write(x), write(y), { examples: 100 });
        // An empty last line is no line in a file: drop what the file cannot hold.
        expect([c.onlyInA, c.onlyInB]).toEqual([onlyIn(x, y), onlyIn(y, x)]);
        expect(c.examples.onlyInA.every((e) => x[e.n - 1] === e.line)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('loses nothing of a small file whose sort ends long before the big one is read (whole lines and by key)', async () => {
    const big = write(Array.from({ length: 60_000 }, (_, i) => `{"id":${i},"pad":"${'x'.repeat(40)}"}`));
    const small = write(['{"id":1,"pad":"y"}', '{"id":2,"pad":"y"}', '{"id":-1}']);
    for (const key of [undefined, 'id']) {
      const c = await compareRecords(big, small, { key });
      expect([key, c.recordsA, c.recordsB]).toEqual([key, 60_000, 3]);
    }
  });

  it('rejects a missing file by name', async () => {
    await expect(compareRecords(path.join(dir, 'nope.ndjson'), write(['a']))).rejects.toThrow(/cannot read .*nope\.ndjson: no such file/);
  });
});

describe('compareRecords by key', () => {
  it('pairs records by the key: only in A, only in B, changed with the fields that changed', async () => {
    const a = write(['{"id":1,"v":1,"u":{"n":"a"}}', '{"id":2,"v":2}', '{"id":3,"v":3}', 'not json', '{"id":5}']);
    const b = write(['{"id":3,"v":3}', '{"id":1,"v":9,"u":{"n":"b"}}', '{"id":4,"v":4}', 'not json', '{"id":5,"extra":true}']);
    const c = await compareRecords(a, b, { key: 'id' });
    expect([c.onlyInA, c.onlyInB, c.changed, c.same, c.unkeyed]).toEqual([1, 1, 2, 2, 2]);
    expect(c.examples.onlyInA).toEqual([{ n: 2, line: '{"id":2,"v":2}' }]);
    expect(c.examples.onlyInB).toEqual([{ n: 3, line: '{"id":4,"v":4}' }]);
    expect(c.examples.changed.map((e) => [e.key, e.a.n, e.b.n, e.fields])).toEqual([
      ['1', 1, 2, ['v', 'u.n']],
      ['5', 5, 5, ['extra']],
    ]);
    expect(c.changedFields).toEqual([
      { field: 'extra', records: 1 },
      { field: 'u.n', records: 1 },
      { field: 'v', records: 1 },
    ]);
  });

  it('pairs repeated keys in file order; the extra ones are only on one side', async () => {
    const c = await compareRecords(write(['{"k":"x","n":1}', '{"k":"x","n":2}']), write(['{"k":"x","n":1}']), { key: 'k' });
    expect([c.same, c.changed, c.onlyInA]).toEqual([1, 0, 1]);
    expect(c.examples.onlyInA).toEqual([{ n: 2, line: '{"k":"x","n":2}' }]);
  });
});

describe('record fields', () => {
  it('finds a dotted key, and a field whose name has a dot', () => {
    expect(keyOf('{"user":{"id":7}}', 'user.id')).toBe('7');
    expect(keyOf('{"user.id":"x"}', 'user.id')).toBe('"x"');
    expect(keyOf('[1]', 'id')).toBeUndefined();
    expect(changedFields('{"a":1,"b":[1]}', '{"a":1,"b":[2],"c":null}')).toEqual(['b', 'c']);
  });
});
