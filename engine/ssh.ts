/**
 * How the engine talks to another host: the system OpenSSH client, never a library, so the
 * user's ~/.ssh/config, agent, keys and known_hosts apply as they do for `ssh` by hand
 * (docs/remote.md). Nothing here stores or prints a key or a password.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RemoteHost } from './preflight';

/**
 * What sshd runs: a bootstrap small enough for a command line, without secrets (any user of
 * the host can read a command line). It reads `LENGTH\n` and LENGTH bytes of `NAME=VALUE\0`
 * variables from stdin — exactly those bytes, with sysread, so the data that follows stays on
 * stdin for the first stage — sets them and evals engine/remote.pl, which came among them.
 */
const boot = [
  'my $l = ""; while (sysread STDIN, my $c, 1) { last if $c eq "\\n"; $l .= $c }',
  'my $p = ""; while (length $p < $l) { sysread(STDIN, $p, $l - length $p, length $p) or exit 97 }',
  'for (split /\\0/, $p) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v }',
  'eval $ENV{__PW_REMOTE}; die $@ if $@;',
].join(' ');
export const remoteCommand = `exec perl -e '${boot}'`;

/** The variables ahead of the data on the session's stdin (see `boot`). Values never hold NUL. */
export function remoteHeader(vars: Readonly<Record<string, string>>): Buffer {
  const payload = Buffer.from(Object.entries(vars).map(([k, v]) => `${k}=${v}\0`).join(''));
  return Buffer.concat([Buffer.from(`${payload.length}\n`), payload]);
}

/** AES-GCM is about 1.8× faster than the default cipher where the CPU has AES instructions (bench/README.md). */
function hasAesInstructions(): boolean {
  try {
    return /^flags\s*:.*\baes\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}
let aes: boolean | undefined;

/**
 * One run's ssh connections: a private folder (mode 0700) for the ControlMaster sockets, so
 * the stages of the run on one host share one TCP connection and one authentication. Masters
 * persist a few seconds at most and are told to exit when the run ends.
 */
export class SshSessions {
  private dir: string | undefined;
  private readonly used = new Map<string, RemoteHost>();

  private controlDir(): string {
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-ssh-'));
    return this.dir;
  }

  /**
   * `ssh` arguments that run `command` on `host`: its own `options` first (ssh keeps the first
   * value it is given, so they win over ours and over ~/.ssh/config), then no tty, no escape
   * character, no prompts (BatchMode), multiplexing, and AES-GCM first among the ciphers when
   * this CPU has AES instructions (the server still picks from what both offer). Host keys
   * are checked as the user's ssh config says: nothing here turns StrictHostKeyChecking off.
   */
  args(host: RemoteHost, command: string, dir = this.controlDir()): string[] {
    this.used.set(host.name, host);
    aes ??= hasAesInstructions();
    const args = ['-T', '-e', 'none'];
    if (host.port !== undefined) args.push('-p', String(host.port));
    if (host.identityFile !== undefined) args.push('-i', host.identityFile);
    for (const o of host.options) args.push('-o', o);
    args.push('-o', 'BatchMode=yes', '-o', 'ControlMaster=auto', '-o', `ControlPath=${path.join(dir, '%C')}`, '-o', 'ControlPersist=5');
    if (aes) args.push('-o', 'Ciphers=^aes128-gcm@openssh.com');
    args.push('--', host.destination, command);
    return args;
  }

  /** The run has ended: masters exit now rather than after ControlPersist; then the folder goes. */
  close(): void {
    const dir = this.dir;
    if (dir === undefined) return;
    this.dir = undefined;
    let left = this.used.size;
    const gone = () => {
      if (--left <= 0) fs.rmSync(dir, { recursive: true, force: true });
    };
    for (const host of this.used.values()) {
      const args = this.args(host, '', dir).slice(0, -3);
      const c = spawn('ssh', [...args, '-O', 'exit', '--', host.destination], { stdio: 'ignore' });
      c.on('error', gone);
      c.on('exit', gone);
    }
    if (left === 0) gone();
  }
}
