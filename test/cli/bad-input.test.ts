// Hostile input to the CLI: what a user may hand it that is not what it expects.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pipewright } from './cli';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bad-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes `text` as `name` in the test's folder and returns its path. */
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('pipewright run with bad input', () => {
  it('`use: write` to /dev/stdout writes straight through (the records then come twice, as with `tee /dev/stdout`)', () => {
    const f = file('out.pipeline.yaml', 'stages:\n  - run: printf \'{"a":1}\\n\'\n  - use: write\n    with: { path: /dev/stdout }\n');
    const r = pipewright(['run', '--quiet', f]);
    expect(r.stderr).toBe('');
    expect([r.code, r.stdout]).toEqual([0, '{"a":1}\n{"a":1}\n']);
  });

  it('--stats-json or --trace where no file can be created (/proc, as root too) refuses the run before it starts (exit 2)', () => {
    const f = file('touch.pipeline.yaml', 'stages:\n  - run: touch ran\n');
    for (const flag of ['--stats-json', '--trace']) {
      const r = pipewright(['run', flag, '/proc/x.json', f], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`pipewright: cannot write ${flag} /proc/x.json: no file can be created in /proc; nothing was run\n`);
      expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
    }
  });

  it('--stats-json keeps an existing file until the run has ended, then replaces its contents', () => {
    const f = file('one.pipeline.yaml', 'stages:\n  - run: echo 1\n');
    const stats = file('stats.json', 'x'.repeat(100_000));
    expect(pipewright(['run', '-q', '--stats-json', stats, f]).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(stats, 'utf8'))).toMatchObject({ outcome: 'succeeded', records: 1 });
  });
});
