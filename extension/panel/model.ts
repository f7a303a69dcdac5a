// What the run panel shows, computed from a run's model and timeline: the stage graph (nodes
// and from/to edges, so fan-out and fan-in drop in), the stage table and the sparklines. Plain
// data with text already formatted: the webview only draws it. No vscode here.
import { formatBusy, formatWrote, formatBytes, formatCount, formatDuration, plural, sourceParts, statusText } from '../../engine/format';
import type { EdgeStats, StageStats, StageStatus } from '../../engine';
import { ratesOf, type RatePoint, type StageTimeline } from '../../engine/timeline';
import { endedHow } from '../failure';
import { clockTime, summaryOf, type RunSummary } from '../history';
import type { RunModel, RunState, StageView } from '../run-model';
import { runStateText } from '../run-rows';

export type NodeStatus = StageStatus | 'sink';

export interface GraphNode {
  id: string;
  /** The stage's index; undefined for the output node. */
  index?: number;
  label: string;
  status: NodeStatus;
  statusText: string;
  /** Counts under the name: "12.3k rec · 4.5 MiB". */
  detail: string;
  bottleneck: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** "1.2k rec/s · 340 KiB/s" while data flows, totals once the writer has ended. */
  label: string;
  recordsPerSec?: number | undefined;
  bytesPerSec: number;
  flowing: boolean;
}

export interface Cell {
  text: string;
  /** What the column sorts by (numbers sort as numbers; missing values last). */
  sort: number | string | null;
  title?: string;
}

export const columns = [
  { key: 'name', title: 'Stage', numeric: false },
  { key: 'status', title: 'Status', numeric: false },
  { key: 'recordsIn', title: 'Records in', numeric: true },
  { key: 'recordsOut', title: 'Records out', numeric: true },
  { key: 'recordRate', title: 'Rec/s', numeric: true },
  { key: 'bytesIn', title: 'Bytes in', numeric: true },
  { key: 'bytesOut', title: 'Bytes out', numeric: true },
  { key: 'byteRate', title: 'Bytes/s', numeric: true },
  { key: 'cpu', title: 'CPU', numeric: true },
  { key: 'peakRss', title: 'Peak RSS', numeric: true },
  { key: 'busy', title: 'Busy', numeric: true },
  { key: 'duration', title: 'Duration', numeric: true },
  { key: 'exit', title: 'Exit', numeric: false },
] as const;

export type ColumnKey = (typeof columns)[number]['key'];

export interface TableRow {
  index: number;
  cells: Record<ColumnKey, Cell>;
  status: StageStatus;
  bottleneck: boolean;
  /** `workers: N`: a row per copy under the stage's (its step and node on a Slurm cluster), in copy order whatever the sort. */
  workers?: WorkerRow[];
}

export interface WorkerRow {
  /** 1-based, as the Stages view numbers them. */
  worker: number;
  cells: Record<ColumnKey, Cell>;
  status: StageStatus;
}

export interface Spark {
  /** Values over the run, oldest first (at most `sparkPoints`). */
  values: number[];
  max: number;
  /** The latest value, formatted with its unit. */
  latest: string;
}

export interface StageSparks {
  index: number;
  /** Records/s where the stage's records are counted, else bytes/s. */
  rate: Spark;
  rateUnit: 'rec/s' | 'B/s';
  cpu: Spark;
}

export interface Failure {
  index: number;
  name: string;
  /** "exited with code 3", "was killed by SIGKILL", "timed out". */
  how: string;
  message?: string;
  stderr: string[];
}

export interface HistoryItem {
  id: number;
  label: string;
  detail: string;
  outcome: RunState;
  current: boolean;
}

export interface PanelView {
  runId: number;
  title: string;
  file: string;
  state: RunState;
  /** "running · 12.3k records · 1.2k rec/s · 4.5 s". */
  summary: string;
  pinned: boolean;
  /** A run from an earlier window: its summary only (no stats were kept). */
  restored: boolean;
  nodes: GraphNode[];
  edges: GraphEdge[];
  bottleneck?: { index: number; name: string; why: string };
  rows: TableRow[];
  sparks: StageSparks[];
  failures: Failure[];
  history: HistoryItem[];
}

export const sparkPoints = 60;
export const outputNode = 'output';
const stageId = (index: number) => `stage-${index}`;

const pct = (share: number) => `${Math.round(share * 100)}%`;

export interface Link {
  from: string;
  to: string;
  writer: number;
  reader: number | 'output';
}

