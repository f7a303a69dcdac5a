import type { Readable } from 'node:stream';
import type { Pipeline } from '../dsl';
import { filePrefix, runError, type RunError } from './errors';
import { EventQueue, type RunEvent, type RunResult, type StageResult } from './events';
import { EdgeMeter, type EdgeStats } from './edges';
import { graphEdges, isStraight } from './graph-plan';
import { orderedMismatch, spawnFailed, stageError, type Who } from './messages';
import { planStages, type PlannedStage } from './preflight';
import { progressOf, SourceWatch, sourceFileOf, type Progress } from './progress';
import { EdgeTap, type EdgePeek, type Source } from './relay';
import type { RemoteHandlers } from './remote';
import type { SegmentProcess } from './segment';
import { SshSessions } from './ssh';
import { RecordSink } from './sink';
import { newStageRun, type StageRun } from './stage-run';
import type { StageStats } from './stats';
import { stageSnapshots } from './run-stats';
import { settleCommits } from './commits';
import { StageStates } from './stage-state';
import { Termination } from './termination';
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
  private readonly end: Termination;
  private readonly states: StageStates;
  private sampler: NodeJS.Timeout | undefined;
  private finished = false;
  private resolve!: (r: RunResult) => void;
  private readonly sampleMs: number;
  private readonly ticksPerStats: number;
  private sampleCount = 0;
  private readonly abortListener = () => this.end.cancel();

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
      () => this.end.stopReading(),
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
    this.end = new Termination({
      segments: this.segments,
      procs: this.procs,
      sinkUnit: () => this.units[this.units.length - 1],
      finished: () => this.finished,
      stopSink: () => this.sink.stop(),
      settleCommits: () => this.settleCommits(),
    });
    this.states = new StageStates({
      end: this.end,
      finished: () => this.finished,
      isSinkProc: (st) => (st.parent ?? st) === this.lastStage,
      who: (st) => this.who(st),
      push: (event) => this.queue.push(event),
      ended: (st, status) => {
        if (!st.parent) this.sources[st.index]?.finish(status === 'succeeded');
        this.settleCommits();
      },
      maybeFinish: () => this.maybeFinish(),
      readerDone: (st) => this.readerDone(st),
      segmentSaid: () => this.segments.flatMap((seg) => seg.ownStderr).pop(),
    });
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
      () => this.end.stopReading(),
    );
    const result = new Promise<RunResult>((resolve) => {
      this.resolve = resolve;
    });
    this.handle = {
      events: this.queue,
      result,
      cancel: () => this.end.cancel(),
      stopReading: () => this.end.stopReading(),
      stats: () => this.snapshot(),
      edges: () => this.edges.map((e) => e.stats()),
      peek: (stage) => this.taps.get(stage)?.peek(),
    };
    this.queue.push({ type: 'start', at: this.startedAt, stages: this.stages.map((s) => ({ name: s.name, index: s.index, inputs: s.planned.inputs })) });
    if (options.signal?.aborted) {
      this.end.cancelled = true;
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
        for (const st of procs) this.states.placed(st, placement);
      },
      settled: (unreported, lost) => {
        for (const local of unreported) this.states.unreported(procs[local]!, lost);
      },
      control: (local, msg) => {
        // A counter reports its edge by number: in a graph, the edge's position; else the stage it follows (-1: the edge
        // into the segment's first stage, from a host).
        if (msg.kind === 'edge') {
          const from = this.graph ? msg.index : msg.index === -1 ? procs[0]!.index - 1 : (procs[msg.index]?.index ?? -1);
          this.edges[from]?.report(msg.records, msg.bytes, msg.end);
        } else this.states.report(procs[local]!, msg);
      },
      stderrLine: (local, line) => procs[local]!.stderr.line(line),
      stderrClosed: (local) => {
        const st = procs[local]!;
        st.stderrClosed = true;
        this.states.classify(st);
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
      copyOutputClosed: (c) => this.states.classify(c),
      mismatch: (c, what, atEnd) => {
        const message = orderedMismatch(this.who(c), what);
        // Found at its end: it matters only if the copy otherwise succeeded (see StageStates.classify).
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
      this.end.signalStage(st, 'SIGPIPE');
    }
    if (unit.closeOutput) unit.closeOutput();
    else for (const seg of unit.segments) seg.closeOutput();
  }

  /** Tells each waiting `write` its verdict once it is known (engine/commits.ts). */
  private settleCommits(): void {
    const end = this.end;
    settleCommits(this.procs, end.failure !== undefined || end.cancelled || end.terminating !== undefined || this.finished);
  }

  /** Who a message about this stage or copy names. */
  private who(st: StageRun): Who {
    const p = st.parent ?? st;
    return { file: this.file, stage: p.name, ...(st.parent ? { copy: { index: st.copy!, of: p.copies!.length } } : {}) };
  }

  /** The engine found a copy misbehaving: it fails (and with it the run). */
  private failCopy(st: StageRun, message: string): void {
    const end = this.end;
    if (st.forcedFailure || end.stoppedReading || end.terminating || end.quietStop || st.readerGone) return;
    st.forcedFailure = message;
    st.message = message;
    if (end.fail(st.parent ?? st, stageError('stage-failed', message, this.who(st)))) end.terminate('failure');
  }

  private failSpawn(e: Error): void {
    this.end.fail(this.stages[0]!, runError('spawn-failed', spawnFailed(this.file, e), { file: this.file }));
    for (const st of this.procs) st.stderrClosed = true;
    queueMicrotask(() => {
      // Segments that did start (a run of several) are ended like on any failure.
      this.end.terminate('failure');
      this.maybeFinish();
    });
  }

  private get lastStage(): StageRun {
    return this.stages[this.stages.length - 1]!;
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

  // ---- the end ----------------------------------------------------------------------------

  private maybeFinish(): void {
    if (this.finished) return;
    if (!this.segments.every((seg) => seg.settled)) return;
    this.finish();
  }

  private finish(): void {
    this.finished = true;
    if (this.sampler) clearInterval(this.sampler);
    this.end.timers.clear();
    this.ssh.close();
    this.options.signal?.removeEventListener('abort', this.abortListener);
    const now = Date.now();
    for (const seg of this.segments) seg.input?.destroy();
    this.stdin?.destroy();
    // A `write` killed before it could remove its temporary file (with its segment, so no `done`) has it removed there.
    for (const st of this.procs) this.states.settle(st);
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
    const { failure, cancelled } = this.end;
    const result: RunResult = {
      outcome: failure ? 'failed' : cancelled ? 'cancelled' : 'succeeded',
      ok: !failure && !cancelled,
      stages,
      edges: tick.edges,
      progress: tick.progress,
      records: this.sink.records,
      bytes: this.sink.bytes,
      durationMs: now - this.startedAt,
      stoppedReading: this.end.stoppedReading,
    };
    if (this.file !== undefined) result.file = this.file;
    if (failure) {
      result.failedStage = failure.stage.name;
      result.error = failure.error;
    } else if (cancelled) {
      result.error = runError('cancelled', `${filePrefix(this.file)}the run was cancelled`, { file: this.file });
    }
    this.queue.push({ ...tick, elapsedMs: result.durationMs });
    this.queue.push({ type: 'end', result });
    this.queue.close();
    this.resolve(result);
  }
}
