// Hostile input to the CLI: what a user may hand it that is not what it expects.
import { spawnSync } from 'node:child_process';
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

describe('values no program can be given', () => {
  it('a NUL in a `command:` argument is a check problem with its place (exit 1), and run refuses the file (exit 2) before starting anything', () => {
    const f = file('nul.pipeline.yaml', 'stages:\n  - command: [echo, "a\\0b"]\n');
    const checked = pipewright(['check', f]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toBe(
      `${f}:2:21: error nul-character: Stage 1: \`command[1]\` holds a NUL character (\\0), which no program can be given: arguments, environment variables and paths end at the first NUL. Remove it; to pass binary data, send it on standard input.\n`,
    );
    const run = pipewright(['run', f]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('error nul-character');
    expect(run.stderr).not.toMatch(/options\.env|null bytes/);
  });
});

describe('a pipeline file that is no file', () => {
  it('check, run and graph refuse a device (/dev/zero would never end), a FIFO, a folder, and a file over 16 MiB, each said plainly (exit 2)', () => {
    const fifo = path.join(dir, 'p.pipeline.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const big = path.join(dir, 'big.pipeline.yaml');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 16 * 1024 * 1024 + 1);
    const why: [string, string][] = [
      ['/dev/zero', 'it is a character device, not a regular file; save the pipeline to a file and give its name'],
      [fifo, 'it is a FIFO (a pipe), not a regular file; save the pipeline to a file and give its name'],
      [dir, 'it is a folder; give a *.pipeline.yaml file'],
      [big, 'it holds 16,777,217 bytes, more than a pipeline file may (16 MiB)'],
    ];
    for (const [f, reason] of why) {
      expect(pipewright(['check', f])).toMatchObject({ code: 2, stdout: '', stderr: `pipewright: cannot read ${f}: ${reason}\n` });
      expect(pipewright(['graph', f])).toMatchObject({ code: 2, stdout: '', stderr: `pipewright: cannot read ${f}: ${reason}\n` });
      const run = pipewright(['run', f]);
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr).toContain(`pipewright: ${f}: cannot read the pipeline file: ${reason}\n`);
    }
  });
});
