import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { typedValue } from '../../../engine/builtins/read';
import { bash, fixtures, records, runBuiltin, tempDir } from './helpers';

const fx = (f: string): string => path.join(fixtures, f);

describe('read ndjson', () => {
  it('streams the bytes through, adding a missing final newline', async () => {
    const r = await runBuiltin('read', { path: fx('no-final-newline.ndjson') });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.toString()).toBe('{"a":1}\n{"a":2}\n');
  });

  it('passes a file of any other extension byte for byte', async () => {
    const dir = tempDir();
    const text = '{"x":"é"}\n\n{"y":[1, 2]}\n';
    fs.writeFileSync(path.join(dir, 'data.log'), text);
    const r = await runBuiltin('read', { path: 'data.log' }, '', { cwd: dir });
    expect(r.stdout.toString()).toBe(text);
  });

  it('an empty file gives no records', async () => {
    const r = await runBuiltin('read', { path: fx('empty.ndjson') });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.length).toBe(0);
  });

  it('ignores its stdin: it ends even when stdin stays open', async () => {
    const r = await runBuiltin('read', { path: fx('no-final-newline.ndjson') }, 'not read\n', { keepStdinOpen: true });
    expect(r.code).toBe(0);
    expect(records(r.stdout)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('a missing file fails with status 1, naming the file and what to do', async () => {
    const r = await runBuiltin('read', { path: 'no/such/file.csv' });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/cannot read no\/such\/file\.csv .*there is no such file; fix `path`/);
  });

  it('a folder fails clearly', async () => {
    const r = await runBuiltin('read', { path: fixtures });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/it is a folder/);
  });

  it('a reader that goes away ends it quietly with status 141', () => {
    const dir = tempDir();
    const big = path.join(dir, 'big.ndjson');
    fs.writeFileSync(big, '{"n":1}\n'.repeat(500_000));
    const r = bash(`node "$B" read '${JSON.stringify({ path: big })}' | head -n 1; echo "status=\${PIPESTATUS[0]}"`);
    expect(r.stdout).toBe('{"n":1}\nstatus=141\n');
    expect(r.stderr).toBe('');
  });
});

describe('read csv and tsv', () => {
  it('names fields from the header, handles quoting, and types unquoted values', async () => {
    const r = await runBuiltin('read', { path: fx('typed.csv') });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(records(r.stdout)).toEqual([
      { id: 1, name: 'Kettle, steel', zip: '02134', price: 21.5, available: true, note: null, big: '12345678901234567890', when: '2024-01-02' },
      { id: 2, name: 'Lamp "deluxe"', zip: 90210, price: -300, available: false, note: '', big: 7, when: null },
      { id: 3, name: 'two\nlines', zip: '00000', price: 0, available: 'true', note: ' spaced ', big: 1, when: 'x' },
    ]);
  });

  it('keeps field order of the header', async () => {
    const r = await runBuiltin('read', { path: fx('typed.csv') });
    expect(Object.keys(records(r.stdout)[0] as object)).toEqual(['id', 'name', 'zip', 'price', 'available', 'note', 'big', 'when']);
  });

  it('header: false names fields c1, c2, … and allows rows of any length', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'rows.csv'), 'a,b,c\n1\n2,3\n');
    const r = await runBuiltin('read', { path: 'rows.csv', header: false }, '', { cwd: dir });
    expect(records(r.stdout)).toEqual([{ c1: 'a', c2: 'b', c3: 'c' }, { c1: 1 }, { c1: 2, c2: 3 }]);
  });

  it('a repeated or empty header name loses no column: `name_2`, `column_N`, each said on stderr', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'dup.csv'), 'id,name,name,price\n1,alice,ALICE,3\n');
    fs.writeFileSync(path.join(dir, 'blank.csv'), 'id,,,column_3\n1,a,b,c\n');
    const dup = await runBuiltin('read', { path: 'dup.csv' }, '', { cwd: dir });
    expect(dup.code).toBe(0);
    expect(records(dup.stdout)).toEqual([{ id: 1, name: 'alice', name_2: 'ALICE', price: 3 }]);
    expect(dup.stderr).toBe('dup.csv: column 3 repeats the header name `name`; its field is named `name_2` (rename it in the header to choose)\n');
    const blank = await runBuiltin('read', { path: 'blank.csv' }, '', { cwd: dir });
    expect(records(blank.stdout)).toEqual([{ id: 1, column_2: 'a', column_3_2: 'b', column_3: 'c' }]);
    expect(blank.stderr.trimEnd().split('\n')).toEqual([
      'blank.csv: column 2 has no name in the header; its field is named `column_2` (rename it in the header to choose)',
      'blank.csv: column 3 has no name in the header; its field is named `column_3_2` (rename it in the header to choose)',
    ]);
  });

  it('tsv: tab-separated, from the extension', async () => {
    const r = await runBuiltin('read', { path: fx('simple.tsv') });
    expect(records(r.stdout)).toEqual([{ a: 1, b: 'x\ty' }]);
  });

  it('format overrides the extension', async () => {
    const r = await runBuiltin('read', { path: fx('simple.tsv'), format: 'csv' });
    expect(records(r.stdout)).toEqual([{ 'a\tb': '1\t"x\ty"' }]);
  });

  it('a row with the wrong number of fields fails with its line number', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ragged.csv'), 'a,b\n1,2\n3\n');
    const r = await runBuiltin('read', { path: 'ragged.csv' }, '', { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ragged\.csv is not valid CSV: .*line 3.*as many fields as the header/);
  });

  it('a CSV with only a header, or empty, gives no records; a BOM is dropped', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'h.csv'), 'a,b\n');
    fs.writeFileSync(path.join(dir, 'e.csv'), '');
    fs.writeFileSync(path.join(dir, 'bom.csv'), '\ufeffa,b\n1,2\n');
    for (const f of ['h.csv', 'e.csv']) expect((await runBuiltin('read', { path: f }, '', { cwd: dir })).stdout.length).toBe(0);
    expect(records((await runBuiltin('read', { path: 'bom.csv' }, '', { cwd: dir })).stdout)).toEqual([{ a: 1, b: 2 }]);
  });

  it('typing rule', () => {
    expect(typedValue('', false)).toBe(null);
    expect(typedValue('', true)).toBe('');
    expect(typedValue('True', false)).toBe(true);
    expect(typedValue('true', true)).toBe('true');
    expect(typedValue('1e3', false)).toBe(1000);
    expect(typedValue('+1', false)).toBe('+1');
    expect(typedValue('007', false)).toBe('007');
    expect(typedValue('9007199254740993', false)).toBe('9007199254740993');
    expect(typedValue('1e999', false)).toBe('1e999');
    expect(typedValue('0.1', false)).toBe(0.1);
    expect(typedValue('NaN', false)).toBe('NaN');
    expect(typedValue(' 1', false)).toBe(' 1');
  });
});

