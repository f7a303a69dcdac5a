/**
 * The wiring of a run: its stages cut into units (cutUnits), each unit's segments started, and
 * the relays between units (taps, the workers' dealer and merger) joined; the last unit's
 * output goes to the sink. Which processes exist and which bytes go where is decided here only.
 */
import * as fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { EdgeMeter } from './edges';
import { hostPipe, isHostPipe, type HostPipe } from './host-pipe';
import { segmentFds } from './plumbing';
import { connect, Dealer, fdReadable, Merger, StreamSource, StreamTarget, type EdgeTap, type Source, type Target } from './relay';
import { cutUnits, type Unit } from './units';
import type { RunOptions } from './run';
import { RemoteSegment, type RemoteHandlers } from './remote';
import { Segment, type SegmentProcess } from './segment';
import type { SshSessions } from './ssh';
import { countInto, type CopyCounts, type StageRun } from './stage-run';
import { graphEdges, isStraight, type Hole } from './graph-plan';

/** A relay between unit k and unit k + 1 (the edge it carries is counted in its EdgeMeter). */
export interface Relay {
  /** The unit it reads (an index into the units); in a straight line it writes unit from + 1. */
  from: number;
  ended: boolean;
  gone: boolean;
  /** The edge's meter when the engine counts it (a graph's relays feed counted jobs instead). */
  meter?: EdgeMeter;
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
  /** Stops reading its output, when that is not its segments' (a tapped stage of a graph). */
  closeOutput?: () => void;
  /** A graph's relayed stage: every reader of its input is gone (the plan's jobs then stop early). */
  inputGone?: () => void;
}

/** What the wiring needs from its run. */
export interface WiringContext {
  stages: readonly StageRun[];
  taps: ReadonlyMap<string, EdgeTap>;
  /** The output edge of each stage, by its index: relays count theirs here. */
  edges: readonly EdgeMeter[];
  /** A counter on every edge inside a segment (false: counts off). */
  counted: boolean;
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
  if (!isStraight(ctx.stages.map((s) => s.planned.inputs))) return wireGraph(ctx);
  const cut = cutUnits(
    ctx.stages.map((s) => ({ workers: s.planned.stage.workers, ordered: s.planned.stage.ordered, tap: ctx.taps.has(s.name), host: s.host?.name })),
  );
  const start = (procs: StageRun[], handlers: RemoteHandlers, options: StartOptions) => startSegment(ctx, procs, handlers, options);
  const segmentUnit = (
    u: Extract<Unit, { kind: 'segment' }>,
    k: number,
    output?: Writable | HostPipe,
    stdinFd?: number,
    fromHost = false,
    planAfter?: (send: () => void) => void,
  ): UnitRun => {
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
        // edge into the first stage is (counted here: the records the stage gets, however ssh ends).
        ...(ctx.counted && (stages.length > 1 || output || fromHost) ? { counts: { out: output !== undefined, into: fromHost } } : {}),
        ...(isHostPipe(output) ? { hostPipe: output } : output ? { output } : {}),
        ...(planAfter ? { planAfter } : {}),
      },
    );
    segments.push(seg);
    for (const st of output ? stages : stages.slice(0, -1)) ctx.edges[st.index]!.countedBy = ctx.counted ? 'counter' : undefined;
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
          // Its plan waits for the remote one's: the host reads the program and the plan before the data.
          units.push({ ...segmentUnit(u, k, direct.input, undefined, false, direct.whenReady), direct: true });
          return;
        }
      }
      units.push(joinedUnit(u, k));
      return;
    }
    // The run's stdin into a first stage with workers is dealt like any other input: never raced.
    const stdin = k === 0 && ctx.options.stdinFd !== undefined ? fdReadable(ctx.options.stdinFd) : undefined;
    const unit = workersUnit(ctx, ctx.stages[u.index]!, input || stdin !== undefined, () => ctx.edgeGone(k - 1));
    segments.push(...unit.segments);
    if (stdin) wired.stdin = feed(stdin, unit.dealer!);
    units.push(unit);
  });
  // Relays: unit k's output → (tap) → unit k + 1's input, counted by the engine.
  for (let k = 0; k + 1 < units.length; k++) {
    const from = units[k]!;
    const lastStage = from.stages[from.stages.length - 1]!;
    const meter = ctx.edges[lastStage.index]!;
    const relay: Relay = { from: k, ended: false, gone: false, meter };
    relays.push(relay);
    if (from.direct) continue;
    const target = units[k + 1]!.target!;
    meter.countedBy = 'engine';
    relayInto(relay, from.source, target, ctx.taps.get(lastStage.name), meter);
  }
  const sinkUnit = units[units.length - 1];
  if (sinkUnit) {
    wired.sinkSource = sinkUnit.source;
    connect(sinkUnit.source, ctx.sink);
  }
  return wired;
}

