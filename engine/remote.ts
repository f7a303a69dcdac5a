/**
 * A segment on another host (docs/remote.md): one `ssh` process whose session runs the same
 * engine/segment.sh and engine/wrapper.pl there, under engine/remote.pl. Its stdin and stdout
 * are the segment's input and output (records flow through the ssh channel like through a
 * pipe; its stdout may be a pipe straight into the next local segment, engine/host-pipe.ts); its stderr carries the control lines, each stage's stderr and live samples, tagged,
 * and ssh's own messages untagged. To the run it looks like a local Segment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { HostPipe } from './host-pipe';
import { readLines } from './lines';
import { parseControlLine, segmentEnv, type StagePlan } from './plumbing';
import type { RemoteHost } from './preflight';
import { fdReadable } from './relay';
import remoteScript from './remote.pl';
import { segmentScripts, trackGroup, untrackGroup, withParentDeath, type SegmentHandlers, type SegmentProcess } from './segment';
import { remoteCommand, remoteHeader, type SshSessions } from './ssh';
import type { ProcSample } from './stats';

export interface RemoteHandlers extends SegmentHandlers {
  /** A live sample of stage `local`, read from /proc on its host. */
  sample(local: number, sample: ProcSample): void;
  /** ssh ended before these stages reported: `what` says why, naming the host. */
  hostFailed(locals: number[], what: string): void;
}

