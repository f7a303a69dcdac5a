import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { readLines } from './lines';
import { controlFd, firstStderrFd, parseControlLine, segmentFds, type ControlMessage, type StagePlan } from './plumbing';
import { killGroupMembers } from './reap';
import { hostTarget, nativeProgram } from './native-programs';
import { segmentPlan, straight } from './segment-plan';
import type { Hole } from './graph-plan';

/** What a segment tells its run. Stage indices are the segment's own (0 = its first stage). */
export interface SegmentHandlers {
  control(local: number, msg: ControlMessage): void;
  stderrLine(local: number, line: string): void;
  stderrClosed(local: number): void;
  /** Bytes the segment's last stage wrote to its stdout. */
  output(chunk: Buffer): void;
  /** That stdout has ended (or was closed). */
  outputClosed(): void;
  /** Its pw-segment has exited, or every stream has closed: the run may be able to finish. */
  changed(): void;
  /**
   * Once, when everything of it has ended: the stages that never reported (killed together with
   * their segment, or their report lost), and for a segment on a host whose connection was lost,
   * why, naming the host (engine/remote.ts). The run decides their status (status.ts).
   */
  settled(unreported: number[], lost: string | undefined): void;
  spawnFailed(error: Error): void;
}

/**
 * `argv` started by dist/pw-segment (`--launch`, engine/native/launch.c), which asks the kernel
 * for two things before it execs it:
 * - child subreaper: orphans of a killed process are reaped by it instead of becoming zombies of
 *   PID 1 on machines whose init does not reap;
 * - SIGHUP when this process dies (PR_SET_PDEATHSIG; kept across exec, fires however we die,
 *   SIGKILL included). If we died before the prctl took effect, it exits 129 at once.
 * Undefined where this platform's build is missing (missingProgram says what to do).
 */
export function withParentDeath(argv: readonly string[]): { file: string; args: string[] } | undefined {
  const program = nativeProgram();
  return program === undefined ? undefined : { file: program, args: ['--launch', String(process.pid), ...argv] };
}

/** Why nothing can start without this platform's pw-segment, and what to do. */
export const missingProgram = () =>
  `pipewright cannot run dist/native/${hostTarget}/pw-segment, its native program: it is missing or built for another machine. ` +
  'Install the Pipewright package for this platform, or run `npm run build` where a C compiler is (docs/engine.md, "Platforms").';

/** What a run needs of a segment, local (Segment) or on another host (RemoteSegment, engine/remote.ts). */
export type SegmentProcess = Pick<
  Segment,
  | 'pgid'
  | 'exited'
  | 'settled'
  | 'output'
  | 'input'
  | 'commits'
  | 'ownStderr'
  | 'pauseStderr'
  | 'resumeStderr'
  | 'closeOutput'
  | 'signalGroup'
  | 'killMembers'
  | 'destroyStreams'
>;

/** Process groups of the segments still running in this process (local and ssh ones). */
const liveGroups = new Set<number>();
/**
 * Whatever ends this process (process.exit, an uncaught exception, the extension host going
 * away) hangs its segments up as the kernel's parent-death signal would: pw-segment ends them.
 */
let exitHandlerInstalled = false;
export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const g of liveGroups) {
      try {
        process.kill(g, 'SIGHUP');
      } catch {
        // gone
      }
    }
  });
}

/** dist/pw-segment (engine/native/segment.c), which runs every local segment; a build whose program is missing or does not run here is an error that says so. */
function segmentProgram(): string {
  const program = nativeProgram();
  if (program !== undefined) return program;
  throw new Error(missingProgram());
}

/**
 * A run of stages joined directly by kernel pipes, or a graph of them, in its own process group:
 * one dist/pw-segment, which reads its plan on its stdin. Its first stage reads `stdinFd` (default
 * /dev/null), or with `input: true` what a relay writes into `input`. A `write` stage
 * (StagePlan.commit) gets a commit channel.
 */
