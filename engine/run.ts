import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { Pipeline } from '../dsl';
import { resolveTarget, temporaryName, writtenFile } from './builtins/write-target';
import { filePrefix, runError, type RunError } from './errors';
import { EventQueue, type RunEvent, type RunResult, type StageResult } from './events';
import { EdgeMeter, type EdgeStats } from './edges';
import { graphEdges, isStraight } from './graph-plan';
import { exitFailure, label, noReport, orderedMismatch, spawnFailed, stageError, timedOut, type Who } from './messages';
import type { ControlMessage } from './plumbing';
import { planStages, type PlannedStage } from './preflight';
import { readStat } from './proc';
import { progressOf, SourceWatch, sourceFileOf, type Progress } from './progress';
import { EdgeTap, type EdgePeek, type Source } from './relay';
import type { RemoteHandlers } from './remote';
import type { SlurmPlacement } from './slurm';
import type { SegmentProcess } from './segment';
import { SshSessions } from './ssh';
import { RecordSink } from './sink';
import { newStageRun, type StageRun } from './stage-run';
import { ProcProbe, type StageStats } from './stats';
import { stageSnapshots } from './run-stats';
import { settleCommits } from './commits';
import { decodeShellStatus, endedStatuses, finalStatus, statusWithoutReport, type StageStatus } from './status';
import { stopReadingGraceMs, terminateSegments, Timers } from './termination';
import { wireUnits, type Relay, type UnitRun } from './wiring';

export interface RunOptions {
  /** The pipeline file, as messages should name it. */
  file?: string | undefined;
  /** Folder of the pipeline file: anchors `cwd`. */
  fileDir: string;
  /** Process environment the pipeline's `env` is merged over; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Run only up to and including the stage of this name ("run to here"). */
  to?: string | undefined;
  /** Stop after this many records from the last stage: upstream stages then stop early. */
  limit?: number | undefined;
  /** Aborting cancels the run: every stage is ended, `write` stages leave their files as they were. */
  signal?: AbortSignal;
  /** Interval of `stats` events; default 250 ms. /proc is sampled at least every 100 ms. */
  statsIntervalMs?: number;
  /** Record bytes queued for a slow reader before the last stage is paused; default 8 MiB. */
  highWaterBytes?: number;
  /**
   * Stages whose output edge to tap (count records, keep samples for `peek`), besides those
   * with `tap: true`. Unknown names are refused before anything starts.
   */
  tap?: string[] | undefined;
  /** `ordered: true` workers: output bytes held for reordering before early copies are paused; default 4 MiB. */
  reorderWindowBytes?: number;
  /**
   * A file descriptor the first stage reads (the CLI passes its own stdin when it is not a
   * terminal); default none: the first stage reads /dev/null. A first stage with workers gets it
   * through the dealer (whole records, like any input).
   */
  stdinFd?: number | undefined;
  /**
   * Count records and bytes on every edge (default true): a counter process between every two
   * stages joined directly (docs/stats.md has the cost). Off: those edges stay bare kernel pipes
   * and their stages show no record counts; edges the engine relays and the output stay counted.
   */
  counts?: boolean;
}

export interface RunHandle {
  /**
   * The one event stream of the run: iterate it once, to the end (it ends with `end`). An
   * undrained stream pauses the pipeline; leaving the loop early (`break`) calls `stopReading()`.
   */
  readonly events: AsyncIterable<RunEvent>;
  /** Settles (never rejects) when the run has ended and every process and fd of it is gone. */
  readonly result: Promise<RunResult>;
  /** Cancel: every stage is terminated; the run ends `cancelled`. */
  cancel(): void;
  /** Stop reading records, as a `head` downstream would: the stages stop early and the run succeeds. */
  stopReading(): void;
  /** Latest stats of every stage, at any time. */
  stats(): StageStats[];
  /** Latest counts of every edge (one per stage: its output), at any time. */
  edges(): EdgeStats[];
  /**
   * Records counted on a stage's output edge so far and the most recent of them; undefined
   * when that edge is not tapped (`tap: true` on the stage, or `RunOptions.tap`).
   */
  peek(stage: string): EdgePeek | undefined;
}

