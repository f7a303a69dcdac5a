/**
 * A segment on another host (docs/remote.md): one `ssh` process whose session runs pw-segment
 * there with the same plan as a local segment (installed over the same session when the host
 * asks for it, engine/host-install.ts; on a Slurm cluster, `pw-segment --slurm-local` stands where
 * ssh does and the step runs the same). Its stdin and stdout
 * are the segment's input and output (records flow through the ssh channel like through a pipe;
 * its stdout may be a pipe straight into the next local segment, engine/host-pipe.ts). Its
 * control stream (the stages' reports, stderr lines and live samples one way, the engine's
 * signal requests the other) is a socket that ssh forwards over the same connection; ssh's
 * stderr is ssh's own messages (and the control lines, where the host refuses the forwarding).
 * To the run it looks like a local Segment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import * as fs from 'node:fs';
import { hostPipe, type HostPipe } from './host-pipe';
import { hostBuilds, hostCommand, programFrame, unsupportedMachine } from './host-install';
import { parseHostLine } from './host-stream';
import { readLines } from './lines';
import type { ControlMessage, StagePlan } from './plumbing';
import type { RemoteHost } from './preflight';
import { fdReadable } from './relay';
import { segmentPlan, straight } from './segment-plan';
import { missingProgram, trackGroup, untrackGroup, withParentDeath, type SegmentHandlers, type SegmentProcess } from './segment';
import { slurmLaunch, slurmLost, slurmReason, type SlurmPlacement } from './slurm';
import { effectiveOption, sshCommandLine, type ControlSocket, type SshSessions } from './ssh';
import type { ProcSample } from './stats';

export interface RemoteHandlers extends SegmentHandlers {
  /** A live sample of stage `local`, read from /proc on its host. */
  sample(local: number, sample: ProcSample): void;
  /** On a Slurm cluster: waiting for Slurm (from the start), then the step runs (engine/slurm.ts). */
  placed(placement: SlurmPlacement): void;
}

export class RemoteSegment implements SegmentProcess {
  readonly pgid: number | undefined;
  exited = false;
  readonly ownStderr: string[] = [];
  input: Writable | undefined;
  readonly commits = new Map<number, Writable>();
  private readonly child: ChildProcess | undefined;
  /** Its stdin: the data (and ahead of it what the host reads first). */
  private readonly stdin: Writable | undefined;
  private open = { stdout: true, stderr: true, control: true };
  private readonly stderrOpen: boolean[];
  private readonly reported: boolean[];
  private readonly pids: (number | undefined)[];
  /** ssh's own lines (not tagged by pw-segment): its errors and warnings. */
  private readonly said: string[] = [];
  private heard = false;
  /** pw-segment said the segment ended (`x`): whatever did not report was not lost with the connection. */
  private ended = false;
  /** The engine ended it (a signal to ssh): ssh's end is then no failure. */
  private endedByEngine = false;
  /** Why the host could not run it (an architecture without a build), naming the host. */
  private refused: string | undefined;
  /** The host asked for pw-segment (`\x01n`): until it runs, an end of the session is a failed install. */
  private installing = false;
  /**
   * ssh's stdin takes nothing before the host's verdict (`\x01g`, or `\x01n` and the program):
   * then the plan, then the data. Undefined once that has been written (on a Slurm cluster, at once).
   */
  private pending: { stdin: Writable; plan: Buffer; afterPlan: () => void } | undefined;
  /** A local segment writing into ssh's stdin directly waits for its plan until the plan of this one is in (takeInput). */
  private readonly starts: (() => void)[] = [];
  private planIn = false;
  private exitCode: number | null = null;
  private settleSent = false;
  /** The engine's end of the control stream: listening until pw-segment on the host connects, then that connection. */
  private server: net.Server | undefined;
  private control: net.Socket | undefined;
  /**
   * On a Slurm cluster, reports of stages killed by a signal other than SIGPIPE, held until srun has
   * said everything: when Slurm killed them (time limit, memory), its reason comes first, as their
   * last stderr line (the failure names it).
   */
  private readonly held: [number, Extract<ControlMessage, { kind: 'done' }>][] = [];

