/**
 * How the engine talks to another host: the system OpenSSH client, never a library, so the
 * user's ~/.ssh/config, agent, keys and known_hosts apply as they do for `ssh` by hand
 * (docs/remote.md). Nothing here stores or prints a key or a password.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RemoteHost } from './preflight';
import { trackGroup, untrackGroup, withParentDeath } from './segment';

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
 * One run's ssh connections. Each segment on a host has a session of its own; a master
 * connection per host (ControlMaster, its socket in a private folder, mode 0700) carries the
 * short sessions that signal stages there (`kill`), and later sessions once it is up. It is
 * opened once the host has answered a segment's session (`masterFor`), not alongside it: two
 * handshakes at once on a busy machine delayed the first stage's start by about 0.1 s
 * (bench/README.md), and the stages of a run all start at once anyway. The
 * master is a child of this process like the segments' ssh: it ends with the run, with a
 * cancel, and (parent-death signal) with this process. That matters: a session through a
 * master lives as long as the master, whatever happens to the ssh that asked for it, so a
 * master left running (ControlPersist) would keep a cancelled stage's session open on the host.
 */
export class SshSessions {
  private dir: string | undefined;
  private readonly masters = new Map<string, ChildProcess>();
  private closed = false;

  private controlDir(): string {
    if (this.dir === undefined) {
      removeStaleDirs();
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `pipewright-ssh-${process.pid}-`));
    }
    return this.dir;
  }

  /**
   * `ssh` arguments that run `command` on `host`: its own `options` first (ssh keeps the first
   * value it is given, so they win over ours and over ~/.ssh/config), then no tty, no escape
   * character, no prompts (BatchMode), the master's socket when it is up, and AES-GCM first
   * among the ciphers when this CPU has AES instructions (the server still picks from what
   * both offer). Host keys are checked as the user's ssh config says: nothing here turns
   * StrictHostKeyChecking off. Without a master up, ssh connects by itself.
   */
  args(host: RemoteHost, command: string): string[] {
    return [...this.options(host, 'no'), '--', host.destination, command];
  }

  private options(host: RemoteHost, master: 'yes' | 'no'): string[] {
    aes ??= hasAesInstructions();
    const args = ['-T', '-e', 'none'];
    if (host.port !== undefined) args.push('-p', String(host.port));
    if (host.identityFile !== undefined) args.push('-i', host.identityFile);
    for (const o of host.options) args.push('-o', o);
    args.push('-o', 'BatchMode=yes', '-o', `ControlMaster=${master}`, '-o', `ControlPath=${path.join(this.controlDir(), '%C')}`, '-o', 'ControlPersist=no');
    if (aes) args.push('-o', 'Ciphers=^aes128-gcm@openssh.com');
    return args;
  }

  /** Opens the master connection of `host` unless it is open (or the run has ended). */
  masterFor(host: RemoteHost): void {
    if (this.closed || this.masters.has(host.name)) return;
    const launch = withParentDeath(['ssh', ...this.options(host, 'yes'), '-N', '--', host.destination]);
    if (!launch) return;
    const c = spawn(launch.file, launch.args, { stdio: 'ignore', detached: true });
    c.on('error', () => {});
    if (c.pid !== undefined) trackGroup(c.pid);
    c.on('exit', () => c.pid !== undefined && untrackGroup(c.pid));
    this.masters.set(host.name, c);
  }

  /** Ends the master of `host` (the run is being cancelled or failed): every session through it ends. */
  stop(host: RemoteHost): void {
    this.masters.get(host.name)?.kill('SIGTERM');
  }

  /** The run has ended: the masters exit (each removes its socket; the folder goes now, so a process about to exit leaves none). */
  close(): void {
    this.closed = true;
    for (const c of this.masters.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    if (this.dir !== undefined) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