type StartOptions = {
  input: boolean;
  stdinFd?: number;
  counts?: { into?: boolean; out?: boolean };
  output?: Writable;
  hostPipe?: HostPipe;
  planAfter?: (send: () => void) => void;
};

/** Starts `procs` as one segment: here, or on their host (engine/remote.ts), joined by pipes there. */
function startSegment(ctx: WiringContext, procs: StageRun[], handlers: RemoteHandlers, options: StartOptions): SegmentProcess {
  const plans = procs.map((p) => p.planned.plan);
  const host = procs[0]!.host;
  const { hostPipe: pipe, ...local } = options;
  if (!host) return new Segment(plans, handlers, local);
  // The edges between a host's stages are counted there, by pw-segment; its output edge here, by the next local segment (segmentUnit).
  const seg = new RemoteSegment(host, plans, ctx.ssh, handlers, {
    input: options.input,
    ...(options.stdinFd !== undefined ? { stdinFd: options.stdinFd } : {}),
    ...(pipe ? { output: pipe } : {}),
    counted: options.counts !== undefined,
    env: ctx.env,
    cwd: ctx.options.fileDir,
    label: procs.map((p) => (p.copy === undefined ? p.name : `${p.name}.${p.copy + 1}`)).join('+'),
  });
  for (const p of procs) p.remote = seg;
  return seg;
}

/**
 * A stage with workers: its copies, each a segment of its own (here or on their hosts), joined
 * by a merger, and fed by a dealer when `dealt` (its `target`). `allGone`: no copy takes input any more.
 */
function workersUnit(ctx: WiringContext, st: StageRun, dealt: boolean, allGone: () => void): UnitRun {
  const copies = st.copies!;
  const segs: SegmentProcess[] = [];
  const ordered = st.planned.stage.ordered;
  // Copies on a Slurm cluster wait for their steps; the dealer skips them until then.
  const waiting = copies.map(() => false);
  let dealer: Dealer | undefined;
  const merger = new Merger(
    copies.map((_, i) => () => segs[i]?.output),
    ordered,
    ctx.options.reorderWindowBytes ?? 4 * 1024 * 1024,
    (i, what, atEnd) => ctx.mismatch(copies[i]!, what, atEnd),
  );
  copies.forEach((c, i) => {
    const counts: CopyCounts = dealt ? { in: { records: 0, bytes: 0 }, out: { records: 0, bytes: 0 } } : { out: { records: 0, bytes: 0 } };
    c.counts = counts;
    const handlers = ctx.handlers(
      [c],
      (chunk) => {
        countInto(counts.out, chunk);
        merger.data(i, chunk);
      },
      () => {
        merger.closed(i);
        c.outputClosed = true;
        ctx.copyOutputClosed(c);
      },
    );
    const placed: RemoteHandlers['placed'] = (placement) => {
      handlers.placed(placement);
      waiting[i] = placement.waiting;
      if (!placement.waiting) dealer?.wake();
    };
    const seg = startSegment(ctx, [c], { ...handlers, placed }, { input: dealt });
    segs.push(seg);
    c.commit = seg.commits.get(0);
  });
  const unit: UnitRun = { stages: [st], segments: segs, firstProcs: copies, lastProcs: copies, source: merger, target: undefined };
  if (dealt) {
    dealer = new Dealer(
      segs.map((s) => s.input),
      ordered ? (i, n) => merger.assigned(i, n) : undefined,
      waiting,
      (i, piece) => countInto(copies[i]!.counts!.in!, piece),
    );
    const d = dealer;
    segs.forEach((s, i) =>
      s.input?.on('error', () => {
        d.markGone(i);
        if (d.allGone) allGone();
      }),
    );
    unit.dealer = dealer;
    unit.target = dealer;
  }
  return unit;
}

/** A source of what the engine reads from `stream` (a graph's job writes it), ending when the stream closes. */
function sourceOf(stream: Readable | undefined): StreamSource {
  const source = new StreamSource(() => stream);
  stream?.on('data', (c: Buffer) => source.onData(c));
  stream?.on('close', () => source.onEnd());
  return source;
}