/** How long an ended stage waits for the end of its stderr before it is classified anyway. */
const stderrGraceMs = 100;

export function refusedHandle(error: RunError, file: string | undefined): RunHandle {
  const result: RunResult = { outcome: 'refused', ok: false, stages: [], edges: [], records: 0, bytes: 0, durationMs: 0, stoppedReading: false, error };
  if (file !== undefined) result.file = file;
  const queue = new EventQueue(
    Infinity,
    () => {},
    () => {},
  );
  queue.push({ type: 'end', result });
  queue.close();
  return { events: queue, result: Promise.resolve(result), cancel() {}, stopReading() {}, stats: () => [], edges: () => [], peek: () => undefined };
}

/**
 * Starts running `pipeline` (which should have passed `check`; see `runFile`). Never throws:
 * anything refused before a process starts comes back as a `refused` result.
 */
export function startRun(pipeline: Pipeline, options: RunOptions): RunHandle {
  const env = options.env ?? process.env;
  const planned = planStages(pipeline, { ...options, env });
  if ('error' in planned) return refusedHandle(planned.error, options.file);
  return new Run(planned.stages, options, env).handle;
}

/** Ended statuses of copies, worst first: the stage's status is the worst of its copies'. */
const copyPrecedence: StageStatus[] = ['failed', 'timed-out', 'cancelled', 'stopped-early', 'succeeded'];

class Run {
  readonly handle: RunHandle;
  private readonly queue: EventQueue;
  private readonly stages: StageRun[];
  private readonly startedAt = Date.now();
  private readonly segments: SegmentProcess[] = [];
  private readonly ssh = new SshSessions();
  /** Every process: stages, and the copies of stages with workers. */
  private readonly procs: StageRun[];
  private readonly units: UnitRun[] = [];
  private readonly relays: Relay[] = [];
  /** The output edge of every stage (the last one's is the run's output), each with its counts. */
  private readonly edges: EdgeMeter[];
  /** The stages form a graph (fan-out, fan-in): `edges` are its from/to pairs, counters report them by position. */
  private readonly graph: boolean;
  /** The file the first stage reads, when it is one of known size (the headline's percentage). */
  /** Each stage's watch on the regular file it reads (by index); none for copies or another host. */
  private readonly sources: (SourceWatch | undefined)[];
  private readonly taps = new Map<string, EdgeTap>();
  /** The run's stdin, when the engine deals it to a first stage's workers. */
  private stdin: Readable | undefined;
  /** The last unit's output: the records. */
  private sinkSource: Source | undefined;
  private readonly sink: RecordSink;
  private stoppedReading = false;
  private terminating: 'cancel' | 'failure' | undefined;
  private failure: { stage: StageRun; error: RunError } | undefined;
  private cancelled = false;
  /** Ending stages that ignored SIGPIPE after the engine stopped reading: they count as stopped early. */
  private quietStop = false;
  private readonly timers = new Timers();
  private sampler: NodeJS.Timeout | undefined;
  private finished = false;
  private resolve!: (r: RunResult) => void;
  private readonly sampleMs: number;
  private readonly ticksPerStats: number;
  private sampleCount = 0;
  private readonly abortListener = () => this.cancel();

