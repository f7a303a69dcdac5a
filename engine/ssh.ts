/**
 * How the engine talks to another host: the system OpenSSH client, never a library, so the
 * user's ~/.ssh/config, agent, keys and known_hosts apply as they do for `ssh` by hand
 * (docs/remote.md). Nothing here stores or prints a key or a password.
 */
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
  const payload = Buffer.from(
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}\0`)
      .join(''),
  );
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

/** Folders of runs whose process was killed (SIGKILL leaves its folder behind): their pid is gone. */
function removeStaleDirs(): void {
  try {
    for (const name of fs.readdirSync(os.tmpdir())) {
      const pid = /^pipewright-ssh-(\d+)-/.exec(name)?.[1];
      if (pid === undefined || isAlive(Number(pid))) continue;
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  } catch {
    // not ours to clean, or gone meanwhile
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One run's ssh connections. Each segment on a host has a connection of its own, which is also
 * the master (ControlMaster) of a socket of its own in a private folder (mode 0700): the short
 * sessions that signal that segment's stages (`kill`) go through it, without a handshake. No
 * other session uses it, so nothing outlives the segment through it, and the handshake is one
 * per segment as by hand (a separate master per host, opened alongside, delayed the first stage
 * on a busy machine; bench/README.md). ssh closes its stdout and stderr when its own session
 * ends, also while a signalling session is still open. Every ssh is a child of this process: it
 * ends with the run, with a cancel, and (parent-death signal) with this process.
 */
export class SshSessions {
  private dir: string | undefined;
  private sockets = 0;

  private controlDir(): string {
    if (this.dir === undefined) {
      removeStaleDirs();
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `pipewright-ssh-${process.pid}-`));
    }
    return this.dir;
  }

  /**
   * A fresh socket path for a segment's connection; undefined when it would be too long for a
   * Unix socket (ssh adds 17 characters while it binds, and refuses to connect at all if the
   * whole does not fit in 108 bytes): that segment then goes without (its signals connect anew).
   */
  socket(): string | undefined {
    const socket = path.join(this.controlDir(), `s${++this.sockets}`);
    return Buffer.byteLength(socket) + 17 < 108 ? socket : undefined;
  }

  /**
   * `ssh` arguments that run `command` on `host`: its own `options` first (ssh keeps the first
   * value it is given, so they win over ours and over ~/.ssh/config), then no tty, no escape
   * character, no prompts (BatchMode), the segment's socket (`master`: this ssh opens it; else
   * it goes through it when it is up, and connects by itself when not), and AES-GCM first among
   * the ciphers when this CPU has AES instructions (the server still picks from what both
   * offer). Host keys are checked as the user's ssh config says: nothing here turns
   * StrictHostKeyChecking off.
   */
  args(host: RemoteHost, command: string, socket: string | undefined, master: boolean): string[] {
    aes ??= hasAesInstructions();
    const args = ['-T', '-e', 'none'];
    if (host.port !== undefined) args.push('-p', String(host.port));
    if (host.identityFile !== undefined) args.push('-i', host.identityFile);
    for (const o of host.options) args.push('-o', o);
    args.push(
      '-o',
      'BatchMode=yes',
      '-o',
      `ControlMaster=${master && socket ? 'yes' : 'no'}`,
      '-o',
      `ControlPath=${socket ?? 'none'}`,
      '-o',
      'ControlPersist=no',
    );
    if (aes) args.push('-o', 'Ciphers=^aes128-gcm@openssh.com');
    return [...args, '--', host.destination, command];
  }

  /** The run has ended: its folder goes (each ssh removes its own socket as it exits). */
  close(): void {
    if (this.dir !== undefined) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
