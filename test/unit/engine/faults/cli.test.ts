// Fault injection through the built CLI: signals (each cancelling one, and SIGKILL), a terminal
// hang-up, stdout that cannot be written, stdin dealt to workers. After each: the exit code as
// documented, no process of the run left (marker.ts), no temporary file, the old file kept.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath } from '../../../cli/cli';
import { envWith, marked, newMarker, scratchDir, temporaryFiles, waitUntilGone, waitUntilMarked } from './marker';

const old = '{"old":1}\n';
let dir = '';

afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** A pipeline with workers, a grandchild (`sleep &`) and a `write`, that runs until stopped. */
const endless = `stages:
  - run: yes '{"y":1}'
  - run: cat
    workers: 2
  - run: "sleep 300 & cat"
  - name: save
    use: write
    with: { path: out.ndjson }
  - name: announce
    run: "echo started >&2; exec cat"
`;

function setUp(yaml: string): { file: string; marker: string } {
  dir = scratchDir();
  fs.writeFileSync(path.join(dir, 'out.ndjson'), old);
  fs.writeFileSync(path.join(dir, 'p.pipeline.yaml'), yaml);
  return { file: path.join(dir, 'p.pipeline.yaml'), marker: newMarker() };
}

/** Starts the CLI, waits until its last stage said it started, and returns it with its exit. */
type Exit = { code: number | null; signal: NodeJS.Signals | null };

async function startCli(file: string, marker: string): Promise<{ pid: number; exit: Promise<Exit> }> {
  const child = spawn(process.execPath, [cliPath, 'run', '-q', file], { env: envWith(marker), stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('[announce] started')) resolve();
    });
  });
  return { pid: child.pid!, exit };
}

