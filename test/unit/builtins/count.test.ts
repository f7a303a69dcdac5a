import { describe, expect, it } from 'vitest';
import { bash, ndjson, records, runBuiltin } from './helpers';

describe('count', () => {
  it('one record per distinct value with its count, most frequent first, then by key; a missing field counts under null', async () => {
    const input = ndjson([{ a: 'x' }, { a: 'y' }, { a: 'x' }, { b: 1 }, { a: 'w' }, { a: null }, { a: 'y' }, { a: 'x' }]);
    const r = await runBuiltin('count', { by: 'a' }, input);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.toString()).toBe('{"a":"x","count":3}\n{"a":null,"count":2}\n{"a":"y","count":2}\n{"a":"w","count":1}\n');
  });

  it('by a list of fields; values keep their types (1 and "1" differ), ties ordered null, booleans, numbers, text, others', async () => {
    const input = ndjson([
      { h: '01', k: 'b' },
      { h: '01', k: 'a' },
      { h: '00', k: 'b' },
      { h: '01', k: 'a' },
      { h: 1, k: 'a' },
      { h: true, k: 'a' },
      { h: [1], k: 'a' },
      { k: 'a' },
      { h: 10, k: 'a' },
    ]);
    const r = await runBuiltin('count', { by: ['h', 'k'] }, input);
    expect(records(r.stdout)).toEqual([
      { h: '01', k: 'a', count: 2 },
      { h: null, k: 'a', count: 1 },
      { h: true, k: 'a', count: 1 },
      { h: 1, k: 'a', count: 1 },
      { h: 10, k: 'a', count: 1 },
      { h: '00', k: 'b', count: 1 },
      { h: '01', k: 'b', count: 1 },
      { h: [1], k: 'a', count: 1 },
    ]);
  });

  it('keeps bytes that are not UTF-8 as they are; the same text from a valid and a broken line is one key', () => {
    const bytes = bash(
      `printf '{"a":"caf\\351","b":"x"}\\n{"a":"caf\\351","b":"\\303\\251"}\\n{"a":"\\303\\251","b":"\\377"}\\n' | node "$B" count '{"by":"a"}' | od -An -c`,
    );
    expect(bytes.stderr).toBe('');
    expect(bytes.stdout.replace(/\s+/g, ' ').trim()).toBe('{ " a " : " c a f 351 " , " c o u n t " : 2 } \\n { " a " : " 303 251 " , " c o u n t " : 1 } \\n');
    const merged = bash(`printf '{"a":"\\303\\251","b":"\\377"}\\n{"a":"\\303\\251"}\\n' | node "$B" count '{"by":"a"}'`);
    expect(merged.stdout).toBe('{"a":"é","count":2}\n');
  });

  it('a record that is not an object: fail names it, skip drops it', async () => {
    const fail = await runBuiltin('count', { by: 'a' }, '{"a":1}\n[1]\n');
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/record 2 is an array, not an object with fields; count works on JSON objects, or set `onError: skip`/);
    const skip = await runBuiltin('count', { by: 'a', onError: 'skip' }, '{"a":1}\n[1]\nnot json\n');
    expect(skip.stdout.toString()).toBe('{"a":1,"count":1}\n');
    expect(skip.stderr).toMatch(/skipped 2 of 3 records/);
  });

  it('memory grows with the distinct keys, not the records: a million records under a heap far smaller than them', () => {
    // ~30 MB of records, 24 distinct keys; a 16 MB heap could not keep the records.
    const r = bash(
      `seq 1000000 | awk '{ printf "{\\"h\\":\\"%02d\\",\\"pad\\":\\"%s\\"}\\n", $1 % 24, "xxxxxx" }' | node --max-old-space-size=16 "$B" count '{"by":"h"}'`,
    );
    expect(r.stderr).toBe('');
    const out = records(r.stdout) as { h: string; count: number }[];
    expect(out).toHaveLength(24);
    expect(out.reduce((n, g) => n + g.count, 0)).toBe(1_000_000);
    expect(out[0]).toEqual({ h: '01', count: 41_667 });
  });

  it('equals sort | uniq -c | sort -rn on the same values, with few keys and with more than the lines it caches', () => {
    const cases: [number, number][] = [
      [5000, 97],
      [30000, 9973],
    ];
    for (const [n, keys] of cases) {
      const r = bash(`seq ${n} | awk '{ print ($1 * 7919) % ${keys} }' > /tmp/pw-count-keys.txt
        sort /tmp/pw-count-keys.txt | uniq -c | sort -k1,1nr -k2,2 | awk '{ printf "{\\"k\\":\\"%s\\",\\"count\\":%d}\\n", $2, $1 }'
        echo ===
        awk '{ printf "{\\"k\\":\\"%s\\"}\\n", $1 }' /tmp/pw-count-keys.txt | node "$B" count '{"by":"k"}'
        rm /tmp/pw-count-keys.txt`);
      const [shell, ours] = r.stdout.split('===\n');
      expect(ours).toBe(shell);
      expect(shell!.split('\n').length).toBe(keys + 1);
    }
  });

  it('by naming `count`, or a field twice: status 2', async () => {
    expect((await runBuiltin('count', { by: ['a', 'count'] }, '')).stderr).toMatch(/`by` cannot name `count`/);
    expect((await runBuiltin('count', { by: ['a', 'a'] }, '')).code).toBe(2);
    expect((await runBuiltin('count', {}, '')).stderr).toMatch(/`count` needs `by`/);
  });
});
