// The session's command on a host (engine/host-install.ts) under the shells and tools hosts have,
// without ssh: Debian's dash with coreutils, and BusyBox's sh with its own applets only (dd, wc,
// sha256sum, uname…), as on a small system. The engine's side is played here: on `\x01n` the
// program goes in small pieces (so `dd` gets short reads), then the plan and the data, which must
// reach pw-segment whole: the install reads exactly the program's bytes.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostBuilds, hostScript, hostVersion, programFrame } from '../../../../engine/host-install';
import { parseHostLine } from '../../../../engine/host-stream';
import { readLines } from '../../../../engine/lines';
import { hostTarget } from '../../../../engine/native-programs';
import { framedPlan } from '../../../../engine/remote';

/** BusyBox by its full path: PATH holds its applets only. */
const busybox = spawnSync('/bin/sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (name: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `pipewright-${name}-`));
  dirs.push(d);
  return d;
};

/** A folder holding BusyBox's applets (`busybox --install -s`), and nothing else, for PATH. */
function busyboxBin(): string {
  const bin = tmp('busybox');
  spawnSync(busybox, ['--install', '-s', bin]);
  return bin;
}

/** One session: its script run by `shell` (as `exec /bin/sh -c …` runs it on a host); answers `\x01n` with the program in 1 KiB writes; then the plan of one `cat` and `data`. */
async function session(shell: string[], env: Record<string, string>, data: Buffer) {
  const build = hostBuilds().find((b) => b.target === hostTarget)!;
  const child = spawn(shell[0]!, [...shell.slice(1), ...hostScript('-')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const asked: string[] = [];
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  const write = (b: Buffer) => new Promise<void>((resolve) => child.stdin.write(b, () => resolve()));
  const rest = async (program: Buffer | undefined) => {
    for (let i = 0; program && i < program.length; i += 1024) await write(program.subarray(i, i + 1024));
    await write(framedPlan([{ argv: ['cat'], dir: '.', env: { PATH: env.PATH! } }], false));
    child.stdin.end(data);
  };
  child.stdin.on('error', () => {});
  readLines(
    child.stderr,
    (line) => {
      if (line === '\x01g') void rest(undefined);
      if (line.startsWith('\x01n ')) void rest(programFrame(build));
      // The sh's own lines (pw-segment's are reports, stderr and its end).
      const kind = parseHostLine(line)?.kind;
      if (kind === 'go' || kind === 'install' || kind === 'unsupported' || kind === 'said') asked.push(line);
    },
    () => {},
  );
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', resolve);
    child.on('error', () => resolve(null));
  });
  return { code, asked, out: Buffer.concat(out), sha256: build.sha256 };
}

const shells = [
  { name: 'dash and coreutils', shell: () => ['/bin/sh', '-c'], path: () => '/usr/bin:/bin' },
  { name: 'BusyBox sh and applets', shell: () => [busybox, 'sh', '-c'], path: busyboxBin, skip: busybox === '' },
];

describe.each(shells)('the host command under $name', ({ shell, path: bin, skip }) => {
  it.skipIf(skip)('installs pw-segment from the pieces on stdin, then runs the plan on the data after them; the next session reads nothing ahead', async () => {
    const home = tmp('home');
    const env = { HOME: home, PATH: bin() };
    const run = (data: Buffer) => session(shell(), env, data);
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => `${i}\n`).join(''));
    const first = await run(data);
    expect(first.asked).toEqual([`\x01n ${hostTarget}`]);
    expect(first.code).toBe(0);
    expect(first.out.equals(data)).toBe(true);
    const file = path.join(home, '.cache', 'pipewright', hostVersion, hostTarget, 'pw-segment');
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(first.sha256);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['pw-segment']);

    const second = await run(data);
    expect(second.asked).toEqual(['\x01g']);
    expect(second.out.equals(data)).toBe(true);
  });
});