describe('the CLI killed by a signal', () => {
  for (const [signal, n] of [
    ['SIGHUP', 1],
    ['SIGINT', 2],
    ['SIGQUIT', 3],
    ['SIGTERM', 15],
  ] as const) {
    it(`${signal}: cancels, exits ${128 + n}, leaves no process and the file as it was`, async () => {
      const { file, marker } = setUp(endless);
      const cli = await startCli(file, marker);
      // Every process of the run is up: the CLI, yes, two copies of cat, sh with its grandchild
      // sleep and its cat, write, announce's cat (and whatever runs them: none once native).
      // sh forks its cat after its sleep: wait for all nine, not only the late ones.
      const up = await waitUntilMarked(
        marker,
        (found) => found.length >= 9 && found.some((p) => / sleep 300 /.test(p)) && found.some((p) => /builtin\.cjs write/.test(p)),
      );
      expect(up.length).toBeGreaterThanOrEqual(9);
      process.kill(cli.pid, signal);
      expect(await cli.exit).toEqual({ code: 128 + n, signal: null });
      await waitUntilGone(marker);
      expect(temporaryFiles(dir)).toEqual([]);
      expect(fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8')).toBe(old);
    });
  }

  it('SIGINT at once, while the run is still starting: nothing is left, whichever moment it hit', async () => {
    const { file, marker } = setUp(endless);
    const child = spawn(process.execPath, [cliPath, 'run', '-q', file], { env: envWith(marker), stdio: 'ignore' });
    const exit = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    // As soon as the first process of the run exists (or the CLI is gone): mid-start.
    while (marked(marker).length < 2 && child.exitCode === null) await new Promise((resolve) => setImmediate(resolve));
    child.kill('SIGINT');
    // Before Node's own handlers exist, SIGINT ends it as a signal; after, the CLI exits 130.
    expect([JSON.stringify({ code: 130, signal: null }), JSON.stringify({ code: null, signal: 'SIGINT' })]).toContain(JSON.stringify(await exit));
    await waitUntilGone(marker);
    expect(temporaryFiles(dir)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8')).toBe(old);
  });

  it('SIGKILL: the kernel hangs every segment up, which ends its stages; `write` removes its temporary file', async () => {
    const { file, marker } = setUp(endless);
    const cli = await startCli(file, marker);
    process.kill(cli.pid, 'SIGKILL');
    expect(await cli.exit).toEqual({ code: null, signal: 'SIGKILL' });
    await waitUntilGone(marker);
    expect(temporaryFiles(dir)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8')).toBe(old);
  });

  it('SIGKILL during a graph (fan-out, fan-in): every branch ends, nothing is left in TMPDIR', async () => {
    const { file, marker } = setUp(`stages:
  - name: src
    run: yes
  - name: left
    run: cat
  - name: right
    input: src
    run: cat
  - name: announce
    input: [left, right]
    run: "echo started >&2; exec cat"
`);
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    const child = spawn(process.execPath, [cliPath, 'run', '-q', file], { env: { ...envWith(marker), TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] });
    const exit = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let stderr = '';
    await new Promise<void>((resolve) => child.stderr.on('data', (c: Buffer) => (stderr += c.toString()).includes('[announce] started') && resolve()));
    process.kill(child.pid!, 'SIGKILL');
    expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
    await waitUntilGone(marker);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('a terminal hang-up (its pty closed): exits 129 and leaves nothing', async () => {
    const { file, marker } = setUp(endless);
    // python3's pty module: the CLI gets a real controlling terminal, which is then closed.
    const driver = `
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
seen = b''
while b'[announce] started' not in seen:
    seen += os.read(fd, 4096)
os.close(fd)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
`;
    const r = spawnSync('python3', ['-c', driver, process.execPath, cliPath, 'run', file], { env: envWith(marker), encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('129');
    await waitUntilGone(marker);
    expect(temporaryFiles(dir)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8')).toBe(old);
  });
});

describe('the CLI under other faults', () => {
  /** Runs `shell` with PW standing for the CLI with `args`. */
  const run = (args: string[], shell: string, marker = newMarker()) => {
    const cli = [process.execPath, cliPath, ...args].map((a) => JSON.stringify(a)).join(' ');
    return spawnSync('/bin/bash', ['-c', shell.replace('PW', cli)], { env: envWith(marker), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  };

  it('stdin into a first stage with workers is dealt: every record once, in order with `ordered: true`', () => {
    const { file } = setUp('stages:\n  - run: cat\n    workers: 4\n');
    const unordered = run(['run', '-q', file], 'seq 1 300000 | PW | sort -n | md5sum');
    const want = spawnSync('/bin/bash', ['-c', 'seq 1 300000 | md5sum'], { encoding: 'utf8' }).stdout;
    expect(unordered.stdout).toBe(want);
    fs.writeFileSync(file, 'stages:\n  - run: cat\n    workers: 4\n    ordered: true\n');
    expect(run(['run', '-q', file], 'seq 1 300000 | PW | md5sum').stdout).toBe(want);
  });

  it('a write error on stdout other than EPIPE fails the run (exit 1), naming it; EPIPE is an early stop (exit 0)', () => {
    const { file } = setUp('stages:\n  - run: seq 1 300000\n');
    const full = run(['run', '-q', file], 'PW > /dev/full');
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/cannot write records to standard output: ENOSPC/);
    const limited = run(['run', '-q', file], `ulimit -f 100; PW > ${JSON.stringify(path.join(dir, 'x'))}`);
    expect(limited.status).toBe(1);
    expect(limited.stderr).toMatch(/EFBIG/);
    const head = run(['run', '-q', file], 'set -o pipefail; PW | head -n 1');
    expect([head.status, head.stdout]).toEqual([0, '1\n']);
  });

  it('an unwritable --stats-json is refused before anything starts (exit 2)', () => {
    const { file } = setUp(`stages:\n  - run: touch ran\n`);
    const r = run(['run', '--stats-json', '/nonexistent/stats.json', file], 'PW');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot write --stats-json \/nonexistent\/stats.json: its folder \/nonexistent does not exist; nothing was run/);
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
  });

  it('a missing program, a non-executable one and a missing cwd are refused before anything starts, each said plainly', () => {
    const { file } = setUp('stages:\n  - command: [no-such-program-here]\n');
    const said = (args: string[], status: number, stream: 'stdout' | 'stderr') => {
      const r = run(args, 'PW');
      expect(r.status).toBe(status);
      return r[stream];
    };
    expect(said(['run', file], 2, 'stderr')).toMatch(/`no-such-program-here` was not found on PATH/);
    fs.writeFileSync(path.join(dir, 'script.sh'), 'echo hi\n', { mode: 0o644 });
    fs.writeFileSync(file, 'stages:\n  - command: [./script.sh]\n');
    expect(said(['check', file], 0, 'stdout')).toMatch(/script.sh` \(.*\) is not executable/);
    expect(said(['run', file], 2, 'stderr')).toMatch(/script.sh` \(.*\) is not executable; make it executable/);
    fs.writeFileSync(file, 'stages:\n  - run: cat\n    cwd: no-such-dir\n');
    expect(run(['run', file], 'PW')).toMatchObject({ status: 2, stdout: '' });
  });
});