  constructor(
    readonly host: RemoteHost,
    plans: readonly StagePlan[],
    private readonly sessions: SshSessions,
    private readonly on: RemoteHandlers,
    options: {
      input?: boolean;
      stdinFd?: number;
      /** Count the edges between its stages (pw-segment's copies, on the host). */
      counted: boolean;
      /** ssh's stdout is this pipe, read by the next local segment directly (no relay). */
      output?: HostPipe;
      env: Readonly<Record<string, string | undefined>>;
      cwd: string;
      /** What its stages are called, for the job's name on a Slurm cluster (squeue). */
      label?: string;
    },
  ) {
    this.stderrOpen = plans.map(() => true);
    this.reported = plans.map(() => false);
    this.pids = plans.map(() => undefined);
    const control = this.listen(sessions.control());
    // A Slurm cluster's local end (`pw-segment --slurm-local`, engine/native/slurm-local.c) stands where ssh does; its step connects back to it.
    const launch: { file: string; args: string[]; env?: Record<string, string> } | undefined = host.slurm
      ? slurmLaunch(host, options.label ?? 'segment', control?.local)
      : withParentDeath(['ssh', ...sessions.args(host, hostCommand(control?.remote ?? '-'), control)]);
    let child: ChildProcess;
    // The data into a Slurm cluster's local end goes through a real pipe, not Node's socketpair: its relay splices it straight into the connection.
    let fifo: HostPipe | undefined;
    try {
      if (!launch) throw new Error(missingProgram());
      const env = launch.env ? { ...options.env, ...launch.env } : options.env;
      fifo = host.slurm && options.input ? hostPipe() : undefined;
      child = spawn(launch.file, launch.args, {
        stdio: [fifo?.read ?? 'pipe', options.output?.write ?? 'pipe', 'pipe'],
        detached: true,
        env,
        cwd: options.cwd,
      });
    } catch (e) {
      if (fifo) for (const fd of [fifo.read, fifo.write]) fs.closeSync(fd);
      this.closeControl();
      this.exited = true;
      this.open = { stdout: false, stderr: false, control: false };
      this.stderrOpen.fill(false);
      this.settleSent = true; // nothing of it will report: the run's failure says why
      on.spawnFailed(e as Error);
      return;
    }
    this.child = child;
    if (options.output) this.open.stdout = false;
    if (fifo) fs.closeSync(fifo.read);
    const stdin = fifo ? new net.Socket({ fd: fifo.write, readable: false, writable: true }) : child.stdin!;
    this.stdin = stdin;
    // Ahead of the verdict a relay writes into a stream that goes on into ssh once the plan is in.
    const input = options.input ? (host.slurm ? stdin : new PassThrough()) : undefined;
    input?.on('error', () => {}); // the relay sees it too
    stdin.on('error', (e) => (input !== stdin ? input?.destroy(e) : undefined)); // the relay sees it
    this.input = input;
    const stdinFd = options.stdinFd;
    this.pending = {
      stdin,
      plan: framedPlan(plans, options.counted),
      afterPlan: () => {
        if (input && input !== stdin) (input as PassThrough).pipe(stdin);
        else if (stdinFd !== undefined) fdReadable(stdinFd).pipe(stdin);
        else if (!input) stdin.end();
      },
    };
    if (host.slurm) this.begin(undefined);

    child.on('error', (e) => {
      this.exited = true;
      on.spawnFailed(e);
    });
    if (child.pid === undefined) return;
    if (host.slurm) on.placed({ waiting: true });
    this.pgid = child.pid;
    trackGroup(child.pid);
    child.on('exit', (code) => {
      this.exited = true;
      this.exitCode = code;
      untrackGroup(this.pgid!);
      // A direct writer waiting for the verdict starts, to find its reader gone.
      this.pending = undefined;
      for (const start of this.starts.splice(0)) start();
      // No connection can come any more; one that came is read to its end.
      if (!this.control) this.closeControl();
      this.changed();
    });
    readLines(
      child.stderr!,
      (line) => this.onLine(line),
      () => {
        this.open.stderr = false;
        this.changed();
      },
    );
    const stdout = options.output ? undefined : child.stdout;
    if (!stdout) return;
    stdout.on('data', (c: Buffer) => on.output(c));
    stdout.on('error', () => {});
    stdout.on('close', () => {
      this.open.stdout = false;
      on.outputClosed();
      this.changed();
    });
  }