const uncommented = remoteScript.replace(/^\s*#.*\n/gm, '');
/** After the engine stops reading a remote stage's output it sends SIGPIPE; output still coming after this long is cut off. */
const drainMs = 1000;

export class RemoteSegment implements SegmentProcess {
  readonly pgid: number | undefined;
  exited = false;
  readonly bashStderr: string[] = [];
  input: Writable | undefined;
  readonly commits = new Map<number, Writable>();
  private readonly child: ChildProcess | undefined;
  private open = { stdout: true, stderr: true };
  private readonly stderrOpen: boolean[];
  private readonly reported: boolean[];
  private readonly pids: (number | undefined)[];
  /** ssh's own lines (not tagged by remote.pl): its errors and warnings. */
  private readonly said: string[] = [];
  private heard = false;
  /** The engine ended it (signal to ssh), or stopped reading it: ssh's end is then no failure. */
  private endedByEngine = false;
  private draining = false;
  private exitCode: number | null = null;
  private failureSent = false;
  /** With a direct output (engine/host-pipe.ts): the engine's unread end, and its reader once draining. */
  private spare: number | undefined;
  private drain: net.Socket | undefined;
  /** The control socket of its ssh connection (engine/ssh.ts): the sessions that signal its stages go through it. */
  private readonly socket: string | undefined;

  constructor(
    readonly host: RemoteHost,
    plans: readonly StagePlan[],
    private readonly sessions: SshSessions,
    private readonly on: RemoteHandlers,
    options: {
      input?: boolean;
      stdinFd?: number;
      counter?: Record<string, string> | undefined;
      /** ssh's stdout is this pipe, read by the next local segment directly (no relay). */
      output?: HostPipe;
      env: Readonly<Record<string, string | undefined>>;
      cwd: string;
    },
  ) {
    this.stderrOpen = plans.map(() => true);
    this.reported = plans.map(() => false);
    this.pids = plans.map(() => undefined);
    this.socket = sessions.socket();
    const launch = withParentDeath(['ssh', ...sessions.args(host, remoteCommand, this.socket, true)]);
    let child: ChildProcess;
    try {
      if (!launch) throw new Error(`pipewright needs /usr/bin/perl and Linux on x64 or arm64 (this is ${process.platform} on ${process.arch})`);
      child = spawn(launch.file, launch.args, { stdio: ['pipe', options.output?.write ?? 'pipe', 'pipe'], detached: true, env: options.env, cwd: options.cwd });
    } catch (e) {
      if (options.output) fs.closeSync(options.output.spare);
      this.exited = true;
      this.open = { stdout: false, stderr: false };
      this.stderrOpen.fill(false);
      on.spawnFailed(e as Error);
      return;
    }
    this.child = child;
    this.spare = options.output?.spare;
    const stdin = child.stdin!;
    stdin.on('error', () => {}); // the relay sees it too
    // The variables first (remote.pl and the scripts among them), then the data.
    const vars = {
      ...segmentEnv(plans, {}),
      __PW_WRAPPER: segmentScripts.wrapper,
      __PW_SEGMENT: segmentScripts.segment,
      __PW_REMOTE: uncommented,
      ...options.counter,
    };
    stdin.write(remoteHeader(vars));
    if (options.input) this.input = stdin;
    else if (options.stdinFd !== undefined) fdReadable(options.stdinFd).pipe(stdin);
    else stdin.end();

    child.on('error', (e) => {
      this.exited = true;
      on.spawnFailed(e);
    });
    if (child.pid === undefined) return;
    this.pgid = child.pid;
    trackGroup(child.pid);
    child.on('exit', (code) => {
      this.exited = true;
      this.exitCode = code;
      untrackGroup(this.pgid!);
      this.closeSpare();
      this.maybeFailed();
      on.changed();
    });
    readLines(
      child.stderr!,
      (line) => this.onLine(line),
      () => {
        this.open.stderr = false;
        // Before the stages' stderr ends: that may end the run, which must know why first.
        this.maybeFailed();
        this.stderrOpen.forEach((open, i) => {
          if (!open) return;
          this.stderrOpen[i] = false;
          on.stderrClosed(i);
        });
        on.changed();
      },
    );
    const stdout = child.stdout;
    if (!stdout) {
      this.open.stdout = false;
      return;
    }
    stdout.on('data', (c: Buffer) => {
      if (!this.draining) on.output(c);
    });
    stdout.on('error', () => {});
    stdout.on('close', () => {
      this.open.stdout = false;
      on.outputClosed();
      on.changed();
    });
  }

  private onLine(line: string): void {
    if (line[0] !== '\x01') {
      this.said.push(line);
      if (this.said.length > 10) this.said.shift();
      return;
    }
    this.heard = true;
    const kind = line[1];
    const m = /^(\d*) ?(.*)$/s.exec(line.slice(2));
    if (!m) return;
    const [, index, text] = m as unknown as [string, string, string];
    const i = Number(index);
    if (kind === 'c') {
      const msg = parseControlLine(text);
      if (!msg || msg.index < 0 || msg.index >= this.reported.length) return;
      if (msg.kind === 'pid') this.pids[msg.index] = msg.pid;
      if (msg.kind === 'done') this.reported[msg.index] = true;
      this.on.control(msg.index, msg);
    } else if (kind === 'b') {
      this.bashStderr.push(text);
      if (this.bashStderr.length > 10) this.bashStderr.shift();
    } else if (i >= this.reported.length) {
      return;
    } else if (kind === 'e') {
      this.on.stderrLine(i, text);
    } else if (kind === 'z' && this.stderrOpen[i]) {
      this.stderrOpen[i] = false;
      this.on.stderrClosed(i);
    } else if (kind === 's') {
      const sample = parseSample(text);
      if (sample) this.on.sample(i, sample);
    }
  }

  /** ssh has ended and said all it will: stages without a report failed because of it (unless the engine ended them). */
  private maybeFailed(): void {
    if (this.failureSent || !this.exited || this.open.stderr || this.endedByEngine) return;
    const missing = this.reported.flatMap((r, i) => (r ? [] : [i]));
    if (missing.length === 0) return;
    this.failureSent = true;
    const where = `host \`${this.host.name}\` (${this.host.destination})`;
    const said = this.said.at(-1);
    let what: string;
    if (!this.heard && this.exitCode === 255) {
      what = `ssh could not reach ${where}: ${said ?? 'ssh exited with code 255'}; check that \`ssh ${this.host.destination}\` works from this machine without a prompt`;
    } else if (!this.heard) {
      what = `could not start on ${where}${said ? `: ${said}` : ` (ssh exited with code ${this.exitCode})`}; the host needs bash and perl`;
    } else {
      what = `lost the connection to ${where}${said ? `: ${said}` : ''}`;
    }
    this.on.hostFailed(missing, what);
  }

  get settled(): boolean {
    return this.exited && !this.open.stdout && !this.open.stderr;
  }

  get output(): Readable | undefined {
    return this.child?.stdout ?? undefined;
  }

  pauseStderr(): void {
    this.child?.stderr?.pause();
  }

  resumeStderr(): void {
    this.child?.stderr?.resume();
  }

  /**
   * The engine no longer wants the output. Closing ssh's stdout would also drop the stderr
   * still to come (the control lines: ssh stops forwarding it once its output is gone), so the
   * output is read and dropped (from ssh's stdout, or the engine's end of a direct output) while
   * the run sends the last stage SIGPIPE (`signal`); a stage that goes on writing anyway is cut
   * off after `drainMs`, and then ends as it would locally.
   */
  closeOutput(): void {
    if (this.draining || !this.child) return;
    this.draining = true;
    if (this.spare !== undefined) {
      this.drain = new net.Socket({ fd: this.spare, readable: true, writable: false });
      this.spare = undefined;
      this.drain.on('error', () => {});
      this.drain.resume();
    }
    setTimeout(() => {
      if (this.exited) return;
      this.endedByEngine = true;
      this.child?.stdout?.destroy();
      this.closeSpare();
    }, drainMs).unref();
  }

  /** ssh has ended, or its output is cut off: the engine's end of a direct output goes. */
  private closeSpare(): void {
    if (this.spare !== undefined) fs.closeSync(this.spare);
    this.spare = undefined;
    this.drain?.destroy();
  }

  /** Sends `signal` to stage processes on the host (their pids are the host's), through its own ssh connection. */
  signal(pids: readonly number[], signal: NodeJS.Signals): void {
    if (this.exited || pids.length === 0 || !this.child) return;
    const name = signal.replace(/^SIG/, '');
    const launch = withParentDeath(['ssh', ...this.sessions.args(this.host, `kill -s ${name} ${pids.join(' ')} 2>/dev/null`, this.socket, false)]);
    if (!launch) return;
    const c = spawn(launch.file, launch.args, { stdio: 'ignore', env: process.env });
    c.on('error', () => {});
  }

  /**
   * Hands its input over for a local segment to write into directly (no relay): ssh's stdin,
   * once the variables ahead of the data are all in the kernel's buffer. Undefined otherwise;
   * the caller passes it to the segment's spawn and then destroys it.
   */
  takeInput(): Writable | undefined {
    const input = this.input;
    if (!input || input.writableLength > 0) return undefined;
    this.input = undefined;
    return input;
  }

  /** The pid of its stage `local` on the host, once reported. */
  pidOf(local: number): number | undefined {
    return this.pids[local];
  }

  /**
   * Signals go to ssh here (its connection carries the signalling sessions too): the session
   * ends, sshd closes its pipes and remote.pl ends the stages.
   */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.pgid === undefined || this.exited) return;
    this.endedByEngine = true;
    try {
      process.kill(-this.pgid, signal);
    } catch {
      // gone
    }
  }

  killMembers(): void {
    // Nothing but ssh runs here; signalGroup ends it.
  }

  destroyStreams(): void {
    const c = this.child;
    if (!c) return;
    for (const s of [c.stdin, c.stdout, c.stderr]) s?.destroy();
    this.closeSpare();
  }
}

/** `RCHAR WCHAR UTIME STIME CUTIME CSTIME RSSKB HWMKB STATE` (remote.pl's `s` lines). */
function parseSample(text: string): ProcSample | undefined {
  const w = text.split(' ');
  const n = w.slice(0, 8).map(Number);
  if (w.length !== 9 || n.some((x) => !Number.isFinite(x))) return undefined;
  const [rchar, wchar, utimeTicks, stimeTicks, cutimeTicks, cstimeTicks, rssKb, hwmKb] = n as [number, number, number, number, number, number, number, number];
  return { state: w[8]!, rchar, wchar, utimeTicks, stimeTicks, cutimeTicks, cstimeTicks, rssKb, hwmKb, wait: 'unknown' };
}
