// The launcher's V8 code cache (cli/launch.ts): made once per command, then used as it is; a cache
// that is damaged, or a folder it cannot be written to, changes nothing the user sees.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from './cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-compile-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pipewright(cacheHome: string, args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: repoRoot,
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const caches = (home: string) => (fs.existsSync(path.join(home, 'pipewright')) ? fs.readdirSync(path.join(home, 'pipewright')).sort() : []);
const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('the CLI code cache', () => {
  it('is written by the first run of a command, private to the user, and used as it is by the next', () => {
    const home = path.join(dir, 'fresh');
    expect(pipewright(home, ['check', 'examples/products.pipeline.yaml'])).toMatchObject({ code: 0, stderr: '' });
    const [check] = caches(home);
    expect(caches(home)).toEqual([expect.stringMatching(/^cli-check-[0-9a-z.-]+\.v8$/)]);
    const file = path.join(home, 'pipewright', check!);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const made = fs.readFileSync(file);
    const { ino } = fs.statSync(file);
    expect(made.length).toBeGreaterThan(0);
    // Accepted by V8, it is not made again: the same file (a new one would come by rename), byte for byte.
    expect(pipewright(home, ['check', 'examples/products.pipeline.yaml'])).toMatchObject({ code: 0, stderr: '' });
    expect(fs.statSync(file).ino).toBe(ino);
    expect(fs.readFileSync(file).equals(made)).toBe(true);
    // Another command has a cache of its own.
    expect(pipewright(home, ['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(caches(home)).toEqual([check, caches(home).find((n) => /^cli-other-[0-9a-z.-]+\.v8$/.test(n))]);
  });

  it('damaged: the command runs as usual and the cache is made again', () => {
    const home = path.join(dir, 'damaged');
    expect(pipewright(home, ['--version']).code).toBe(0);
    const file = path.join(home, 'pipewright', caches(home)[0]!);
    fs.writeFileSync(file, 'not a code cache');
    expect(pipewright(home, ['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(fs.readFileSync(file, 'utf8')).not.toBe('not a code cache');
    expect(fs.statSync(file).size).toBeGreaterThan(1000);
  });

  it('of an older build: replaced, not kept beside the new one', () => {
    const home = path.join(dir, 'older');
    fs.mkdirSync(path.join(home, 'pipewright'), { recursive: true });
    const old = path.join(home, 'pipewright', `cli-other-${'0'.repeat(32)}.v8`);
    fs.writeFileSync(old, 'the cache of another build');
    expect(pipewright(home, ['--version']).code).toBe(0);
    expect(caches(home)).toEqual([expect.stringMatching(/^cli-other-[0-9a-z.-]+\.v8$/)]);
    expect(fs.existsSync(old)).toBe(false);
  });

  it('a cache folder that cannot be made: the command runs as usual, says nothing about it', () => {
    const home = path.join(dir, 'a-file');
    fs.writeFileSync(home, '');
    const r = pipewright(home, ['run', 'examples/products.pipeline.yaml', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('of a rebuilt CLI of the same size: not used (V8 itself checks only the length), a new one made', () => {
    const home = path.join(dir, 'rebuilt');
    const copy = path.join(dir, 'rebuilt-cli');
    fs.mkdirSync(copy);
    for (const f of ['cli.cjs', 'cli-main.cjs']) fs.copyFileSync(path.join(path.dirname(cliPath), f), path.join(copy, f));
    const run = () =>
      spawnSync(process.execPath, [path.join(copy, 'cli.cjs'), '--version'], { env: { ...process.env, XDG_CACHE_HOME: home }, encoding: 'utf8' });
    expect(run().stdout).toBe(`${version}\n`);
    const main = path.join(copy, 'cli-main.cjs');
    const other = version.replace(/^\d/, (d) => String((Number(d) + 1) % 10));
    fs.writeFileSync(main, fs.readFileSync(main, 'latin1').replaceAll(JSON.stringify(version), JSON.stringify(other)), 'latin1');
    expect(run()).toMatchObject({ status: 0, stdout: `${other}\n`, stderr: '' });
    expect(caches(home)).toHaveLength(1);
  });

  it('the launcher copied alone, without the CLI: exit 2 and what to do, no stack trace', () => {
    const lone = path.join(dir, 'lone/cli.cjs');
    fs.mkdirSync(path.dirname(lone));
    fs.copyFileSync(cliPath, lone);
    const r = spawnSync(process.execPath, [lone, '--version'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `pipewright: cannot read ${path.join(dir, 'lone/cli-main.cjs')}, the CLI itself (ENOENT): npm install -g pipewright (reinstalling puts it back)\n`,
    );
  });
});