  /** The engine's end of the control stream; undefined (the host reports on stderr) where it cannot listen. */
  private listen(control: ControlSocket | undefined): ControlSocket | undefined {
    if (!control) return undefined;
    const server = net.createServer((socket) => {
      // Only ssh can connect (a private folder), once: pw-segment's connection.
      server.close();
      this.server = undefined;
      if (this.control || this.settleSent) {
        socket.destroy();
        return;
      }
      this.control = socket;
      socket.on('error', () => {});
      readLines(
        socket,
        (line) => this.onLine(line),
        () => this.closeControl(),
      );
    });
    server.on('error', () => this.closeControl());
    server.listen(control.local);
    this.server = server;
    return control;
  }

  private closeControl(): void {
    this.server?.close();
    this.server = undefined;
    this.control?.destroy();
    if (!this.open.control) return;
    this.open.control = false;
    this.changed();
  }

  private onLine(line: string): void {
    const l = parseHostLine(line);
    if (!l) return;
    switch (l.kind) {
      case 'said':
        this.said.push(l.text);
        if (this.said.length > 10) this.said.shift();
        return;
      case 'queued':
        this.on.placed({ waiting: true, job: l.job });
        return;
      case 'placed':
        this.on.placed({ waiting: false, step: l.step, node: l.node });
        return;
      case 'go':
        this.begin(undefined);
        return;
      case 'install':
        this.install(l.target);
        return;
      case 'unsupported':
        this.refused = unsupportedMachine(this.where, l.machine);
        return;
      case 'ended':
        this.heard = true;
        this.ended = true;
        return;
      case 'own':
        this.heard = true;
        this.ownStderr.push(l.text);
        if (this.ownStderr.length > 10) this.ownStderr.shift();
        return;
      case 'report':
        this.heard = true;
        this.report(l.msg);
        return;
      case 'stderr':
      case 'stderrEnd':
      case 'sample':
        this.heard = true;
        if (l.stage >= this.reported.length) return;
        if (l.kind === 'stderr') this.on.stderrLine(l.stage, l.text);
        else if (l.kind === 'sample') this.on.sample(l.stage, l.sample);
        else if (this.stderrOpen[l.stage]) {
          this.stderrOpen[l.stage] = false;
          this.on.stderrClosed(l.stage);
        }
    }
  }

  private report(msg: ControlMessage): void {
    if (msg.index < 0 || msg.index >= this.reported.length) return;
    if (msg.kind === 'pid') this.pids[msg.index] = msg.pid;
    if (msg.kind === 'done') this.reported[msg.index] = true;
    if (msg.kind === 'done' && this.host.slurm && msg.signaled && msg.status !== 141) {
      this.held.push([msg.index, msg]);
      return;
    }
    this.on.control(msg.index, msg);
  }

  /** The host asked for pw-segment (missing, or not matching its checksum): its bytes go first on the session's stdin. */
  private install(target: string): void {
    const build = hostBuilds().find((b) => b.target === target);
    if (!build) {
      this.refused = `cannot run on ${this.where}: this Pipewright carries no pw-segment for ${target}`;
      this.signalGroup('SIGTERM');
      return;
    }
    this.installing = true;
    this.begin(programFrame(build));
  }

