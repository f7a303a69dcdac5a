import { describe, expect, it } from 'vitest';
import { bash, ndjson, records, runBuiltin } from './helpers';

describe('head', () => {
  it('passes the first `count` records (default 10)', async () => {
    const input = ndjson(Array.from({ length: 25 }, (_, i) => ({ i })));
    const three = await runBuiltin('head', { count: 3 }, input);
    expect(three).toMatchObject({ code: 0, stderr: '' });
    expect(three.stdout.toString()).toBe(ndjson([{ i: 0 }, { i: 1 }, { i: 2 }]));
    const dflt = await runBuiltin('head', {}, input);
    expect(records(dflt.stdout)).toHaveLength(10);
    const more = await runBuiltin('head', { count: 100 }, input);
    expect(more.stdout.toString()).toBe(input);
  });

  it('count: 0 passes nothing', async () => {
    const r = await runBuiltin('head', { count: 0 }, '{"a":1}\n', { keepStdinOpen: true });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.length).toBe(0);
  });

  it('exits as soon as it has its records, while its input is still open', async () => {
    const r = await runBuiltin('head', { count: 2 }, '{"a":1}\n{"a":2}\n{"a":3}\n', { keepStdinOpen: true });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('{"a":1}\n{"a":2}\n');
  });

  it('in a real pipeline, endless upstream stops at once (SIGPIPE), quietly', () => {
    const r = bash(`yes '{}' | node "$B" head '{"count":3}'; echo "statuses=\${PIPESTATUS[*]}"`);
    expect(r.stdout).toBe('{}\n{}\n{}\nstatuses=141 0\n');
    expect(r.stderr).toBe('');
  });

  it('empty input, blank lines and a final line without newline', async () => {
    expect((await runBuiltin('head', { count: 5 }, '')).stdout.length).toBe(0);
    const r = await runBuiltin('head', { count: 2 }, '\n\r\n{"a":1}\n\n{"a":2}');
    expect(r.stdout.toString()).toBe('{"a":1}\n{"a":2}\n');
  });

  it('passes a 100 MB record whole', async () => {
    const big = `{"s":"${'x'.repeat(100 * 1024 * 1024)}"}`;
    const r = await runBuiltin('head', { count: 1 }, `${big}\n{"after":1}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(big.length + 1);
    expect(r.stdout.subarray(0, 10).toString()).toBe('{"s":"xxxx');
    expect(r.stdout.subarray(-3).toString()).toBe('x"}\n'.slice(1));
  });
});

describe('filter and map', () => {
  const input = ndjson([{ n: 1, tag: 'a' }, { n: 2, tag: 'b' }, { n: 3, tag: 'a' }, { n: 4 }]);

  it('filter keeps records whose expression is truthy, byte for byte', async () => {
    const r = await runBuiltin('filter', { expr: "r.tag === 'a'" }, input);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.toString()).toBe(
      ndjson([
        { n: 1, tag: 'a' },
        { n: 3, tag: 'a' },
      ]),
    );
    const spaced = await runBuiltin('filter', { expr: 'r.ok' }, '{ "ok" : true,  "x": 1.50 }\r\n{"ok":false}\n');
    expect(spaced.stdout.toString()).toBe('{ "ok" : true,  "x": 1.50 }\r\n');
  });

  it('map replaces each record; undefined drops it; any JSON value is a record', async () => {
    const r = await runBuiltin('map', { expr: 'r.tag === undefined ? undefined : ({ tag: r.tag, double: r.n * 2 })' }, input);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(records(r.stdout)).toEqual([
      { tag: 'a', double: 2 },
      { tag: 'b', double: 4 },
      { tag: 'a', double: 6 },
    ]);
    const values = await runBuiltin('map', { expr: 'r.n > 2 ? null : r.tag' }, input);
    expect(values.stdout.toString()).toBe('"a"\n"b"\nnull\nnull\n');
  });

  it('a record that is not JSON fails the stage (onError: fail), naming the record; earlier records go on', async () => {
    for (const name of ['filter', 'map']) {
      const r = await runBuiltin(name, { expr: 'r' }, '{"a":1}\n\n{"a":2}\n{"a":\n{"a":4}\n');
      expect(r.code, name).toBe(1);
      expect(r.stdout.toString()).toBe('{"a":1}\n{"a":2}\n');
      expect(r.stderr).toMatch(/^record 3 is not valid JSON \(.*\); fix the stage that writes it, or set `onError: skip` to drop such records\n$/);
    }
  });

  it('an expression that throws fails the stage with the record number and the error', async () => {
    const r = await runBuiltin('filter', { expr: 'r.a.b > 1' }, '{"a":{"b":2}}\n{"x":1}\n{"a":{"b":3}}\n');
    expect(r.code).toBe(1);
    expect(r.stdout.toString()).toBe('{"a":{"b":2}}\n');
    expect(r.stderr).toMatch(/^record 2 made the expression throw: Cannot read properties of undefined \(reading 'b'\); guard the expression/);
    const fn = await runBuiltin('map', { expr: '() => 1' }, '{}\n');
    expect(fn.code).toBe(1);
    expect(fn.stderr).toMatch(/record 1 made the expression return a function, which is not a JSON value/);
  });

  it('onError: skip drops and counts bad records, tells the first few and one summary line', async () => {
    const lines = ['{"n":1}', 'oops', '{"n":3}', '{"m":4}', '{"n":5}', '[', '{"m":7}', '{"m":8}'].join('\n');
    const r = await runBuiltin('map', { expr: 'r.n.toFixed(1)', onError: 'skip' }, lines);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('"1.0"\n"3.0"\n"5.0"\n');
    const err = r.stderr.trim().split('\n');
    expect(err).toHaveLength(4);
    expect(err[0]).toMatch(/^skipped record 2: it is not valid JSON/);
    expect(err[1]).toMatch(/^skipped record 4: it made the expression throw: Cannot read properties of undefined/);
    expect(err[2]).toMatch(/^skipped record 6: /);
    expect(err[3]).toMatch(/^skipped 5 of 8 records \(onError: skip\); the first: record 2 is not valid JSON/);
    const f = await runBuiltin('filter', { expr: 'r.n > 2', onError: 'skip' }, lines);
    expect(f.stdout.toString()).toBe('{"n":3}\n{"n":5}\n');
  });

  it('empty input works and prints nothing', async () => {
    for (const name of ['filter', 'map']) {
      const r = await runBuiltin(name, { expr: 'r', onError: 'skip' }, '');
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout.length).toBe(0);
    }
  });

  it('a 100 MB record parses and passes whole', async () => {
    const big = `{"s":"${'y'.repeat(100 * 1024 * 1024)}","k":1}`;
    const r = await runBuiltin('filter', { expr: 'r.k === 1 && r.s.length > 1000' }, `{"k":0}\n${big}\n{"k":2}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(big.length + 1);
    expect(r.stdout.subarray(-8).toString()).toBe('y","k":1}\n'.slice(-8));
  });

  it('a reader that goes away ends every record stage quietly with status 141', () => {
    for (const [name, options] of [
      ['filter', { expr: 'true' }],
      ['map', { expr: 'r' }],
      ['pick', { fields: ['a'] }],
      ['sample', { every: 1 }],
      ['head', { count: 10_000_000 }],
    ] as const) {
      const r = bash(`yes '{"a":1}' | node "$B" ${name} '${JSON.stringify(options)}' | head -n 1; echo "statuses=\${PIPESTATUS[*]}"`);
      expect(r.stdout, name).toBe('{"a":1}\nstatuses=141 141 0\n');
      expect(r.stderr, name).toBe('');
    }
  });
});