/** Which stage reads which (fan-out, fan-in), and the last feeds the output. */
export function linksOf(stages: readonly Pick<StageView, 'index' | 'inputs'>[]): Link[] {
  // Each stage's inputs; without them (a run from the history) the stage before it.
  const links: Link[] = stages.flatMap((s, k) =>
    (s.inputs ?? (k > 0 ? [stages[k - 1]!.index] : [])).map((from) => ({ from: stageId(from), to: stageId(s.index), writer: from, reader: s.index })),
  );
  const last = stages.at(-1);
  if (last) links.push({ from: stageId(last.index), to: outputNode, writer: last.index, reader: 'output' });
  return links;
}

export interface ViewInputs {
  model: RunModel;
  timeline?: readonly StageTimeline[] | undefined;
  history: readonly RunSummary[];
  pinned: boolean;
  restored: boolean;
}

export function panelView({ model, timeline, history, pinned, restored }: ViewInputs): PanelView {
  const rates = model.stages.map((s) => ratesOf(timeline?.[s.index]?.samples ?? []));
  const links = linksOf(model.stages);
  const flow = (i: number) => flowOf(model.stages[i], rates[i]);
  const edges: GraphEdge[] = links.map((l) => {
    // A counted edge shows its own numbers (each branch of a fan-out its own); else its writer's output.
    const counted = model.edges.find((e) => e.countedBy && e.from === l.writer && e.to === l.reader);
    if (counted) return countedEdge(l, counted);
    const f = flow(l.writer);
    const writer = model.stages[l.writer];
    return {
      from: l.from,
      to: l.to,
      label: edgeLabel(writer, f),
      bytesPerSec: f.bytesPerSec,
      ...(f.recordsPerSec !== undefined ? { recordsPerSec: f.recordsPerSec } : {}),
      flowing: writer?.status === 'running',
    };
  });
  const bottleneckStage = model.stages.find((s) => s.stats?.bottleneck && s.status === 'running');
  const nodes: GraphNode[] = model.stages.map((s) => ({
    id: stageId(s.index),
    index: s.index,
    label: stageLabel(s),
    status: s.status,
    statusText: nodeStatusText(s),
    detail: nodeDetail(s),
    bottleneck: s === bottleneckStage,
  }));
  nodes.push({
    id: outputNode,
    label: 'output',
    status: 'sink',
    statusText: model.to ? `to ${model.to}` : 'records',
    detail: `${formatCount(model.records)} rec`,
    bottleneck: false,
  });
  const view: PanelView = {
    runId: model.id,
    title: model.to ? `${model.pipelineName} → ${model.to}` : model.pipelineName,
    file: model.file,
    state: model.state,
    summary: runSummary(model),
    pinned,
    restored,
    nodes,
    edges,
    rows: model.stages.map((s) => rowOf(s, flow(s.index))),
    sparks: model.stages.map((s) => sparksOf(s.index, rates[s.index] ?? [])),
    failures: model.stages.filter((s) => s.status === 'failed' || s.status === 'timed-out').map(failureOf),
    // The shown run as it is now (its saved summary is from its start while it runs).
    history: history.map((h) => (h.id === model.id ? historyItem(summaryOf(model), true) : historyItem(h, false))),
  };
  if (bottleneckStage) view.bottleneck = { index: bottleneckStage.index, name: bottleneckStage.name, why: bottleneckWhy(bottleneckStage, links, model.stages) };
  return view;
}

interface Flow {
  recordsPerSec?: number | undefined;
  bytesPerSec: number;
}

/** The stage's output rates (engine/stats.ts): live over about the last second, once ended over its life. */
function flowOf(s: StageView | undefined, rates: RatePoint[] | undefined): Flow {
  const st = s?.stats;
  if (!s || !st) return { bytesPerSec: 0 };
  const secs = st.durationMs / 1000;
  const average = st.recordsOut !== undefined && secs > 0 ? st.recordsOut / secs : undefined;
  const recordsPerSec = st.recordsPerSec ?? (s.status === 'running' ? rates?.at(-1)?.recordsPerSec : average);
  return { bytesPerSec: st.rateOut, ...(recordsPerSec !== undefined ? { recordsPerSec } : {}) };
}

function countedEdge(l: Link, e: EdgeStats): GraphEdge {
  const label = e.ended ? `${formatCount(e.records)} rec · ${formatBytes(e.bytes)}` : `${formatCount(e.recordsPerSec)} rec/s · ${formatBytes(e.bytesPerSec)}/s`;
  return { from: l.from, to: l.to, label, recordsPerSec: e.recordsPerSec, bytesPerSec: e.bytesPerSec, flowing: !e.ended };
}

