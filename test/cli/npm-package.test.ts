// The CLI as npm users get it: `npm pack` (scripts/npm-package.ts), the tarball installed into an
// empty prefix, and `pipewright` run from that prefix's bin/ on a PATH without this repository or
// its node_modules, in a copy of the examples with no repository around it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostTarget, nativeProgramPath } from '../../engine/native-programs';
import { builtPrograms, packCli } from '../../scripts/npm-package';
import { pipewright as repoCli, repoRoot } from './cli';

let dir = '';
let prefix = '';
let examples = '';
let files: string[] = [];
/** Only what a user's shell has: Node's folder, the system's, no npm_config_* of the test run. */
let env: NodeJS.ProcessEnv = {};

function installed(args: string[], cwd = examples) {
  const r = spawnSync('pipewright', args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

/**
 * The summary's rows as [stage, status, records in, records out] ([stage, status] for a worker, the
 * text of a note): CPU, memory and times vary from run to run, so they are left out.
 */
function stagesOf(stderr: string): string[][] {
  const lines = stderr.split('\n');
  const header = lines.findIndex((l) => /^ {2}stage +status +in +out /.test(l));
  return lines
    .slice(header + 1)
    .filter((l) => l.startsWith('  '))
    .map((l) => {
      const cells = l.trim().split(/ {2,}/);
      return /^(—|[\d,]+ rec)/.test(cells[2] ?? '') ? cells.slice(0, 4) : cells.slice(0, 2);
    });
}

/** Upstream of a `head`, a stage ends well either way: done before it, or stopped early by it (which comes first is the scheduler's). */
const ended = (rows: string[][]) => rows.map(([name, status, ...rest]) => [name, /^(ok|stopped early\b)/.test(status ?? '') ? 'ended well' : status, ...rest]);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-npm-'));
  const packed = await packCli(path.join(dir, 'stage'), path.join(dir, 'packed'));
  files = packed.files;
  prefix = path.join(dir, 'prefix');
  env = { PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter), HOME: process.env.HOME, LANG: 'C.UTF-8' };
  const npm = spawnSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', packed.tarball], {
    env: { ...env, npm_config_cache: path.join(dir, 'npm-cache') },
    encoding: 'utf8',
  });
  if (npm.status !== 0) throw new Error(`npm install of ${packed.tarball} failed:\n${npm.stderr}`);
  examples = path.join(dir, 'work/examples');
  fs.cpSync(path.join(repoRoot, 'examples'), examples, { recursive: true });
}, 180_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the CLI, its built-in stages and the engine programs, nothing else (no sources, no maps)', () => {
    const programs = builtPrograms();
    expect(programs).toContain(path.relative(repoRoot, nativeProgramPath(path.join(repoRoot, 'dist'), hostTarget)));
    expect(files).toEqual(
      ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist/builtin.cjs', 'dist/cli-main.cjs', 'dist/cli.cjs', ...programs, 'package.json'].sort(),
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(prefix, 'lib/node_modules/pipewright/package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: 'pipewright', bin: { pipewright: 'dist/cli.cjs' }, engines: { node: '>=20' }, os: ['linux'] });
    expect(manifest).not.toHaveProperty('private');
    expect(manifest).not.toHaveProperty('scripts');
    expect(manifest).not.toHaveProperty('devDependencies');
  });

  it('installs a `pipewright` command that runs with no repository on PATH', () => {
    expect(env.PATH).not.toContain(repoRoot);
    const which = spawnSync('sh', ['-c', 'command -v pipewright'], { env, encoding: 'utf8' });
    expect(which.stdout.trim()).toBe(path.join(prefix, 'bin/pipewright'));
    const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(installed(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('check: the examples are clean (no output, exit 0); a broken file gets its problem line and exit 1', () => {
    const names = fs.readdirSync(examples).filter((f) => f.endsWith('.pipeline.yaml'));
    expect(names.length).toBeGreaterThan(5);
    expect(installed(['check', ...names])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    fs.writeFileSync(path.join(examples, 'broken.pipeline.yaml'), 'stages:\n  - name: one\n    rn: cat\n');
    try {
      expect(installed(['check', 'broken.pipeline.yaml'])).toMatchObject({
        code: 1,
        stdout: 'broken.pipeline.yaml:3:5: error unknown-key: Stage `one`: unknown key `rn` in a stage. Did you mean `run`?\n',
        stderr: '1 error, 0 warnings in 1 file\n',
      });
    } finally {
      fs.rmSync(path.join(examples, 'broken.pipeline.yaml'));
    }
  });

  it('run: the access-log example’s records, and its stages’ counts, exactly', () => {
    const r = installed(['run', 'access-log.pipeline.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '{"path":"/api/cart","count":40}',
        '{"path":"/api/products","count":33}',
        '{"path":"/static/app.js","count":29}',
        '{"path":"/login","count":27}',
        '{"path":"/api/orders","count":26}',
        '{"path":"/","count":25}',
        '{"path":"/api/search?q=lamp","count":24}',
        '{"path":"/api/products/17","count":24}',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toMatch(/^pipewright: access-log\.pipeline\.yaml finished in .*: 8 records \(272 B\)$/m);
    expect(stagesOf(r.stderr)).toEqual([
      ['read', 'ok', '—', '400 rec (41 KiB)'],
      ['slow-or-failing', 'ok', '400 rec (41 KiB)', '228 rec (24 KiB)'],
      ['per-path', 'ok', '228 rec (24 KiB)', '228 rec (2.6 KiB)'],
      ['count', 'ok', '228 rec (2.6 KiB)', '8 rec (160 B)'],
      ['as-records', 'ok', '8 rec (160 B)', '8 rec (272 B)'],
    ]);
  });

  it('run: every other example gives the records and counts the repository’s own build gives', { timeout: 180_000 }, () => {
    for (const name of fs.readdirSync(examples).filter((f) => f.endsWith('.pipeline.yaml') && f !== 'access-log.pipeline.yaml')) {
      const mine = installed(['run', name]);
      const theirs = repoCli(['run', name], { cwd: examples });
      expect({ name, code: mine.code, stdout: mine.stdout, stages: ended(stagesOf(mine.stderr)) }).toEqual({
        name,
        code: 0,
        stdout: theirs.stdout,
        stages: ended(stagesOf(theirs.stderr)),
      });
    }
  });

  it('doctor: everything there, the engine program and built-in stages from the package itself', () => {
    const r = installed(['doctor']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const pkg = path.join(prefix, 'lib/node_modules/pipewright/dist');
    expect(r.stdout).toMatch(new RegExp(`^ {2}ok +engine program \\(linux-${process.arch}\\) +${pkg}/native/linux-${process.arch}/pw-segment$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^ {2}ok +built-in stages +${pkg}/builtin\\.cjs$`, 'm'));
    expect(r.stdout).toMatch(/^Everything Pipewright uses is there\.$/m);
  });
});