/** Bytes the engine reads from `stream` (the run's stdin, a graph's job) into `target`, counted on `meter`; returns the stream. */
function feed(stream: Readable, target: Target, meter?: EdgeMeter): Readable {
  const source = sourceOf(stream);
  stream.on('error', () => stream.destroy());
  connect(source, target, undefined, meter);
  return stream;
}

/** Where the output of a stage that no one reads goes (`unread-output`): nowhere. */
const discard: Target = { write: () => true, whenDrained: (cb) => cb(), end: () => {} };

/**
 * A graph (fan-out, fan-in) runs as one segment whose plan joins the stages through pipes
 * (segment-plan.ts); its stdout is the last stage's output. A stage the engine relays (workers,
 * a tap, another host) is a hole in that plan, joined to the engine by fds of the segment: the
 * plan writes its input edges (merged) into one, the engine deals them to the copies or hands
 * them to ssh; the engine writes its output (merged copies, ssh's output, or a tapped stage's own
 * output read from the fd it writes) into another, which the plan hands on to its readers like
 * any stage's output. Every edge between stages is a FIFO counted by the segment's counters.
 */
function wireGraph(ctx: WiringContext): Wired {
  const stages = [...ctx.stages];
  const n = stages.length;
  const inputs = stages.map((s) => s.planned.inputs);
  const edges = graphEdges(inputs);
  const edgeIds = (end: 'from' | 'to', i: number) => edges.flatMap((e, id) => (e[end] === i ? [id] : []));
  const relayed = stages.filter((st) => st.copies || st.host || (ctx.taps.has(st.name) && st.index < n - 1));
  // Stages with workers or on another host run elsewhere; a tapped one runs in the plan.
  const elsewhere = new Map(relayed.flatMap((st) => (st.copies || st.host ? [[st.index, elsewhereUnit(ctx, st)] as const] : [])));
  const inPlan = (i: number) => !elsewhere.has(i);
  const segments: SegmentProcess[] = [...elsewhere.values()].flatMap((u) => u.segments);
  // The holes' fds, by their position among the segment's: an input fd, an output fd (segmentFds' `holes`).
  let count = 0;
  const slots = new Map(
    relayed.map((st) => {
      const i = st.index;
      const input = !inPlan(i) && i === 0 ? undefined : count++;
      const output = i < n - 1 && edgeIds('from', i).length > 0 ? count++ : undefined;
      return [i, { input, output }] as const;
    }),
  );
  const fds = segmentFds(n, stages.filter((st) => st.planned.plan.commit && inPlan(st.index)).length, count).holes;
  const holes = new Map<number, Hole>(
    [...slots].map(([i, slot]) => {
      const hole: Hole = {};
      if (slot.input !== undefined) hole.input = fds[slot.input]!;
      if (slot.output !== undefined) hole.output = fds[slot.output]!;
      if (inPlan(i)) hole.runs = true;
      return [i, hole];
    }),
  );
  const source = new StreamSource(() => seg.output);
  const h = ctx.handlers(
    stages,
    (chunk) => source.onData(chunk),
    () => source.onEnd(),
  );
  const seg = new Segment(
    stages.map((st) => (inPlan(st.index) ? st.planned.plan : { ...st.planned.plan, commit: false })),
    {
      ...h,
      // Stages run elsewhere report there; this segment has only their (unused) stderr fds, whose
      // end may still be the last thing the run waits for.
      control: (i, msg) => (msg.kind === 'edge' || inPlan(i) ? h.control(i, msg) : undefined),
      stderrLine: (i, line) => (inPlan(i) ? h.stderrLine(i, line) : undefined),
      stderrClosed: (i) => (inPlan(i) ? h.stderrClosed(i) : h.changed()),
      settled: (unreported, lost) => h.settled(unreported.filter(inPlan), lost),
    },
    {
      input: false,
      ...(ctx.options.stdinFd !== undefined && inPlan(0) ? { stdinFd: ctx.options.stdinFd } : {}),
      ...(ctx.counted ? { counts: {} } : {}),
      graph: { inputs, holes, fds: count },
    },
  );
  segments.unshift(seg);
  for (const e of ctx.edges.slice(0, -1)) e.countedBy = ctx.counted ? 'counter' : undefined;
  /** With counts off, the one edge into or out of a relayed stage whose bytes the engine passes on is counted by it. */
  const engineMeter = (ids: number[]): EdgeMeter | undefined => {
    const meter = !ctx.counted && ids.length === 1 ? ctx.edges[ids[0]!] : undefined;
    if (meter) meter.countedBy = 'engine';
    return meter;
  };
  for (const [i, channel] of seg.commits) stages[i]!.commit = channel;
  const graphUnit: UnitRun = { stages, segments: [seg], firstProcs: [], lastProcs: [stages.at(-1)!], source, target: undefined };
  // The graph's own unit goes last unless the run's output is a relayed stage's (Run.stopReading reads the last unit).
  const lastRelayed = slots.has(n - 1);
  const units: UnitRun[] = lastRelayed ? [graphUnit] : [];
  const relays: Relay[] = [];
  let sinkSource: Source = source;
  let stdin: Readable | undefined;
  for (const st of relayed) {
    const i = st.index;
    const slot = slots.get(i)!;
    const fromPlan = slot.input !== undefined ? seg.holes[slot.input] : undefined;
    const toPlan = slot.output !== undefined ? seg.holes[slot.output] : undefined;
    let unit = elsewhere.get(i);
    if (!unit) {
      // A tapped stage runs in the plan: the engine reads what it writes, and passes it on.
      unit = {
        stages: [st],
        segments: [],
        firstProcs: [],
        lastProcs: [st],
        source: sourceOf(fromPlan),
        target: undefined,
        closeOutput: () => fromPlan?.destroy(),
      };
    } else if (fromPlan) {
      // Its input edges, written by the plan (merged), to the copies' dealer or into ssh.
      feed(fromPlan, unit.target!, engineMeter(edgeIds('to', i)));
      unit.inputGone = () => fromPlan.destroy();
    } else if (unit.dealer && ctx.options.stdinFd !== undefined) {
      // A first stage with workers: the run's stdin is dealt, like any input.
      stdin = feed(fdReadable(ctx.options.stdinFd), unit.dealer);
      unit.inputGone = () => ctx.edgeGone(-1);
    } else unit.inputGone = () => {};
    units.push(unit);
    if (i === n - 1) {
      sinkSource = unit.source;
      continue;
    }
    const relay: Relay = { from: units.length - 1, ended: false, gone: false };
    relays.push(relay);
    if (!toPlan) {
      connect(unit.source, discard, ctx.taps.get(st.name));
      continue;
    }
    // Its reading side ends once the last job reading it has gone (or an EPIPE says so first).
    const gone = () => ctx.edgeGone(relays.indexOf(relay));
    toPlan.on('end', gone);
    toPlan.on('error', gone);
    toPlan.resume();
    const target = new StreamTarget(toPlan);
    const meter = engineMeter(edgeIds('from', i));
    if (meter) relay.meter = meter;
    relayInto(relay, unit.source, target, ctx.taps.get(st.name), meter);
  }
  if (!lastRelayed) units.push(graphUnit);
  connect(sinkSource, ctx.sink);
  return { segments, units, relays, sinkSource, stdin };
}

