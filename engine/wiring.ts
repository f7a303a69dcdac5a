/**
 * The wiring of a run: its stages cut into units (cutUnits), each unit's segments started, and
 * the relays between units (taps, the workers' dealer and merger) joined; the last unit's
 * output goes to the sink. Which processes exist and which bytes go where is decided here only.
 */
import * as fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { edgeCounter } from './edge-counter';
import type { EdgeMeter } from './edges';
import { hostPipe, type HostPipe } from './host-pipe';
import type { StagePlan } from './plumbing';
import { connect, cutUnits, Dealer, type Unit, fdReadable, Merger, StreamSource, StreamTarget, type EdgeTap, type Source, type Target } from './relay';
import type { RunOptions } from './run';
import { RemoteSegment, type RemoteHandlers } from './remote';
import { Segment, type SegmentProcess } from './segment';
import type { SshSessions } from './ssh';
import type { StageRun } from './stage-run';
import { graphPlan, isStraight } from './graph-plan';

/** A relay between unit k and unit k + 1 (the edge it carries is counted in its EdgeMeter). */
export interface Relay {
  /** The unit it reads (an index into the units); it writes unit from + 1. */
  from: number;
  ended: boolean;
  gone: boolean;
}

export interface UnitRun {
  /** Logical stages in it, and the processes (copies for workers). */
  stages: StageRun[];
  segments: SegmentProcess[];
  /** Processes whose output leaves the unit, and those that read its input. */
  lastProcs: StageRun[];
  firstProcs: StageRun[];
  source: Source;
  target: Target | undefined;
  dealer?: Dealer;
  /** Its output goes straight into the next unit (a segment on another host), not through a relay. */
  direct?: boolean;
}

/** What the wiring needs from its run. */
export interface WiringContext {
  stages: readonly StageRun[];
  taps: ReadonlyMap<string, EdgeTap>;
  /** The output edge of each stage, by its index: relays count theirs here. */
  edges: readonly EdgeMeter[];
  /** Segment variables that start a counter on every edge inside a segment; undefined: counts off. */
  counter: Record<string, string> | undefined;
  options: Pick<RunOptions, 'fileDir' | 'stdinFd' | 'reorderWindowBytes'>;
  env: Readonly<Record<string, string | undefined>>;
  /** The run's ssh connections, for stages on other hosts. */
  ssh: SshSessions;
  /** Handlers of a segment running `procs` (its stage i is procs[i]). */
  handlers(procs: StageRun[], output: (chunk: Buffer) => void, outputClosed: () => void): RemoteHandlers;
  /** A copy's output closed: it may be classified now. */
  copyOutputClosed(copy: StageRun): void;
  /** An `ordered` copy broke the one-line-out-per-line-in rule (`atEnd`: found when its output ended). */
  mismatch(copy: StageRun, what: string, atEnd: boolean): void;
  /** The reader side of relay k is gone (k = -1: the run's stdin). */
  edgeGone(k: number): void;
  /** Where the last unit's output goes. */
  sink: Target;
}

export interface Wired {
  segments: SegmentProcess[];
  units: UnitRun[];
  relays: Relay[];
  sinkSource: Source | undefined;
  /** The run's stdin, when the engine deals it to a first stage's workers. */
  stdin: Readable | undefined;
}