  /** Writes what the host reads before the data (the program when it asked for it, then the plan), then lets the data in. */
  private begin(program: Buffer | undefined): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    p.stdin.write(program ? Buffer.concat([program, p.plan]) : p.plan, () => {
      this.planIn = true;
      for (const start of this.starts.splice(0)) start();
    });
    p.afterPlan();
  }

  /** `then` once what goes ahead of the data is in the kernel's buffer, or the process has ended. */
  private afterPlanIn(then: () => void): void {
    if (this.planIn || this.exited) then();
    else this.starts.push(then);
  }

  private get where(): string {
    return `host \`${this.host.name}\` (${this.host.destination})`;
  }

  /** Something ended: once everything has, the run learns which stages never reported, and whether the connection was lost. */
  private changed(): void {
    if (this.exited && !this.open.stderr && this.held.length > 0) {
      const why = slurmReason(this.said);
      for (const [i, msg] of this.held.splice(0)) {
        if (why) this.on.stderrLine(i, `Slurm ended the step (${why.reason}): ${why.line}`);
        this.on.control(i, msg);
      }
    }
    if (!this.settleSent && this.exited && !this.open.stdout && !this.open.stderr && !this.open.control) {
      this.settleSent = true;
      const unreported = this.reported.flatMap((r, i) => (r ? [] : [i]));
      this.on.settled(unreported, unreported.length > 0 ? this.lost() : undefined);
      this.stderrOpen.forEach((open, i) => {
        if (!open) return;
        this.stderrOpen[i] = false;
        this.on.stderrClosed(i);
      });
    }
    this.on.changed();
  }

  /**
   * Why the connection took the stages' reports with it, naming the host; undefined when it was
   * not lost: the engine ended it, or the segment ended on the host (`x`, or ssh's exit with the
   * segment's status: a report dropped with the stderr of a session whose reader had gone).
   */
  private lost(): string | undefined {
    if (this.refused) return this.refused;
    if (this.endedByEngine || this.ended) return undefined;
    if (this.installing && !this.heard) {
      const why = this.said.at(-1) ?? `ssh exited with code ${this.exitCode}`;
      return `could not install pw-segment on ${this.where}: ${why}`;
    }
    if (this.host.slurm) return slurmLost(this.host, this.said, this.heard, this.exitCode);
    if (this.exitCode !== null && this.exitCode !== 255) return undefined;
    const where = this.where;
    const said = this.said.filter((l) => !l.startsWith('Warning: remote port forwarding failed')).at(-1);
    if (!this.heard && this.exitCode === 255) {
      const timeout = /timed out/i.test(said ?? '')
        ? ` (ConnectTimeout=${effectiveOption(this.host, 'ConnectTimeout')} s; a host's \`options\` can change it)`
        : '';
      const check = sshCommandLine(this.sessions, this.host);
      return `ssh could not reach ${where}: ${said ?? 'ssh exited with code 255'}${timeout}; check that \`${check}\` works from this machine without a prompt`;
    }
    if (!this.heard)
      return `could not start on ${where}${said ? `: ${said}` : ` (ssh exited with code ${this.exitCode})`}; the host needs a POSIX sh, uname and sha256sum`;
    return `lost the connection to ${where}${said ? `: ${said}` : ''}`;
  }

  /** Everything of it has ended, and the run knows (SegmentHandlers.settled). */
  get settled(): boolean {
    return this.settleSent;
  }

  get output(): Readable | undefined {
    return this.child?.stdout ?? undefined;
  }

  pauseStderr(): void {
    this.child?.stderr?.pause();
    this.control?.pause();
  }

  resumeStderr(): void {
    this.child?.stderr?.resume();
    this.control?.resume();
  }

  /**
   * The engine no longer wants the output: as when the reader of `ssh host cmd` exits, ssh's
   * writes then fail, it tells sshd (eow@openssh.com), and the last stage on the host gets
   * SIGPIPE (or EPIPE) there. Its report comes on the control stream, which stays open.
   * (A direct output needs nothing: its reader's end closes with the local stage.)
   */
  closeOutput(): void {
    this.child?.stdout?.destroy();
  }

  /** Sends `signal` to stage processes on the host (their pids are the host's), over the control stream. */
  signal(pids: readonly number[], signal: NodeJS.Signals): void {
    if (this.exited || pids.length === 0 || !this.control?.writable) return;
    this.control.write(`k ${signal.replace(/^SIG/, '')} ${pids.join(' ')}\n`);
  }

  /**
   * Hands ssh's stdin over for a local segment to write into directly (no relay), with when that
   * segment may start: once what goes ahead of the data (the program, the plan) is in the kernel's
   * buffer (on a Slurm cluster the plan is on its way from the start). Undefined where it cannot (it did not start).
   */
  takeInput(): { input: Writable; whenReady: (start: () => void) => void } | undefined {
    const stdin = this.stdin;
    if (!stdin || !this.input) return undefined;
    this.input = undefined;
    if (this.pending) this.pending.afterPlan = () => {};
    // Its own copy is closed once the plan is written: the local segment's is then the only writer.
    return {
      input: stdin,
      whenReady: (start) =>
        this.afterPlanIn(() => {
          start();
          stdin.destroy();
        }),
    };
  }

  /** Signals go to ssh here: the session ends, sshd closes its pipes and pw-segment's watcher ends the stages. */
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
    for (const s of [this.stdin, c.stdout, c.stderr]) s?.destroy();
    this.closeControl();
  }
}

/**
 * What pw-segment on a host (an ssh session, a Slurm step) reads ahead of the data: `LENGTH\n` and
 * the plan of a local segment, on the host's login environment.
 */
export function framedPlan(plans: readonly StagePlan[], counted: boolean): Buffer {
  const plan = Buffer.from(segmentPlan(plans, { ...straight(plans.length, { counted: counted && plans.length > 1 }), onHost: true }));
  return Buffer.concat([Buffer.from(`${plan.length}\n`), plan]);
}