describe('read json', () => {
  it('an array: one compact record per element, any JSON values', async () => {
    const r = await runBuiltin('read', { path: fx('array.json') });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.toString()).toBe('{"a":1}\n{"a":[1,2,{"b":null}]}\n"str"\n3\nnull\n{"u":"é\\n"}\n');
  });

  it('refuses a document that is not an array, a cut-short array and trailing data', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'obj.json'), '  {"a": 1}');
    fs.writeFileSync(path.join(dir, 'cut.json'), '[{"a": 1}, {"a":');
    fs.writeFileSync(path.join(dir, 'bad.json'), '[1, }');
    const obj = await runBuiltin('read', { path: 'obj.json' }, '', { cwd: dir });
    expect(obj.code).toBe(1);
    expect(obj.stderr).toMatch(/obj\.json is not a JSON array .*use format ndjson/);
    const cut = await runBuiltin('read', { path: 'cut.json' }, '', { cwd: dir });
    expect(cut.code).toBe(1);
    expect(cut.stdout.toString()).toBe('{"a":1}\n');
    expect(cut.stderr).toMatch(/cut\.json ends before its JSON array is closed/);
    const bad = await runBuiltin('read', { path: 'bad.json' }, '', { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.json is not valid JSON/);
  });

  it('an empty array or an empty file gives no records', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'a.json'), ' [ ] ');
    fs.writeFileSync(path.join(dir, 'b.json'), '');
    for (const f of ['a.json', 'b.json']) {
      const r = await runBuiltin('read', { path: f }, '', { cwd: dir });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout.length).toBe(0);
    }
  });

  it('streams a big array: it never loads whole (runs under a heap far smaller than the data, memory flat)', async () => {
    const dir = tempDir();
    const write = (file: string, n: number): number => {
      const fd = fs.openSync(file, 'w');
      const text = 'x'.repeat(100_000);
      fs.writeSync(fd, '[\n');
      for (let i = 0; i < n; i++) fs.writeSync(fd, `${i > 0 ? ',\n' : ''}${JSON.stringify({ id: i, tags: ['a', i % 7], nested: { ok: i % 2 === 0, text } })}`);
      fs.writeSync(fd, '\n]\n');
      fs.closeSync(fd);
      return fs.statSync(file).size;
    };
    const n = 2500;
    const bigSize = write(path.join(dir, 'big.json'), n); // 250 MB
    write(path.join(dir, 'small.json'), 20);
    // JSON.parse of the whole file would need more than its size of heap: 24 MB cannot hold it.
    const nodeArgs = ['--max-old-space-size=24'];
    const small = await runBuiltin('read', { path: 'small.json' }, '', { cwd: dir, nodeArgs });
    const big = await runBuiltin('read', { path: 'big.json' }, '', { cwd: dir, nodeArgs });
    fs.rmSync(dir, { recursive: true });
    expect(big.stderr).toBe('');
    expect(big.code).toBe(0);
    const out = big.stdout.toString();
    expect(out.split('\n').length).toBe(n + 1);
    expect(out.slice(out.lastIndexOf('\n', out.length - 2) + 1)).toMatch(/^\{"id":2499,"tags":\["a",0\],"nested":\{"ok":false,"text":"x{100000}"\}\}\n$/);
    expect(bigSize).toBeGreaterThan(250_000_000);
    // Peak memory: well under half the file, and about what a file 100 times smaller needs.
    expect(big.peakRssKb).toBeGreaterThan(0);
    expect(big.peakRssKb * 1024).toBeLessThan(bigSize / 2);
    expect(big.peakRssKb - small.peakRssKb).toBeLessThan(48 * 1024);
  });
});