/** Starts every segment of the run and joins them. */
export function wireUnits(ctx: WiringContext): Wired {
  const segments: SegmentProcess[] = [];
  const units: UnitRun[] = [];
  const relays: Relay[] = [];
  const wired: Wired = { segments, units, relays, sinkSource: undefined, stdin: undefined };
  const plans = (procs: readonly StageRun[]): StagePlan[] => procs.map((p) => p.planned.plan);
  const inputs = ctx.stages.map((s) => s.planned.inputs);
  if (!isStraight(inputs)) return wireGraph(ctx, plans(ctx.stages), graphPlan(inputs, ctx.counter !== undefined));
  const cut = cutUnits(
    ctx.stages.map((s) => ({ workers: s.planned.stage.workers, ordered: s.planned.stage.ordered, tap: ctx.taps.has(s.name), host: s.host?.name })),
  );
  // Stages on the same host run as one segment there (engine/remote.ts), joined by pipes on that host.
  const start = (
    procs: StageRun[],
    handlers: RemoteHandlers,
    options: { input: boolean; stdinFd?: number; counter?: Record<string, string>; output?: Writable; hostPipe?: HostPipe },
  ): SegmentProcess => {
    const host = procs[0]!.host;
    const { hostPipe: pipe, ...local } = options;
    if (!host) return new Segment(plans(procs), ctx.env, ctx.options.fileDir, handlers, local);
    // A host has no dist/edge-count: the edges between its stages are counted by the perl counter,
    // shipped like the scripts. Its output edge is counted here, by the next local segment (below).
    const counter = options.counter && procs.length > 1 ? edgeCounter({ PIPEWRIGHT_EDGE_COUNTER: 'perl' }).vars : undefined;
    const seg = new RemoteSegment(host, plans(procs), ctx.ssh, handlers, {
      input: options.input,
      ...(options.stdinFd !== undefined ? { stdinFd: options.stdinFd } : {}),
      ...(pipe ? { output: pipe } : {}),
      counter,
      env: ctx.env,
      cwd: ctx.options.fileDir,
    });
    for (const p of procs) p.remote = seg;
    return seg;
  };
  const segmentUnit = (u: Extract<Unit, { kind: 'segment' }>, k: number, output?: Writable | HostPipe, stdinFd?: number, fromHost = false): UnitRun => {
    const input = k > 0 && stdinFd === undefined;
    const stages = ctx.stages.slice(u.first, u.last + 1);
    const source = new StreamSource(() => seg.output);
    const seg = start(
      stages,
      ctx.handlers(
        stages,
        (chunk) => source.onData(chunk),
        () => source.onEnd(),
      ),
      {
        input,
        ...(k === 0 && ctx.options.stdinFd !== undefined ? { stdinFd: ctx.options.stdinFd } : {}),
        ...(stdinFd !== undefined ? { stdinFd } : {}),
        // Written straight into ssh, the last stage's output edge is counted in the segment too; read straight from ssh, the
        // edge into the first stage is (the C counter here, not perl on the host; the records the stage gets, however ssh ends).
        ...(ctx.counter && (stages.length > 1 || output || fromHost)
          ? { counter: { ...ctx.counter, ...(output ? { __PW_COUNT_OUT: '1' } : {}), ...(fromHost ? { __PW_COUNT_IN: '1' } : {}) } }
          : {}),
        ...(output && 'spare' in output ? { hostPipe: output } : output ? { output } : {}),
      },
    );
    segments.push(seg);
    for (const st of output ? stages : stages.slice(0, -1)) ctx.edges[st.index]!.countedBy = ctx.counter ? 'counter' : undefined;
    for (const [i, channel] of seg.commits) stages[i]!.commit = channel;
    seg.input?.on('error', () => ctx.edgeGone(k - 1));
    const target = input && seg.input ? new StreamTarget(seg.input) : undefined;
    return { stages, segments: [seg], firstProcs: [stages[0]!], lastProcs: [stages[stages.length - 1]!], source, target };
  };
  /** Units started ahead of their turn: one that the segment before it writes into directly (into or out of a host). */
  const early = new Map<number, UnitRun>();
  /**
   * Unit k, and when it is stages on a host followed by local stages (no tap between), unit k + 1
   * too, ahead of its turn: ssh writes into the local stage's stdin itself, like `ssh host a | b`.
   */
  const joinedUnit = (u: Extract<Unit, { kind: 'segment' }>, k: number): UnitRun => {
    const next = cut[k + 1];
    const last = ctx.stages[u.last]!;
    if (next?.kind !== 'segment' || !last.host || ctx.stages[next.first]!.host || ctx.taps.has(last.name)) return segmentUnit(u, k);
    const pipe = hostPipe();
    const unit = segmentUnit(u, k, pipe);
    fs.closeSync(pipe.write);
    try {
      early.set(k + 1, { ...segmentUnit(next, k + 1, undefined, pipe.read, true), target: undefined });
    } finally {
      fs.closeSync(pipe.read);
    }
    return { ...unit, direct: true };
  };
  cut.forEach((u, k) => {
    const input = k > 0;
    if (u.kind === 'segment') {
      const ready = early.get(k);
      if (ready) {
        units.push(ready);
        return;
      }
      // Local stages followed by stages on a host, with no tap between: the local segment's last
      // stage writes into ssh's stdin itself, like `a | ssh host b` (no relay; docs/remote.md).
      const next = cut[k + 1];
      const last = ctx.stages[u.last]!;
      if (next?.kind === 'segment' && !last.host && ctx.stages[next.first]!.host && !ctx.taps.has(last.name)) {
        const remote = joinedUnit(next, k + 1);
        const direct = (remote.segments[0] as RemoteSegment).takeInput();
        early.set(k + 1, direct ? { ...remote, target: undefined } : remote);
        if (direct) {
          const unit = segmentUnit(u, k, direct);
          direct.destroy(); // the segment has its own copy now
          units.push({ ...unit, direct: true });
          return;
        }
      }
      units.push(joinedUnit(u, k));
      return;
    }
    const st = ctx.stages[u.index]!;
    const copies = st.copies!;
    const segs: SegmentProcess[] = [];
    // The run's stdin into a first stage with workers is dealt like any other input: never raced.
    const stdin = k === 0 && ctx.options.stdinFd !== undefined ? fdReadable(ctx.options.stdinFd) : undefined;
    if (stdin) wired.stdin = stdin;
    const dealt = input || stdin !== undefined;
    const merger = new Merger(
      copies.map((_, i) => () => segs[i]?.output),
      u.ordered,
      ctx.options.reorderWindowBytes ?? 4 * 1024 * 1024,
      (i, what, atEnd) => ctx.mismatch(copies[i]!, what, atEnd),
    );
    copies.forEach((c, i) => {
      const seg = start(
        [c],
        ctx.handlers(
          [c],
          (chunk) => merger.data(i, chunk),
          () => {
            merger.closed(i);
            c.outputClosed = true;
            ctx.copyOutputClosed(c);
          },
        ),
        { input: dealt },
      );
      segs.push(seg);
      segments.push(seg);
      c.commit = seg.commits.get(0);
    });
    let dealer: Dealer | undefined;
    if (dealt) {
      dealer = new Dealer(
        segs.map((s) => s.input),
        u.ordered ? (i, n) => merger.assigned(i, n) : undefined,
      );
      segs.forEach((s, i) =>
        s.input?.on('error', () => {
          dealer!.markGone(i);
          if (dealer!.allGone) ctx.edgeGone(k - 1);
        }),
      );
    }
    if (stdin && dealer) {
      const source = new StreamSource(() => stdin);
      stdin.on('data', (c: Buffer) => source.onData(c));
      stdin.on('error', () => stdin.destroy());
      stdin.on('close', () => source.onEnd());
      connect(source, dealer);
    }
    const unit: UnitRun = { stages: [st], segments: segs, firstProcs: copies, lastProcs: copies, source: merger, target: dealer };
    if (dealer) unit.dealer = dealer;
    units.push(unit);
  });
  // Relays: unit k's output → (tap) → unit k + 1's input, counted by the engine.
  for (let k = 0; k + 1 < units.length; k++) {
    const from = units[k]!;
    const relay: Relay = { from: k, ended: false, gone: false };
    relays.push(relay);
    if (from.direct) continue;
    const lastStage = from.stages[from.stages.length - 1]!;
    const target = units[k + 1]!.target!;
    const meter = ctx.edges[lastStage.index]!;
    meter.countedBy = 'engine';
    connect(
      from.source,
      {
        write: (c) => target.write(c),
        whenDrained: (cb) => target.whenDrained(cb),
        end: () => {
          relay.ended = true;
          target.end();
        },
      },
      ctx.taps.get(lastStage.name),
      meter,
    );
  }
  const sinkUnit = units[units.length - 1];
  if (sinkUnit) {
    wired.sinkSource = sinkUnit.source;
    connect(sinkUnit.source, ctx.sink);
  }
  return wired;
}