  constructor(
    planned: PlannedStage[],
    private readonly options: RunOptions,
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {
    const statsMs = Math.max(10, options.statsIntervalMs ?? 250);
    this.sampleMs = Math.min(statsMs, 100);
    this.ticksPerStats = Math.max(1, Math.round(statsMs / this.sampleMs));
    this.queue = new EventQueue(
      options.highWaterBytes ?? 8 * 1024 * 1024,
      () => this.pauseOutput(),
      () => this.resumeOutput(),
      () => this.stopReading(),
    );
    const emit = (st: StageRun, line: string) => this.emitStderr(st, line);
    this.stages = planned.map((p, index) => {
      const st = newStageRun(p, index, emit);
      if (p.hosts?.[0]) st.host = p.hosts[0];
      if (p.stage.workers > 1) {
        st.copies = Array.from({ length: p.stage.workers }, (_, c) => {
          const copy = Object.assign(newStageRun(p, index, emit), { parent: st, copy: c });
          const host = p.hosts?.[c % p.hosts.length];
          if (host) copy.host = host;
          return copy;
        });
      }
      return st;
    });
    this.procs = this.stages.flatMap((st) => st.copies ?? [st]);
    const tapped = new Set([...(options.tap ?? []), ...planned.filter((p) => p.stage.tap).map((p) => p.stage.name)]);
    for (const st of this.stages) if (tapped.has(st.name)) this.taps.set(st.name, new EdgeTap(st.name));
    const n = this.stages.length;
    const inputs = planned.map((p) => p.inputs);
    this.graph = !isStraight(inputs);
    // A straight line: the output edge of each stage, by its index. A graph: its edges, then the output.
    this.edges = this.graph
      ? [...graphEdges(inputs).map((e) => new EdgeMeter(e.from, e.to)), new EdgeMeter(n - 1, 'output', 'engine')]
      : this.stages.map((_, i) => new EdgeMeter(i, i + 1 < n ? i + 1 : 'output', i + 1 < n ? undefined : 'engine'));
    // A stage with copies reads its input dealt by the engine; one on another host has no /proc here.
    this.sources = planned.map((p) => (p.stage.workers > 1 || p.stage.on ? undefined : new SourceWatch(sourceFileOf(p), this.startedAt)));
    this.sink = new RecordSink(
      options.limit,
      (data, count) => this.emitRecords(data, count),
      () => this.stopReading(),
    );
    const result = new Promise<RunResult>((resolve) => {
      this.resolve = resolve;
    });
    this.handle = {
      events: this.queue,
      result,
      cancel: () => this.cancel(),
      stopReading: () => this.stopReading(),
      stats: () => this.snapshot(),
      edges: () => this.edges.map((e) => e.stats()),
      peek: (stage) => this.taps.get(stage)?.peek(),
    };
    this.queue.push({ type: 'start', at: this.startedAt, stages: this.stages.map((s) => ({ name: s.name, index: s.index, inputs: s.planned.inputs })) });
    if (options.signal?.aborted) {
      this.cancelled = true;
      this.finish();
      return;
    }
    options.signal?.addEventListener('abort', this.abortListener, { once: true });
    this.spawn();
  }

  private get file(): string | undefined {
    return this.options.file;
  }

  /** Handlers of a segment running `procs` (its stage i is procs[i]). */
  private segmentHandlers(procs: StageRun[], output: (chunk: Buffer) => void, outputClosed: () => void): RemoteHandlers {
    return {
      sample: (local, sample) => procs[local]!.meter.add(Date.now(), sample),
      placed: (placement) => {
        for (const st of procs) this.onPlaced(st, placement);
      },
      settled: (unreported, lost) => {
        for (const local of unreported) this.endUnreported(procs[local]!, lost);
      },
      control: (local, msg) => {
        // A counter reports its edge by number: in a graph, the edge's position; else the stage it follows (-1: the edge
        // into the segment's first stage, from a host).
        if (msg.kind === 'edge') {
          const from = this.graph ? msg.index : msg.index === -1 ? procs[0]!.index - 1 : (procs[msg.index]?.index ?? -1);
          this.edges[from]?.report(msg.records, msg.bytes, msg.end);
        } else this.onControl(procs[local]!, msg);
      },
      stderrLine: (local, line) => procs[local]!.stderr.line(line),
      stderrClosed: (local) => {
        const st = procs[local]!;
        st.stderrClosed = true;
        this.maybeEndStage(st);
        this.maybeFinish();
      },
      output,
      outputClosed,
      changed: () => this.maybeFinish(),
      spawnFailed: (e) => this.failSpawn(e),
    };
  }

  /** Starts the units and joins them (wiring.ts); the last unit's output is the sink. */
  private spawn(): void {
    const wired = wireUnits({
      stages: this.stages,
      taps: this.taps,
      ssh: this.ssh,
      edges: this.edges,
      counted: this.options.counts !== false,
      options: this.options,
      env: this.env,
      handlers: (procs, output, outputClosed) => this.segmentHandlers(procs, output, outputClosed),
      copyOutputClosed: (c) => this.maybeEndStage(c),
      mismatch: (c, what, atEnd) => {
        const message = orderedMismatch(this.who(c), what);
        // Found at its end: it matters only if the copy otherwise succeeded (see maybeEndStage).
        if (atEnd) c.pendingMismatch = message;
        else this.failCopy(c, message);
      },
      edgeGone: (k) => this.edgeGone(k),
      sink: {
        write: (chunk) => {
          this.sink.write(chunk);
          return true;
        },
        whenDrained: (cb) => cb(),
        end: () => this.onSinkEnd(),
      },
    });
    this.segments.push(...wired.segments);
    this.units.push(...wired.units);
    this.relays.push(...wired.relays);
    this.sinkSource = wired.sinkSource;
    this.stdin = wired.stdin;
    this.sampler = setInterval(() => this.sample(), this.sampleMs);
  }

  private onSinkEnd(): void {
    if (this.sink.end()) this.taps.get(this.lastStage.name)?.end();
    this.edges[this.edges.length - 1]!.report(this.sink.records, this.sink.bytes, true);
  }

  /**
   * The reader side of relay k finished (its first stage, or every copy, ended or stopped
   * reading): stop unit k as a downstream \`head\` would stop a shell pipeline.
   */
  private edgeGone(k: number): void {
    if (k < 0) {
      this.stdin?.destroy();
      this.settleCommits(); // nothing reads the run's stdin any more
      return;
    }
    const relay = this.relays[k];
    const unit = relay && this.units[relay.from];
    if (!relay || !unit || relay.ended || relay.gone || this.finished) return;
    relay.gone = true;
    // A counter's own last report is final (out of a host, it counts at the head of the next segment).
    if (relay.meter?.countedBy !== 'counter') relay.meter?.end();
    for (const st of unit.lastProcs) {
      st.readerGone = true;
      this.signalStage(st, 'SIGPIPE');
    }
    if (unit.closeOutput) unit.closeOutput();
    else for (const seg of unit.segments) seg.closeOutput();
  }

  /** Tells each waiting `write` its verdict once it is known (engine/commits.ts). */
  private settleCommits(): void {
    settleCommits(this.procs, this.failure !== undefined || this.cancelled || this.terminating !== undefined || this.finished);
  }

  /** Who a message about this stage or copy names. */
  private who(st: StageRun): Who {
    const p = st.parent ?? st;
    return { file: this.file, stage: p.name, ...(st.parent ? { copy: { index: st.copy!, of: p.copies!.length } } : {}) };
  }

  /** The engine found a copy misbehaving: it fails (and with it the run). */
  private failCopy(st: StageRun, message: string): void {
    if (st.forcedFailure || this.stoppedReading || this.terminating || this.quietStop || st.readerGone) return;
    st.forcedFailure = message;
    st.message = message;
    const p = st.parent ?? st;
    if (!this.failure) {
      this.failure = { stage: p, error: stageError('stage-failed', message, this.who(st)) };
      this.terminate('failure');
    }
  }

  private failSpawn(e: Error): void {
    if (!this.failure) {
      const stage = this.stages[0]!;
      this.failure = { stage, error: runError('spawn-failed', spawnFailed(this.file, e), { file: this.file }) };
    }
    for (const st of this.procs) st.stderrClosed = true;
    queueMicrotask(() => {
      // Segments that did start (a run of several) are ended like on any failure.
      this.terminate('failure');
      this.maybeFinish();
    });
  }

  // ---- control messages -------------------------------------------------------------------

  /** A stage on a Slurm cluster: waiting for Slurm (its own status until the step starts), then where its step runs. */
  private onPlaced(st: StageRun, placement: SlurmPlacement): void {
    if (!placement.waiting) st.step = `${placement.step} on ${placement.node}`;
    else if (placement.job !== undefined) st.step = `job ${placement.job}`;
    if (placement.waiting && st.status === 'pending') this.setStatus(st, 'queued');
  }

  private onControl(st: StageRun, msg: ControlMessage): void {
    const now = Date.now();
    if (msg.kind === 'edge') return;
    if (msg.kind === 'pid') {
      st.pid = msg.pid;
      st.meter.startedAt = msg.at ?? now;
      try {
        // A pid on another host is sampled there (pw-segment's watcher sends them: `sample`). Opened now, so that the fds
        // hold this process; first read at the next tick: the stage is still in its exec now, where /proc's reads wait
        // on it (a short stage has ended by then, and its `done` report carries the exact totals).
        st.probe = st.host ? undefined : new ProcProbe(msg.pid);
      } catch {
        st.probe = undefined; // already gone: the done message will tell
      }
      if (st.status === 'pending' || st.status === 'queued') this.setStatus(st, 'running');
      const timeoutMs = st.planned.stage.timeoutMs;
      if (timeoutMs !== undefined && !st.done) st.timer = setTimeout(() => this.onTimeout(st), timeoutMs);
      if ((this.stoppedReading && this.isSinkProc(st)) || st.readerGone) this.signalStage(st, 'SIGPIPE');
      if (this.terminating) this.signalStage(st, 'SIGTERM');
      return;
    }
    st.done = msg;
    st.doneAt = now;
    if (st.planned.writes !== undefined && st.pid !== undefined) removeTemporaryFile(st.planned.writes, st.pid);
    this.readerDone(st);
    if (st.timer) clearTimeout(st.timer);
    const probe = st.probe;
    if (probe) {
      const lastSample = probe.read();
      if (lastSample) st.meter.add(now, lastSample);
      probe.close();
      st.probe = undefined;
    }
    st.meter.finish(msg.at ?? now, msg);
    st.graceTimer = setTimeout(() => {
      st.stderrClosed = true;
      this.maybeEndStage(st);
      this.maybeFinish();
    }, stderrGraceMs);
    this.maybeEndStage(st);
  }

  private get lastStage(): StageRun {
    return this.stages[this.stages.length - 1]!;
  }

  private isSinkProc(st: StageRun): boolean {
    return (st.parent ?? st) === this.lastStage;
  }

  /** A process that reads a relay ended: for a segment that is the end of the edge; for copies, when all have. */
  private readerDone(st: StageRun): void {
    const k = this.units.findIndex((u) => u.firstProcs.includes(st));
    const unit = this.units[k];
    if (!unit || (k === 0 && !unit.inputGone)) return;
    if (unit.dealer) {
      unit.dealer.markGone(st.copy!);
      if (!unit.dealer.allGone) return;
    }
    if (unit.inputGone) unit.inputGone();
    else this.edgeGone(k - 1);
  }

  /** Classify once both the done message and the end of its stderr (or a grace) are in. */
  private maybeEndStage(st: StageRun): void {
    if (!st.done || !st.stderrClosed || endedStatuses.has(st.status)) return;
    if (st.parent && !st.outputClosed && !this.finished) return;
    if (st.graceTimer) clearTimeout(st.graceTimer);
    // Which of two neighbours' reports arrives first is a race, so only the engine's own
    // reading counts as "the reader went away"; inner stages need SIGPIPE or EPIPE noise.
    const readerGone = (this.isSinkProc(st) && this.stoppedReading) || st.readerGone;
    st.stderr.ended();
    const { status, byRule } = finalStatus({
      status: st.done.status,
      sawBrokenPipe: st.stderr.sawBrokenPipe,
      terminating: this.terminating !== undefined,
      cancelling: this.cancelled,
      timedOut: st.timedOut,
      readerGone,
      quietStop: this.quietStop && !this.failure,
      brokeRule: st.forcedFailure !== undefined,
      fewerLines: st.pendingMismatch !== undefined && !this.stoppedReading && !st.readerGone,
    });
    const decoded = decodeShellStatus(st.done.status, st.done.signaled);
    if (decoded.exitCode !== undefined) st.exitCode = decoded.exitCode;
    if (decoded.signal !== undefined) st.signal = decoded.signal;
    st.stderr.settle(status === 'stopped-early');
    if (status === 'failed') st.message = byRule ? (st.forcedFailure ?? st.pendingMismatch) : exitFailure(this.who(st), decoded, st.stderr.tail.at(-1));
    this.setStatus(st, status);
    if (status === 'failed' && !this.failure) {
      this.failure = { stage: st.parent ?? st, error: stageError('stage-failed', st.message!, this.who(st)) };
      this.terminate('failure');
    }
  }

  private onTimeout(st: StageRun): void {
    if (st.done || this.finished) return;
    st.timedOut = true;
    const ms = st.planned.stage.timeoutMs ?? 0;
    st.message = timedOut(this.who(st), ms);
    if (!this.failure) this.failure = { stage: st.parent ?? st, error: stageError('stage-timeout', st.message, this.who(st)) };
    this.terminate('failure');
  }

  // ---- stderr and records -----------------------------------------------------------------

  private emitStderr(st: StageRun, line: string): void {
    if (st.planned.stage.stderr === 'ignore') return;
    const event: RunEvent = { type: 'stderr', stage: st.name, index: st.index, line };
    if (st.copy !== undefined) event.worker = st.copy;
    this.queue.push(event);
  }

  private emitRecords(data: Buffer, count: number): void {
    this.taps.get(this.lastStage.name)?.observe(data);
    this.edges[this.edges.length - 1]!.report(this.sink.records, this.sink.bytes, false);
    this.queue.push({ type: 'records', data, count });
  }

  private pauseOutput(): void {
    this.sinkSource?.pause('queue');
    for (const seg of this.segments) seg.pauseStderr();
  }

  private resumeOutput(): void {
    this.sinkSource?.resume('queue');
    for (const seg of this.segments) seg.resumeStderr();
  }

  // ---- stopping ---------------------------------------------------------------------------

  stopReading(): void {
    if (this.stoppedReading || this.finished) return;
    this.stoppedReading = true;
    this.sink.stop();
    // As when a downstream `head` exits: the last stage gets SIGPIPE, the others follow through
    // their pipes. Stages that never write are sent one after a grace.
    const sink = this.units[this.units.length - 1];
    for (const st of sink?.lastProcs ?? []) this.signalStage(st, 'SIGPIPE');
    for (const seg of sink?.segments ?? []) seg.closeOutput();
    this.timers.later(stopReadingGraceMs, () => {
      for (const st of this.procs) if (!st.done) this.signalStage(st, 'SIGPIPE');
      this.timers.later(stopReadingGraceMs, () => {
        if (this.procs.some((st) => !st.done)) this.terminate('cancel-quietly');
      });
    });
  }

  cancel(): void {
    if (this.finished || this.cancelled) return;
    this.cancelled = true;
    this.terminate('cancel');
  }

  private signalStage(st: StageRun, signal: NodeJS.Signals): void {
    if (st.pid === undefined || st.done) return;
    if (st.remote) {
      st.remote.signal([st.pid], signal);
      return;
    }
    try {
      process.kill(st.pid, signal);
    } catch {
      // already gone
    }
  }

  /** Ends every stage (see terminateSegments); a quiet stop does not turn ends into cancels. */
  private terminate(reason: 'cancel' | 'failure' | 'cancel-quietly'): void {
    if (this.terminating || this.quietStop || this.segments.length === 0) return;
    if (reason === 'cancel-quietly') this.quietStop = true;
    else this.terminating = reason;
    this.settleCommits();
    terminateSegments(this.segments, () => this.wrapperPids(), this.timers);
  }

  private wrapperPids(): number[] {
    const pids: number[] = [];
    for (const st of this.procs) {
      if (st.pid === undefined || st.done || st.host) continue;
      const ppid = readStat(st.pid)?.ppid;
      if (ppid !== undefined && ppid > 1) pids.push(ppid);
    }
    return pids;
  }

  // ---- stats ------------------------------------------------------------------------------

  private sample(): void {
    const now = Date.now();
    for (const st of this.procs) {
      if (!st.probe) continue;
      const s = st.probe.read();
      if (s) st.meter.add(now, s);
    }
    for (const e of this.edges) e.tick(now);
    for (const st of this.stages) if (st.pid !== undefined && st.status === 'running') this.sources[st.index]?.sample(st.pid, now);
    if (++this.sampleCount % this.ticksPerStats === 0) this.queue.push(this.statsEvent(now));
  }

  /** One stats tick: every stage's, every edge's and the headline's numbers, from the same moment. */
  private statsEvent(now: number): RunEvent {
    const stages = this.snapshot(now);
    const edges = this.edges.map((e) => e.stats());
    return {
      type: 'stats',
      elapsedMs: now - this.startedAt,
      stages,
      edges,
      progress: this.progress(edges, stages),
      records: this.sink.records,
      bytes: this.sink.bytes,
    };
  }

  private progress(edges: EdgeStats[], stages: StageStats[]): Progress {
    return progressOf(edges[0], stages);
  }

  private snapshot(now = Date.now()): StageStats[] {
    return stageSnapshots(this.stages, this.edges, this.sources, now);
  }

  /** A stage with workers: running with its first copy, ended (as its worst copy) with its last. */
  private updateParent(p: StageRun): void {
    const copies = p.copies!;
    if (copies.every((c) => endedStatuses.has(c.status))) {
      if (endedStatuses.has(p.status)) return;
      const status = copyPrecedence.find((s) => copies.some((c) => c.status === s)) ?? 'succeeded';
      const worst = copies.find((c) => c.status === status)!;
      if (worst.exitCode !== undefined) p.exitCode = worst.exitCode;
      if (worst.signal !== undefined) p.signal = worst.signal;
      if (worst.message !== undefined) p.message = worst.message;
      p.stderr.tail.splice(0, Infinity, ...copies.flatMap((c) => c.stderr.tail).slice(-10));
      this.setStatus(p, status);
    } else if (copies.some((c) => c.status === 'running' || endedStatuses.has(c.status))) {
      if (p.status !== 'running') this.setStatus(p, 'running');
    } else if (p.status === 'pending' && copies.some((c) => c.status === 'queued')) this.setStatus(p, 'queued');
  }

  private setStatus(st: StageRun, status: StageStatus): void {
    st.status = status;
    if (endedStatuses.has(status)) {
      st.meter.end(Date.now());
      if (status === 'succeeded' && st.planned.writes !== undefined) st.wrote = writtenFile(st.planned.writes);
      if (!st.parent) this.sources[st.index]?.finish(status === 'succeeded');
      this.settleCommits();
    }
    if (st.parent) {
      this.updateParent(st.parent);
      return;
    }
    const event: RunEvent = { type: 'status', stage: st.name, index: st.index, status };
    if (st.pid !== undefined) event.pid = st.pid;
    if (st.exitCode !== undefined) event.exitCode = st.exitCode;
    if (st.signal !== undefined) event.signal = st.signal;
    if (st.message !== undefined) event.message = st.message;
    this.queue.push(event);
  }

  /**
   * A stage that will never report (see SegmentHandlers.settled): its status from the run's state
   * (statusWithoutReport), at once, so that nothing waits for it (a `write`'s verdict, say).
   * `lost`: its host's connection went with the report, naming the host.
   */
  private endUnreported(st: StageRun, lost: string | undefined): void {
    if (st.done || endedStatuses.has(st.status)) return;
    const status = statusWithoutReport({
      brokeRule: st.forcedFailure !== undefined,
      hostLost: lost !== undefined,
      timedOut: st.timedOut,
      ending: this.terminating !== undefined || this.cancelled || this.failure !== undefined,
      readerGone: st.readerGone || this.stoppedReading || this.quietStop,
    });
    if (status === 'failed') {
      const said = this.segments.flatMap((seg) => seg.ownStderr).pop();
      st.message = st.forcedFailure ?? (lost === undefined ? noReport(this.who(st), said) : `${label(this.who(st))} ${lost}`);
      if (!this.failure) {
        this.failure = { stage: st.parent ?? st, error: stageError('stage-failed', st.message, this.who(st)) };
        if (!this.finished) this.terminate('failure');
      }
    }
    st.stderr.ended();
    st.stderr.settle(status === 'stopped-early');
    this.setStatus(st, status);
  }

  // ---- the end ----------------------------------------------------------------------------

  private maybeFinish(): void {
    if (this.finished) return;
    if (!this.segments.every((seg) => seg.settled)) return;
    this.finish();
  }

  private finish(): void {
    this.finished = true;
    if (this.sampler) clearInterval(this.sampler);
    this.timers.clear();
    this.ssh.close();
    this.options.signal?.removeEventListener('abort', this.abortListener);
    const now = Date.now();
    for (const seg of this.segments) seg.input?.destroy();
    this.stdin?.destroy();
    for (const st of this.procs) {
      // A `write` killed before it could remove its temporary file (its wrapper too, so no `done`).
      if (st.planned.writes !== undefined && st.pid !== undefined) removeTemporaryFile(st.planned.writes, st.pid);
      if (st.timer) clearTimeout(st.timer);
      if (st.graceTimer) clearTimeout(st.graceTimer);
      st.probe?.close();
      st.probe = undefined;
      if (endedStatuses.has(st.status)) continue;
      if (st.done) {
        st.stderrClosed = true;
        this.maybeEndStage(st);
        continue;
      }
      // Never started (its segment could not be), or its segment's end is not in yet.
      this.endUnreported(st, undefined);
    }
    // Whatever was not reported as ended (a counter killed with its segment) is final now.
    for (const e of this.edges) e.report(e.records, e.bytes, true);
    const tick = this.statsEvent(now) as Extract<RunEvent, { type: 'stats' }>;
    const stats = tick.stages;
    const stages: StageResult[] = this.stages.map((st, i) => {
      const r: StageResult = { name: st.name, index: st.index, status: st.status, stderrTail: [...st.stderr.tail], stats: stats[i]! };
      if (st.meter.startedAt !== undefined) r.startedAt = st.meter.startedAt;
      if (st.meter.endedAt !== undefined) r.endedAt = st.meter.endedAt;
      if (st.exitCode !== undefined) r.exitCode = st.exitCode;
      if (st.signal !== undefined) r.signal = st.signal;
      if (st.message !== undefined) r.message = st.message;
      return r;
    });
    const result: RunResult = {
      outcome: this.failure ? 'failed' : this.cancelled ? 'cancelled' : 'succeeded',
      ok: !this.failure && !this.cancelled,
      stages,
      edges: tick.edges,
      progress: tick.progress,
      records: this.sink.records,
      bytes: this.sink.bytes,
      durationMs: now - this.startedAt,
      stoppedReading: this.stoppedReading,
    };
    if (this.file !== undefined) result.file = this.file;
    if (this.failure) {
      result.failedStage = this.failure.stage.name;
      result.error = this.failure.error;
    } else if (this.cancelled) {
      result.error = runError('cancelled', `${filePrefix(this.file)}the run was cancelled`, { file: this.file });
    }
    this.queue.push({ ...tick, elapsedMs: result.durationMs });
    this.queue.push({ type: 'end', result });
    this.queue.close();
    this.resolve(result);
  }
}

/** A `write` that was killed could not remove its temporary file: the engine does (it knows the pid). */
function removeTemporaryFile(target: string, pid: number): void {
  try {
    fs.rmSync(temporaryName(resolveTarget(target), pid), { force: true });
  } catch {
    // a loop of links: `write` itself failed on it
  }
}