describe('pick', () => {
  it('keeps the named fields in the given order; missing ones are left out', async () => {
    const r = await runBuiltin('pick', { fields: ['price', 'id', 'nope'] }, ndjson([{ id: 1, name: 'a', price: 2 }, { name: 'b' }]));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.toString()).toBe('{"price":2,"id":1}\n{}\n');
  });

  it('dotted names reach into nested objects and keep the nesting', async () => {
    const rec = { id: 7, address: { city: 'Oslo', zip: '0150', geo: { lat: 59.9 } }, tags: ['x', 'y'] };
    const r = await runBuiltin('pick', { fields: ['address.city', 'id', 'address.geo.lat', 'tags.1', 'address.none.deeper'] }, ndjson([rec]));
    expect(r.stdout.toString()).toBe('{"address":{"city":"Oslo","geo":{"lat":59.9}},"id":7,"tags":{"1":"y"}}\n');
    const whole = await runBuiltin('pick', { fields: ['address', 'address.city'] }, ndjson([rec]));
    expect(records(whole.stdout)).toEqual([{ address: rec.address }]);
  });

  it('does not let __proto__ reach the prototype', async () => {
    const r = await runBuiltin('pick', { fields: ['__proto__.x', 'a'] }, '{"__proto__":{"x":1},"a":2}\n');
    expect(r.stdout.toString()).toBe('{"__proto__":{"x":1},"a":2}\n');
  });

  it('a record that is not an object is a record error (onError)', async () => {
    const fail = await runBuiltin('pick', { fields: ['a'] }, '{"a":1}\n[1]\n');
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/^record 2 is an array, not an object with fields; pick works on JSON objects, or set `onError: skip`/);
    const skip = await runBuiltin('pick', { fields: ['a'], onError: 'skip' }, '{"a":1}\n3\nnull\n{"a":4}\n');
    expect(skip.stdout.toString()).toBe('{"a":1}\n{"a":4}\n');
    expect(skip.stderr).toMatch(/skipped 2 of 4 records/);
  });
});

describe('sample', () => {
  const input = ndjson(Array.from({ length: 20_000 }, (_, i) => ({ i })));

  it('every: N passes records 1, N+1, 2N+1, …', async () => {
    const r = await runBuiltin('sample', { every: 3 }, ndjson(Array.from({ length: 10 }, (_, i) => ({ i: i + 1 }))));
    expect(records(r.stdout)).toEqual([{ i: 1 }, { i: 4 }, { i: 7 }, { i: 10 }]);
    const one = await runBuiltin('sample', { every: 1 }, input);
    expect(one.stdout.toString()).toBe(input);
  });

  it('fraction with a seed: the same sample every time, about the right size, in order', async () => {
    const a = await runBuiltin('sample', { fraction: 0.1, seed: 42 }, input);
    const b = await runBuiltin('sample', { fraction: 0.1, seed: 42 }, input);
    const c = await runBuiltin('sample', { fraction: 0.1, seed: 43 }, input);
    expect(a.code).toBe(0);
    expect(a.stdout.equals(b.stdout)).toBe(true);
    expect(a.stdout.equals(c.stdout)).toBe(false);
    const got = records(a.stdout) as { i: number }[];
    expect(got.length).toBeGreaterThan(1700);
    expect(got.length).toBeLessThan(2300);
    expect(got.every((r, k) => k === 0 || r.i > got[k - 1]!.i)).toBe(true);
  });

  it('fraction without a seed differs between runs; fraction 1 passes everything', async () => {
    const a = await runBuiltin('sample', { fraction: 0.5 }, input);
    const b = await runBuiltin('sample', { fraction: 0.5 }, input);
    expect(a.stdout.equals(b.stdout)).toBe(false);
    expect((await runBuiltin('sample', { fraction: 1, seed: 1 }, input)).stdout.toString()).toBe(input);
  });
});