export class Segment {
  readonly pgid: number | undefined;
  exited = false;
  private readonly child: ChildProcess | undefined;
  private readonly stderrStreams: Readable[] = [];
  private readonly stderrOpen: boolean[];
  private open = { control: true, stdout: true, ownStderr: true };
  private readonly reported: boolean[];
  private settleSent = false;
  /** The last lines pw-segment itself wrote (its own errors), for messages. */
  readonly ownStderr: string[] = [];
  /** Where a relay writes this segment's input (segments after the first). */
  readonly input: Writable | undefined;
  /** Commit channels of its `write` stages, by the segment's stage index. */
  readonly commits = new Map<number, Writable>();
  /** The engine's ends of its `holes` fds (it reads what a graph's stages write into one, or writes what they read). */
  readonly holes: (Readable & Writable)[] = [];

  constructor(
    plans: readonly StagePlan[],
    private readonly on: SegmentHandlers,
    /**
     * `counts`: a counter on every edge inside the segment, and with `into` / `out` on its input and output edge too;
     * `output`: a stream whose fd the last stage writes to directly (a remote segment's ssh stdin), instead of a pipe to the engine;
     * `planAfter`: when its plan may go (what the host reads ahead of the data must be in that stdin first): nothing runs before;
     * `graph`: what each stage reads (engine/graph-plan.ts), instead of a straight a | b | c, and its
     * relayed stages, joined to the engine by `fds` more fds (segmentFds' `holes`; the `holes` streams are the engine's ends).
     */
    options: {
      input?: boolean;
      stdinFd?: number;
      counts?: { into?: boolean; out?: boolean };
      output?: Writable;
      planAfter?: (send: () => void) => void;
      graph?: { inputs: readonly (readonly number[])[]; holes: ReadonlyMap<number, Hole>; fds: number };
    } = {},
  ) {
    this.stderrOpen = plans.map(() => true);
    this.reported = plans.map(() => false);
    const committing = plans.flatMap((p, i) => (p.commit ? [i] : []));
    const fds = segmentFds(plans.length, committing.length, options.graph?.fds);
    let devNull: number | undefined;
    let child: ChildProcess;
    try {
      const program = segmentProgram();
      if (!options.input && options.stdinFd === undefined) devNull = fs.openSync('/dev/null', 'r');
      const input = options.input ? ('pipe' as const) : (options.stdinFd ?? devNull!);
      // 0 the plan, 1 the last stage's stdout, 2 the segment's own errors, 3 control, stderr fds, input, commit channels, a graph's holes.
      const stdio: ('pipe' | number | Writable)[] = ['pipe', options.output ?? 'pipe', 'pipe', 'pipe', ...plans.map(() => 'pipe' as const)];
      stdio.push(input, ...committing.map(() => 'pipe' as const), ...fds.holes.map(() => 'pipe' as const));
      // Its environment and folder are nobody's: each stage's come in the plan.
      child = spawn(program, [String(process.pid)], { stdio, detached: true, env: {}, cwd: '/' });
      const c = options.counts;
      const g = options.graph;
      const stdin = child.stdin;
      stdin?.on('error', () => {}); // it failed: its stderr and exit say why
      const plan = segmentPlan(
        plans,
        g ? { inputs: g.inputs, holes: g.holes, counted: c !== undefined } : straight(plans.length, { counted: c !== undefined, ...c }),
      );
      if (options.planAfter) options.planAfter(() => stdin?.end(plan));
      else stdin?.end(plan);
    } catch (e) {
      this.fail(e as Error);
      return;
    } finally {
      if (devNull !== undefined) fs.closeSync(devNull);
    }
    this.child = child;
    if (options.input) {
      const input = child.stdio[fds.input] as Writable;
      input.on('error', () => {}); // the relay sees it too
      this.input = input;
    }
    this.holes = fds.holes.map((fd) => child.stdio[fd] as Readable & Writable);
    for (const s of this.holes) s.on('error', () => {}); // the relay sees it too
    committing.forEach((i, j) => {
      const channel = child.stdio[fds.commit[j]!] as Writable;
      channel.on('error', () => {}); // a `write` that is gone needs no verdict
      this.commits.set(i, channel);
    });
    child.on('error', (e) => {
      this.fail(e);
    });
    if (child.pid === undefined) return; // 'error' follows
    this.pgid = child.pid;
    trackGroup(child.pid);
    child.on('exit', () => {
      this.exited = true;
      liveGroups.delete(this.pgid!);
      // Stragglers (background processes a stage left behind) belong to the run: end them.
      this.signalGroup('SIGKILL');
      // Whatever still holds our pipes escaped the process group: do not wait for it forever.
      setTimeout(() => this.destroyStreams(), 500).unref();
      this.changed();
    });

    const control = child.stdio[controlFd] as Readable;
    readLines(
      control,
      (line) => {
        const msg = parseControlLine(line);
        // A counter reports an edge by its number (in a graph there may be more edges than stages).
        if (!msg || (msg.kind !== 'edge' && (msg.index < 0 || msg.index >= plans.length))) return;
        if (msg.kind === 'done') this.reported[msg.index] = true;
        this.on.control(msg.index, msg);
      },
      () => {
        this.open.control = false;
        this.changed();
      },
    );

    const ownErr = child.stdio[2] as Readable;
    readLines(
      ownErr,
      (line) => {
        this.ownStderr.push(line);
        if (this.ownStderr.length > 10) this.ownStderr.shift();
      },
      () => {
        this.open.ownStderr = false;
        this.changed();
      },
    );

    plans.forEach((_, i) => {
      const stream = child.stdio[firstStderrFd + i] as Readable;
      this.stderrStreams.push(stream);
      readLines(
        stream,
        (line) => this.on.stderrLine(i, line),
        () => {
          this.stderrOpen[i] = false;
          this.on.stderrClosed(i);
          this.changed();
        },
      );
    });

    const stdout = child.stdout;
    if (!stdout) {
      this.open.stdout = false;
      return;
    }
    stdout.on('data', (c: Buffer) => this.on.output(c));
    stdout.on('error', () => {});
    stdout.on('close', () => {
      this.open.stdout = false;
      this.on.outputClosed();
      this.changed();
    });
  }

