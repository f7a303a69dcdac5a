/**
 * How the engine talks to another host: the system OpenSSH client, never a library, so the
 * user's ~/.ssh/config, agent, keys and known_hosts apply as they do for `ssh` by hand
 * (docs/remote.md). Nothing here stores or prints a key or a password.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { shellQuote } from './plumbing';
import type { RemoteHost } from './preflight';

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
 * Options every session gets unless the host's own `options` say otherwise (ssh keeps the first
 * value it is given): a server that accepts and never answers fails the stage instead of hanging
 * the run, and a connection that dies silently is noticed (3 unanswered keepalives, 15 s apart).
 */
export const defaultOptions = ['ConnectTimeout=10', 'ServerAliveInterval=15', 'ServerAliveCountMax=3'] as const;

/** The value of ssh option `name` that applies on `host` (its own options first, then ours). */
export function effectiveOption(host: RemoteHost, name: string): string | undefined {
  const matches = (o: string) => o.toLowerCase().startsWith(name.toLowerCase()) && /^[=\s]/.test(o.slice(name.length));
  const o = host.options.find(matches) ?? defaultOptions.find(matches);
  return o?.slice(name.length + 1).trim();
}

/** A segment's control stream: ssh forwards `remote` (a socket sshd makes on the host) to `local` (the engine's). */
export interface ControlSocket {
  local: string;
  remote: string;
}

/**
 * One run's ssh connections: one per segment on a host, as `ssh host cmd` by hand. Each carries
 * its segment's control stream besides the data (a Unix socket forwarded with `-R`; engine/native/host.c
 * says why): the engine's end listens in a private folder (mode 0700) of the run. Every ssh is a
 * child of this process: it ends with the run, with a cancel, and (parent-death signal) with this
 * process. No ControlMaster: nothing outlives the run through a shared connection.
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
   * A fresh control socket for a segment; undefined when the engine's path would be too long for
   * a Unix socket (108 bytes): that segment then reports on the session's stderr (docs/remote.md).
   * The host's socket is in its /tmp, under a name nobody can guess.
   */
  control(): ControlSocket | undefined {
    const local = path.join(this.controlDir(), `c${++this.sockets}`);
    if (Buffer.byteLength(local) >= 108) return undefined;
    return { local, remote: `/tmp/pipewright-${crypto.randomBytes(12).toString('hex')}` };
  }

  /**
   * `ssh` arguments that run `command` on `host`: its own `options` first (ssh keeps the first
   * value it is given, so they win over ours and over ~/.ssh/config), then no tty, no escape
   * character, no prompts (BatchMode), no shared connection, the default timeouts, AES-GCM first
   * among the ciphers when this CPU has AES instructions (the server still picks from what both
   * offer), and the control stream's forwarding. Host keys are checked as the user's ssh config
   * says: nothing here turns StrictHostKeyChecking off.
   */
  args(host: RemoteHost, command: string, control?: ControlSocket): string[] {
    aes ??= hasAesInstructions();
    const args = ['-T', '-e', 'none'];
    if (host.port !== undefined) args.push('-p', String(host.port));
    if (host.identityFile !== undefined) args.push('-i', host.identityFile);
    for (const o of [...host.options, 'BatchMode=yes', 'ControlMaster=no', 'ControlPath=none', 'ExitOnForwardFailure=no', ...defaultOptions])
      args.push('-o', o);
    if (aes) args.push('-o', 'Ciphers=^aes128-gcm@openssh.com');
    if (control) args.push('-R', `${control.remote}:${control.local}`);
    return [...args, '--', host.destination, command];
  }

  /** The run has ended: its folder goes. */
  close(): void {
    if (this.dir !== undefined) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** The command to try by hand when ssh could not reach `host`: what the engine ran, with `true` for its command. */
export function sshCommandLine(sessions: SshSessions, host: RemoteHost): string {
  return ['ssh', ...sessions.args(host, 'true')].map(shellQuote).join(' ');
}
