import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bash, ndjson, records, runBuiltin, tempDir } from './helpers';

/** Files in `dir` other than the ones named, e.g. leftover temporary files. */
function others(dir: string, ...names: string[]): string[] {
  return fs.readdirSync(dir).filter((f) => !names.includes(f));
}

describe('write', () => {
  it('ndjson: writes the records to the file and passes them on unchanged', async () => {
    const dir = tempDir();
    const input = '{"a":1}\n{ "b" : 2 }\n\n{"c":3}';
    const r = await runBuiltin('write', { path: 'out.ndjson' }, input, { cwd: dir });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.toString()).toBe('{"a":1}\n{ "b" : 2 }\n{"c":3}\n');
    expect(fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8')).toBe('{"a":1}\n{ "b" : 2 }\n{"c":3}\n');
    expect(others(dir, 'out.ndjson')).toEqual([]);
  });

  it('csv: a header from the first record, quoting, nested values as JSON, null as empty', async () => {
    const dir = tempDir();
    const input = ndjson([
      { id: 1, name: 'Kettle, steel', ok: true, note: null, tags: ['a', 'b'] },
      { id: 2, name: 'Lamp "deluxe"', ok: false, note: 'two\nlines', extra: 'dropped' },
    ]);
    const r = await runBuiltin('write', { path: 'out.csv' }, input, { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe(input);
    expect(r.stderr).toMatch(/^record 2 has fields that are not in the CSV header \(extra\); they are left out/);
    expect(fs.readFileSync(path.join(dir, 'out.csv'), 'utf8')).toBe(
      'id,name,ok,note,tags\n1,"Kettle, steel",true,,"[""a"",""b""]"\n2,"Lamp ""deluxe""",false,"two\nlines",\n',
    );
    // and `read` gives the same records back (typed)
    const back = await runBuiltin('read', { path: 'out.csv' }, '', { cwd: dir });
    expect(records(back.stdout)).toEqual([
      { id: 1, name: 'Kettle, steel', ok: true, note: null, tags: '["a","b"]' },
      { id: 2, name: 'Lamp "deluxe"', ok: false, note: 'two\nlines', tags: null },
    ]);
  });

  it('format overrides the extension; no records gives an empty file', async () => {
    const dir = tempDir();
    await runBuiltin('write', { path: 'out.txt', format: 'csv' }, '{"a":1}\n', { cwd: dir });
    expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('a\n1\n');
    const empty = await runBuiltin('write', { path: 'empty.csv' }, '', { cwd: dir });
    expect(empty.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'empty.csv'), 'utf8')).toBe('');
  });

  it('a bad record fails the stage and leaves nothing under the final name (an old file stays as it was)', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'old.csv'), 'previous\n');
    const r = await runBuiltin('write', { path: 'old.csv' }, '{"a":1}\n{"a":\n', { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/record 2 is not valid JSON .*nothing was written to old\.csv/);
    expect(fs.readFileSync(path.join(dir, 'old.csv'), 'utf8')).toBe('previous\n');
    expect(others(dir, 'old.csv')).toEqual([]);
    const arr = await runBuiltin('write', { path: 'new.csv' }, '[1,2]\n', { cwd: dir });
    expect(arr.code).toBe(1);
    expect(arr.stderr).toMatch(/record 1 is not an object/);
    expect(others(dir, 'old.csv')).toEqual([]);
  });

  it('killed mid-way (SIGTERM): no file under the final name, no temporary file left', async () => {
    const dir = tempDir();
    let killed = false;
    const r = await runBuiltin('write', { path: 'out.ndjson' }, ndjson([{ a: 1 }, { a: 2 }]), {
      cwd: dir,
      keepStdinOpen: true,
      // Records have gone through, so the temporary file holds them: now stop it.
      onStdout: (_chunk, child) => {
        if (killed) return;
        killed = true;
        expect(others(dir).length).toBe(1);
        child.kill('SIGTERM');
      },
    });
    expect(killed).toBe(true);
    expect(r.stdout.toString()).toBe('{"a":1}\n{"a":2}\n');
    expect(r.code).toBe(143);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('killed with SIGKILL: still nothing under the final name', async () => {
    const dir = tempDir();
    const r = await runBuiltin('write', { path: 'out.ndjson' }, '{"a":1}\n', {
      cwd: dir,
      keepStdinOpen: true,
      onStdout: (_chunk, child) => child.kill('SIGKILL'),
    });
    expect(r.signal).toBe('SIGKILL');
    expect(fs.existsSync(path.join(dir, 'out.ndjson'))).toBe(false);
  });

  it('a reader that goes away ends it quietly (141) and removes the temporary file', () => {
    const dir = tempDir();
    const r = bash(`cd '${dir}' && yes '{"a":1}' | node "$B" write '{"path":"out.ndjson"}' | head -n 1; echo "statuses=\${PIPESTATUS[*]}"`);
    expect(r.stdout).toBe('{"a":1}\nstatuses=141 141 0\n');
    expect(r.stderr).toBe('');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a missing folder fails clearly', async () => {
    const r = await runBuiltin('write', { path: 'no/such/dir/out.ndjson' }, '{}\n', { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot write no\/such\/dir\/out\.ndjson: its folder .*no\/such\/dir does not exist/);
  });

  it('a big input is written whole', async () => {
    const dir = tempDir();
    const input = ndjson(Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'z'.repeat(i % 50) })));
    const r = await runBuiltin('write', { path: 'big.ndjson' }, input, { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(input.length);
    expect(fs.readFileSync(path.join(dir, 'big.ndjson'), 'utf8')).toBe(input);
  });
});