/**
 * A graph (fan-out, fan-in) runs as one segment whose script joins the stages through FIFOs
 * (graph-plan.ts); its stdout is the last stage's output. Workers and taps are refused before
 * (preflight.ts), so there are no relays. Edge meters other than the output are the graph's edges,
 * counted by the segment's counters.
 */
function wireGraph(ctx: WiringContext, plans: StagePlan[], plan: string): Wired {
  const stages = [...ctx.stages];
  const source = new StreamSource(() => seg.output);
  const seg = new Segment(
    plans,
    ctx.env,
    ctx.options.fileDir,
    ctx.handlers(
      stages,
      (chunk) => source.onData(chunk),
      () => source.onEnd(),
    ),
    { input: false, ...(ctx.options.stdinFd !== undefined ? { stdinFd: ctx.options.stdinFd } : {}), ...(ctx.counter ? { counter: ctx.counter } : {}), plan },
  );
  for (const e of ctx.edges.slice(0, -1)) e.countedBy = ctx.counter ? 'counter' : undefined;
  for (const [i, channel] of seg.commits) stages[i]!.commit = channel;
  const unit: UnitRun = { stages, segments: [seg], firstProcs: [stages[0]!], lastProcs: [stages.at(-1)!], source, target: undefined };
  connect(source, ctx.sink);
  return { segments: [seg], units: [unit], relays: [], sinkSource: source, stdin: undefined };
}