describe('read lines', () => {
  it('one {"line": …} per line: CRLF ends and a BOM dropped, blank lines skipped, a last line without newline kept, JSON escapes', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'app.log'), '\uFEFFfirst "quoted" \\ back\r\n\n\ttabbed\u0001\nlast');
    const r = await runBuiltin('read', { path: 'app.log', format: 'lines' }, '', { cwd: dir });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(records(r.stdout)).toEqual([{ line: 'first "quoted" \\ back' }, { line: '\ttabbed\u0001' }, { line: 'last' }]);
  });

  it('keeps bytes that are not UTF-8 as they are (valid UTF-8 stays text)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'latin1.log'), Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' é\n')]));
    const r = await runBuiltin('read', { path: 'latin1.log', format: 'lines' }, '', { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toEqual(Buffer.concat([Buffer.from('{"line":"caf'), Buffer.from([0xe9]), Buffer.from(' é"}\n')]));
  });

  it('a text file taken for NDJSON (no format, any other extension) fails at once, naming its first line and `format: lines`', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'dpkg.log'), '\n2026-12-07 00:02:32 status installed chromium:amd64 156.0\n{"a":1}\n');
    const r = await runBuiltin('read', { path: 'dpkg.log' }, '', { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(
      /dpkg\.log is not NDJSON: line 2 is not JSON \(`2026-12-07 00:02:32 status installed chromium:amd64 156\.0`\); set `format: lines`/,
    );
    // Said outright, ndjson passes the bytes through as always.
    const given = await runBuiltin('read', { path: 'dpkg.log', format: 'ndjson' }, '', { cwd: dir });
    expect(given).toMatchObject({ code: 0, stderr: '' });
    expect(given.stdout.toString()).toBe(fs.readFileSync(path.join(dir, 'dpkg.log'), 'utf8'));
  });

  it('checks regular files only: a pipe passes through unread (what is read cannot be read again)', () => {
    const r = bash(`printf '{"a":1}\\nnot json\\n' | node "$B" read '{"path":"/dev/stdin"}'`);
    expect(r).toMatchObject({ code: 0, stdout: '{"a":1}\nnot json\n', stderr: '' });
  });

  it('judges a first line longer than what it looks at by how it starts', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'long.log'), `${JSON.stringify({ text: 'x'.repeat(100_000) })}\n`);
    fs.writeFileSync(path.join(dir, 'long-text.log'), `${'x'.repeat(100_000)}\n`);
    expect((await runBuiltin('read', { path: 'long.log' }, '', { cwd: dir })).code).toBe(0);
    expect((await runBuiltin('read', { path: 'long-text.log' }, '', { cwd: dir })).stderr).toMatch(/long-text\.log is not NDJSON: line 1/);
  });
});

describe('options at run time', () => {
  it('fail with status 2 and say what is expected', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['read', {}, /`read` needs `path`: a non-empty string \(got nothing\)/],
      ['read', { path: 'x', format: 'xml' }, /`format` must be one of `ndjson`, `json`, `csv`, `tsv`/],
      ['read', { path: 'x', color: 1 }, /`read` has no option `color`; its options are `path`, `format`, `header`/],
      ['head', { count: 1.5 }, /`count` must be a whole number of at least 0 \(got 1\.5\)/],
      ['sample', {}, /`sample` needs `every: N`.*or `fraction: F`/],
      ['sample', { every: 2, fraction: 0.5 }, /not both/],
      ['sample', { fraction: 2 }, /`fraction` must be a number above 0 and at most 1/],
      ['pick', { fields: [] }, /`pick` needs `fields`: a list of non-empty strings/],
      ['filter', { expr: 'r.a >' }, /the expression `r\.a >` is not valid JavaScript/],
      ['nope', {}, /there is no built-in `nope`.*read, write, head, filter, map, pick, sample/],
    ];
    for (const [name, options, message] of cases) {
      const r = await runBuiltin(name, options);
      expect(r.code, `${name} ${JSON.stringify(options)}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const notJson = await runBuiltin('head', undefined, '', { env: { ...process.env, PIPEWRIGHT_BUILTIN_OPTIONS: '{count' } });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/the options of `head` are not valid JSON/);
  });

  it('come from PIPEWRIGHT_BUILTIN_OPTIONS when not given as an argument (as the engine passes them)', async () => {
    const r = await runBuiltin('head', undefined, '1\n2\n3\n', { env: { ...process.env, PIPEWRIGHT_BUILTIN_OPTIONS: '{"count":2}' } });
    expect(r.stdout.toString()).toBe('1\n2\n');
  });
});