  /** Something ended: once everything has, the run learns which stages never reported. */
  private changed(): void {
    const ended = this.exited && !this.open.control && !this.open.stdout && !this.open.ownStderr && !this.stderrOpen.some(Boolean);
    if (!this.settleSent && ended) {
      this.settleSent = true;
      this.on.settled(
        this.reported.flatMap((r, i) => (r ? [] : [i])),
        undefined,
      );
    }
    this.on.changed();
  }

  private fail(e: Error): void {
    this.exited = true;
    this.open = { control: false, stdout: false, ownStderr: false };
    this.stderrOpen.fill(false);
    this.settleSent = true; // nothing of it will report: the run's failure says why
    this.on.spawnFailed(e);
  }

  /** Exited, every stream of it has closed, and the run knows (SegmentHandlers.settled). */
  get settled(): boolean {
    return this.settleSent;
  }

  /** The last stage's stdout (undefined if pw-segment could not be started). */
  get output(): Readable | undefined {
    return this.child?.stdout ?? undefined;
  }

  pauseStderr(): void {
    for (const s of this.stderrStreams) s.pause();
  }

  resumeStderr(): void {
    for (const s of this.stderrStreams) s.resume();
  }

  /** Stop reading the last stage's stdout (its writes then fail with EPIPE/ECONNRESET). */
  closeOutput(): void {
    this.child?.stdout?.destroy();
  }

  signalGroup(signal: NodeJS.Signals): void {
    if (this.pgid === undefined) return;
    try {
      process.kill(-this.pgid, signal);
    } catch {
      // the group is empty
    }
  }

  /** SIGKILL every member of the group but its leader (pw-segment), so it reaps and reports them. */
  killMembers(): void {
    if (this.pgid === undefined || this.exited) return;
    killGroupMembers(this.pgid, 'SIGKILL', new Set([this.pgid]));
  }

  destroyStreams(): void {
    const c = this.child;
    if (!c) return;
    const streams = [c.stdout, c.stdio[2], c.stdio[controlFd], ...this.stderrStreams, this.input, ...this.commits.values(), ...this.holes];
    for (const s of streams) s?.destroy();
  }
}