/**
 * A graph's stage with workers, or on another host: its unit, started before the graph's segment.
 * Its `target` takes its input (the copies' dealer, ssh's stdin), which the wiring feeds; when its
 * readers are gone the wiring's `inputGone` runs.
 */
function elsewhereUnit(ctx: WiringContext, st: StageRun): UnitRun {
  const dealt = st.index > 0 || ctx.options.stdinFd !== undefined;
  if (st.copies) {
    const unit = workersUnit(ctx, st, dealt, () => unit.inputGone?.());
    return unit;
  }
  const source = new StreamSource(() => seg.output);
  const seg = startSegment(
    ctx,
    [st],
    ctx.handlers(
      [st],
      (chunk) => source.onData(chunk),
      () => source.onEnd(),
    ),
    { input: st.index > 0, ...(st.index === 0 && ctx.options.stdinFd !== undefined ? { stdinFd: ctx.options.stdinFd } : {}) },
  );
  // Its input is relayed into ssh, not handed to the plan's job: tried that way, a remote stage
  // could end as if its input had ended (succeeded) when a branch after it stopped early.
  const unit: UnitRun = {
    stages: [st],
    segments: [seg],
    firstProcs: [st],
    lastProcs: [st],
    source,
    target: st.index > 0 ? new StreamTarget(seg.input) : undefined,
  };
  seg.input?.on('error', () => unit.inputGone?.());
  return unit;
}

/** Joins `source` to `target` as `relay` (ended with the target), through the stage's tap and the edge's meter. */
function relayInto(relay: Relay, source: Source, target: Target, tap: EdgeTap | undefined, meter: EdgeMeter | undefined): void {
  const end = () => {
    relay.ended = true;
    target.end();
  };
  connect(source, { write: (c) => target.write(c), whenDrained: (cb) => target.whenDrained(cb), end }, tap, meter);
}
