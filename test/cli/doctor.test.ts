// `pipewright doctor`: each lack found on the real machine (a PATH without ssh, a CLI copied away
// from its programs, a host that refuses, a real sshd on 127.0.0.1), each with its fix.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshdsForFile } from '../unit/engine/remote/servers';
import { freePort, haveSshd, type Sshd } from '../unit/engine/remote/sshd';
import { cliPath, repoRoot } from './cli';

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-doctor-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function doctor(args: string[], options: { cli?: string; path?: string } = {}) {
  const env = { ...process.env, PATH: options.path ?? process.env.PATH };
  const r = spawnSync(process.execPath, [options.cli ?? cliPath, 'doctor', ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
/** A line of the report and, for a lack, the fix under it. */
const missing = (what: string, detail: string, fix: string) => new RegExp(`^ {2}MISSING {2}${what} +${detail}\\n +fix: ${fix}$`, 'm');

describe('pipewright doctor', () => {
  it('this checkout: everything there, exit 0', () => {
    const r = doctor([]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(new RegExp(`^ {2}ok +engine program \\(linux-${process.arch}\\) +${repoRoot}/dist/native/linux-${process.arch}/pw-segment$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}ok +ssh +OpenSSH_/m);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('Everything Pipewright uses is there.');
  });

  it('a PATH without ssh and sort: both missing, each with the package that brings it, exit 1', () => {
    const r = doctor([], { path: path.join(dir, 'empty') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(missing('ssh', 'not found on PATH: stages with `on:` reach their hosts through it', `${sudo}apt-get install openssh-client`));
    expect(r.stdout).toMatch(missing('GNU sort', 'sort not found on PATH: .*', `${sudo}apt-get install coreutils`));
    expect(r.stdout).toMatch(/^2 missing; each says how to fix it\.$/m);
  });

  it('the CLI away from its programs: the built-in stages and the engine programs missing, with the build that makes them', () => {
    const lone = path.join(dir, 'lone/cli.cjs');
    fs.mkdirSync(path.dirname(lone));
    fs.copyFileSync(cliPath, lone);
    fs.copyFileSync(path.join(path.dirname(cliPath), 'cli-main.cjs'), path.join(dir, 'lone/cli-main.cjs'));
    const r = doctor([], { cli: lone });
    expect(r.code).toBe(1);
    const reinstall = 'npm install -g pipewright \\(this install is missing it; reinstalling puts it back\\)';
    expect(r.stdout).toMatch(missing('built-in stages', 'not found \\(looked at .*lone/builtin.cjs, .*\\): `use:` stages cannot run', reinstall));
    expect(r.stdout).toMatch(
      missing(`engine program \\(linux-${process.arch}\\)`, 'not there or built for another machine: no pipeline can run here', reinstall),
    );
  });

  it('--host: a host that refuses is missing, with the ssh command to try by hand', async () => {
    const port = await freePort(); // nothing listens there any more
    const file = path.join(dir, 'refused.pipeline.yaml');
    fs.writeFileSync(file, `hosts:\n  gone: { ssh: root@127.0.0.1, port: ${port} }\nstages:\n  - run: cat\n`);
    const r = doctor(['--host', 'gone', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^host gone \(ssh root@127\.0\.0\.1\)$/m);
    expect(r.stdout).toMatch(
      missing(
        'reachable',
        `ssh: connect to host 127\\.0\\.0\\.1 port ${port}: Connection refused`,
        `.* ssh -T -e none -p ${port} .* root@127\\.0\\.0\\.1 true .*`,
      ),
    );
  });

  it('--host: a FILE without that host, a FILE that is not there, or no FILE: exit 2 with what to give', () => {
    const file = path.join(dir, 'one-host.pipeline.yaml');
    fs.writeFileSync(file, 'hosts:\n  box: { ssh: root@127.0.0.1 }\nstages:\n  - run: cat\n');
    expect(doctor(['--host', 'bx', file])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `pipewright: ${file}: there is no host \`bx\` under \`hosts:\`; its hosts are \`box\`\n`,
    });
    const nope = path.join(dir, 'nope.yaml');
    expect(doctor(['--host', 'box', nope])).toMatchObject({ code: 2, stderr: `pipewright: ${nope}: cannot read the pipeline file: no such file\n` });
    expect(doctor(['--host', 'box'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^pipewright: doctor --host NAME needs exactly one FILE/) as unknown,
    });
    expect(doctor([file])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^pipewright: doctor takes a FILE only with --host NAME/) as unknown });
  });
});

let box: Sshd;
sshdsForFile(1, (_keys, [a]) => (box = a!));

describe.runIf(haveSshd)('pipewright doctor --host, a real host', () => {
  it('reaches it as a run does and says its system, its architecture and whether pw-segment is installed for this version', () => {
    const file = path.join(dir, 'box.pipeline.yaml');
    fs.writeFileSync(file, `hosts:\n  box: ${box.entry()}\nstages:\n  - run: echo hi\n  - on: box\n    run: cat\n`);
    const r = doctor(['--host', 'box', file]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const machine = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as 'x64' | 'arm64'];
    expect(r.stdout).toMatch(/^host box \(ssh root@127\.0\.0\.1\)\n {2}ok +reachable +without a prompt, as a run connects$/m);
    expect(r.stdout).toMatch(new RegExp(`^ {2}ok +system +Linux ${machine} \\(linux-${process.arch}\\)$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}ok +sha256sum +\/usr\/bin\/sha256sum$/m);
    expect(r.stdout).toMatch(/^ {2}ok +pw-segment +not installed for \S+ yet: the first run installs it over ssh \(\d+ KB\)$/m);
    // A host needs neither: nothing about them under it.
    expect(r.stdout.slice(r.stdout.indexOf('host box'))).not.toMatch(/perl|bash/);

    // The CLI's first run installs it; doctor then finds it, checksum and all.
    expect(spawnSync(process.execPath, [cliPath, 'run', '-q', file], { encoding: 'utf8' })).toMatchObject({ status: 0, stdout: 'hi\n' });
    const after = doctor(['--host', 'box', file]);
    expect(after.stdout).toMatch(/^ {2}ok +pw-segment +installed for \S+: \/\S+\/\.cache\/pipewright\/\S+\/linux-\w+\/pw-segment$/m);
  });
});