function edgeLabel(writer: StageView | undefined, f: Flow): string {
  const st = writer?.stats;
  if (!st) return '';
  if (writer.status === 'running')
    return [f.recordsPerSec !== undefined ? `${formatCount(f.recordsPerSec)} rec/s` : undefined, `${formatBytes(f.bytesPerSec)}/s`].filter(Boolean).join(' · ');
  return [st.recordsOut !== undefined ? `${formatCount(st.recordsOut)} rec` : undefined, st.bytesOut !== undefined ? formatBytes(st.bytesOut) : undefined]
    .filter(Boolean)
    .join(' · ');
}

function nodeStatusText(s: StageView): string {
  if (s.status === 'failed') return s.signal ? `failed: ${s.signal}` : `failed: exit ${s.exitCode ?? '?'}`;
  if (s.status === 'running' && s.stats) return `running · busy ${formatBusy(s.stats.busy)}`;
  return statusText[s.status];
}

function nodeDetail(s: StageView): string {
  const st = s.stats;
  if (!st) return '';
  return [
    st.recordsOut !== undefined ? `${formatCount(st.recordsOut)} rec` : undefined,
    st.bytesOut !== undefined ? `${formatBytes(st.bytesOut)} out` : undefined,
    st.wrote ? formatWrote(st.wrote) : undefined,
    s.status === 'running' && st.source ? sourceParts(st.source).join(' · ') : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

function runSummary(m: RunModel): string {
  const parts: string[] = [runStateText(m.state), plural(m.records, 'record', formatCount(m.records))];
  if (m.running) parts.push(`${formatCount(m.recordRate)} rec/s`);
  parts.push(formatDuration(m.elapsedMs));
  // How far the run is into the file it reads (any stage's), as the status bar and the CLI's live line show it.
  if (m.running && m.progress?.source) parts.push(...sourceParts(m.progress.source));
  if (m.result?.failedStage) parts.push(`failed at ${m.result.failedStage}`);
  return parts.join(' · ');
}

/** A stage's name, with its host when it runs on another one (docs/remote.md): `square @ box`. */
const stageLabel = (s: StageView): string => (s.stats?.host ? `${s.name} @ ${s.stats.host}` : s.name);

const num = (n: number | undefined, text: (n: number) => string): Cell => (n === undefined ? { text: '—', sort: null } : { text: text(n), sort: n });

function rowOf(s: StageView, f: Flow): TableRow {
  const st = s.stats;
  const exit = s.signal ?? (s.exitCode !== undefined ? String(s.exitCode) : '');
  const row: TableRow = {
    index: s.index,
    status: s.status,
    bottleneck: st?.bottleneck === true && s.status === 'running',
    cells: {
      name: { text: stageLabel(s), sort: s.index, ...(st?.host ? { title: `runs on host ${st.host}` } : {}) },
      status: { text: statusText[s.status], sort: statusText[s.status], ...(s.message ? { title: s.message } : {}) },
      ...statCells(st, f),
      exit: { text: exit, sort: exit === '' ? null : (s.exitCode ?? exit) },
    },
  };
  if (st?.workers) row.workers = st.workers.map(workerRow);
  return row;
}

/** A copy of a stage with workers: its own numbers, and where it runs (`worker 2 · 12.0 on node1`; `job 12` while it waits for Slurm). */
function workerRow(w: StageStats, i: number): WorkerRow {
  const where = [w.step, w.host && !w.step ? `@ ${w.host}` : undefined].filter(Boolean).join(' ');
  return {
    worker: i + 1,
    status: w.status,
    cells: {
      name: {
        text: `worker ${i + 1}${where ? ` · ${where}` : ''}`,
        sort: i,
        ...(w.step ? { title: 'its Slurm job step and the node Slurm placed it on (its job while it waits)' } : {}),
      },
      status: { text: statusText[w.status], sort: statusText[w.status] },
      ...statCells(w, { bytesPerSec: w.rateOut, ...(w.recordsPerSec !== undefined ? { recordsPerSec: w.recordsPerSec } : {}) }),
      exit: { text: '', sort: null },
    },
  };
}

/** The numeric cells of a stage's or a copy's stats (dashes before it has any). */
function statCells(st: StageStats | undefined, f: Flow): Omit<Record<ColumnKey, Cell>, 'name' | 'status' | 'exit'> {
  const cpuMs = st ? st.cpuUserMs + st.cpuSysMs : undefined;
  return {
    recordsIn: num(st?.recordsIn, formatCount),
    recordsOut: num(st?.recordsOut, formatCount),
    recordRate: num(f.recordsPerSec, formatCount),
    bytesIn: { ...num(st?.bytesIn, formatBytes), ...(st ? { title: `the process read ${formatBytes(st.procBytesRead)} in all (files, start-up)` } : {}) },
    bytesOut: { ...num(st?.bytesOut, formatBytes), ...(st ? { title: `the process wrote ${formatBytes(st.procBytesWritten)} in all (files, stderr)` } : {}) },
    byteRate: num(st ? f.bytesPerSec : undefined, (n) => `${formatBytes(n)}/s`),
    cpu: {
      ...num(cpuMs, formatDuration),
      ...(st ? { title: `user ${formatDuration(st.cpuUserMs)}, sys ${formatDuration(st.cpuSysMs)}` } : {}),
    },
    peakRss: num(st ? st.maxRssKb * 1024 : undefined, formatBytes),
    busy: {
      ...num(st?.busy, formatBusy),
      ...(st
        ? {
            title: `CPU time over wall time (100% = one core); of the samples: working ${pct(st.working)}, waiting to read ${pct(st.waitingRead)}, to write ${pct(st.waitingWrite)}`,
          }
        : {}),
    },
    duration: num(st?.durationMs, formatDuration),
  };
}

/** Averages neighbouring points down to at most `n`: the whole run, at the sparkline's width. */
export function downsample(values: readonly number[], n = sparkPoints): number[] {
  if (values.length <= n) return [...values];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * values.length) / n);
    const to = Math.floor(((i + 1) * values.length) / n);
    const slice = values.slice(from, Math.max(to, from + 1));
    out.push(slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  return out;
}

function spark(values: number[], latest: string): Spark {
  const v = downsample(values);
  return { values: v, max: Math.max(0, ...v), latest };
}

export function sparksOf(index: number, rates: readonly RatePoint[]): StageSparks {
  const counted = rates.length > 0 && rates.every((p) => p.recordsPerSec !== undefined);
  const rate = rates.map((p) => (counted ? p.recordsPerSec! : p.bytesPerSec));
  const last = rates.at(-1);
  const cpu = rates.map((p) => p.cpu * 100);
  return {
    index,
    rateUnit: counted ? 'rec/s' : 'B/s',
    rate: spark(rate, last ? (counted ? `${formatCount(last.recordsPerSec!)} rec/s` : `${formatBytes(last.bytesPerSec)}/s`) : '—'),
    cpu: spark(cpu, last ? `${Math.round(last.cpu * 100)}%` : '—'),
  };
}

/** Why a stage is the bottleneck, in the numbers that made it one (docs/stats.md#bottleneck). */
export function bottleneckWhy(s: StageView, links: readonly Link[], stages: readonly StageView[]): string {
  const st = s.stats!;
  const parts = [`working ${pct(st.working)} of the time (busy ${formatBusy(st.busy)})`];
  for (const l of links.filter((l) => l.to === stageId(s.index))) {
    const up = stages[l.writer];
    if (up?.stats) parts.push(`${up.name} waits to write ${pct(up.stats.waitingWrite)}`);
  }
  for (const l of links.filter((l) => l.from === stageId(s.index) && l.to !== outputNode)) {
    const down = stages.find((x) => stageId(x.index) === l.to);
    if (down?.stats) parts.push(`${down.name} waits to read ${pct(down.stats.waitingRead)}`);
  }
  return parts.join('; ');
}

function failureOf(s: StageView): Failure {
  return { index: s.index, name: s.name, how: endedHow(s), ...(s.message ? { message: s.message } : {}), stderr: s.stderrTail };
}

function historyItem(h: RunSummary, current: boolean): HistoryItem {
  const outcome = h.outcome === 'failed' && h.failedStage ? `failed at ${h.failedStage}` : runStateText(h.outcome);
  return {
    id: h.id,
    label: clockTime(h.startedAt),
    detail: `${outcome} · ${formatCount(h.records)} rec · ${formatDuration(h.durationMs)}`,
    outcome: h.outcome,
    current,
  };
}

/** What dagre lays out: node boxes sized for their text, and the edges. */
export interface LayoutInput {
  nodes: { id: string; width: number; height: number }[];
  edges: { from: string; to: string }[];
  /** Changes only when the layout would: the webview lays out again only then. */
  key: string;
}

export const nodeHeight = 58;
const charWidth = 6.8;

export function layoutInput(view: Pick<PanelView, 'nodes' | 'edges'>): LayoutInput {
  // Wide enough for the longest text it will show (the name may get a "⚠ " when it is the bottleneck);
  // the width grows in steps so live counts do not re-layout every tick.
  const width = (n: GraphNode) => Math.ceil((Math.max(n.label.length + 2, n.detail.length, n.statusText.length, 12) * charWidth + 24) / 20) * 20;
  const nodes = view.nodes.map((n) => ({ id: n.id, width: width(n), height: nodeHeight }));
  const edges = view.edges.map((e) => ({ from: e.from, to: e.to }));
  return { nodes, edges, key: JSON.stringify([nodes, edges]) };
}
