import { describe, expect, it } from 'vitest';
import type { EdgeStats, RunEvent, StageStats, StatsEvent } from '../../../engine';
import { aggregateStats } from '../../../engine/stats';
import { RunTimeline } from '../../../engine/timeline';
import { summaryOf } from '../../../extension/history';
import { placeGraph } from '../../../extension/panel/layout';
import { downsample, layoutInput, linksOf, panelView, sparkPoints, type PanelView } from '../../../extension/panel/model';
import { inputRow, RunModel } from '../../../extension/run-model';
import { liveLine } from '../../../cli/run-output';
import { stats } from './stage-stats';

/** A three-stage run fed through the model and a timeline, as the store does. */
function feed(events: RunEvent[]): { model: RunModel; timeline: RunTimeline } {
  const model = new RunModel(7, '/w/p.pipeline.yaml', 'p', undefined, 0);
  const timeline = new RunTimeline();
  for (const e of events) {
    model.apply(e);
    timeline.add(e);
  }
  return { model, timeline };
}

const start: RunEvent = { type: 'start', at: 1000, stages: [0, 1, 2].map((i) => ({ name: `s${i}`, index: i, inputs: i > 0 ? [i - 1] : [] })) };
const running = [0, 1, 2].map((i): RunEvent => ({ type: 'status', stage: `s${i}`, index: i, status: 'running', pid: 100 + i }));
/** Tick at `t` seconds: s1 is the slow one (working), s0 waits to write, s2 waits to read; the sink has counted `t * 1000` records. */
function tick(t: number): StatsEvent {
  return {
    type: 'stats',
    edges: [],
    progress: { bytes: 0, bytesPerSec: 0 },
    elapsedMs: t * 1000,
    records: t * 1000,
    bytes: t * 10_000,
    stages: [
      stats(0, { bytesOut: t * 50_000, cpuUserMs: t * 100, durationMs: t * 1000, rateOut: 50_000, busy: 0.1, waitingWrite: 0.9 }),
      stats(1, { bytesOut: t * 20_000, cpuUserMs: t * 950, durationMs: t * 1000, rateOut: 20_000, busy: 0.95, working: 0.97, bottleneck: true }),
      stats(2, {
        bytesOut: t * 10_000,
        recordsOut: t * 1000 * (t > 2 ? 2 : 1),
        cpuUserMs: t * 50,
        durationMs: t * 1000,
        rateOut: 10_000,
        busy: 0.05,
        waitingRead: 0.8,
      }),
    ],
  };
}

function view(events: RunEvent[], extra: Partial<Parameters<typeof panelView>[0]> = {}): PanelView {
  const { model, timeline } = feed(events);
  return panelView({ model, timeline: timeline.stages, history: [summaryOf(model)], pinned: false, restored: false, ...extra });
}

describe('run panel view model', () => {
  it('draws a line of stages as nodes and from/to edges, ending in the output', () => {
    expect(linksOf([{ index: 0 }, { index: 1 }])).toEqual([
      { from: 'stage-0', to: 'stage-1', writer: 0, reader: 1 },
      { from: 'stage-1', to: 'output', writer: 1, reader: 'output' },
    ]);
    const v = view([start, ...running, tick(1)]);
    expect(v.nodes.map((n) => [n.id, n.label, n.status])).toEqual([
      ['stage-0', 's0', 'running'],
      ['stage-1', 's1', 'running'],
      ['stage-2', 's2', 'running'],
      ['output', 'output', 'sink'],
    ]);
    expect(v.edges.map((e) => [e.from, e.to])).toEqual([
      ['stage-0', 'stage-1'],
      ['stage-1', 'stage-2'],
      ['stage-2', 'output'],
    ]);
  });

  it("draws a graph's edges from each stage's inputs (fan-out, fan-in), and the tree lists them", () => {
    const stages = [
      { index: 0, inputs: [] },
      { index: 1, inputs: [0] },
      { index: 2, inputs: [0] },
      { index: 3, inputs: [1, 2] },
    ];
    expect(linksOf(stages).map((l) => `${l.from}>${l.to}`)).toEqual([
      'stage-0>stage-1',
      'stage-0>stage-2',
      'stage-1>stage-3',
      'stage-2>stage-3',
      'stage-3>output',
    ]);
    const named = ['read', 'errors', 'slow', 'both'].map((name, i) => ({ name, status: 'running' as const, stderrTail: [], ...stages[i]! }));
    expect(inputRow(named[3]!, named)).toEqual({ label: 'inputs (merged)', value: 'errors, slow' });
    expect(inputRow(named[2]!, named)).toEqual({ label: 'input', value: 'read' });
    expect(inputRow(named[0]!, named)).toBeUndefined();
  });

  it("labels each counted edge with its own numbers: a fan-out's branches differ", () => {
    const graphStart: RunEvent = { type: 'start', at: 1000, stages: [0, 1, 2].map((i) => ({ name: `s${i}`, index: i, inputs: i > 0 ? [0] : [] })) };
    const edge = (from: number, to: number | 'output', extra: Partial<EdgeStats>): EdgeStats => ({
      from,
      to,
      countedBy: 'counter',
      records: 0,
      bytes: 0,
      recordsPerSec: 0,
      bytesPerSec: 0,
      ended: false,
      ...extra,
    });
    const graphTick: RunEvent = {
      ...tick(1),
      edges: [
        edge(0, 1, { records: 2, bytes: 20, ended: true }),
        edge(0, 2, { records: 5000, bytes: 50_000, recordsPerSec: 4000, bytesPerSec: 40_000 }),
        edge(2, 'output', { records: 1, bytes: 2, ended: true }),
      ],
    };
    const v = view([graphStart, ...running, graphTick]);
    expect(v.edges.map((e) => [`${e.from}>${e.to}`, e.label, e.flowing])).toEqual([
      ['stage-0>stage-1', '2 rec · 20 B', false],
      ['stage-0>stage-2', '4k rec/s · 39 KiB/s', true],
      // s1 is read by no one: no edge; the last stage's output edge is counted by the engine here.
      ['stage-2>output', '1 rec · 2 B', false],
    ]);
  });

  it('puts live rates on the edges and lights the bottleneck with the numbers that make it one', () => {
    const v = view([start, ...running, tick(1), tick(2), tick(3)]);
    // s2's records are counted: 2000 at 2 s, 6000 at 3 s.
    expect(v.edges[2]).toMatchObject({ recordsPerSec: 4000, bytesPerSec: 10_000, flowing: true, label: '4k rec/s · 9.8 KiB/s' });
    expect(v.edges[0]).toMatchObject({ bytesPerSec: 50_000, label: '49 KiB/s' });
    expect(v.edges[0]?.recordsPerSec).toBeUndefined();
    expect(v.nodes.filter((n) => n.bottleneck).map((n) => n.label)).toEqual(['s1']);
    expect(v.bottleneck).toEqual({ index: 1, name: 's1', why: 'working 97% of the time (busy 95%); s0 waits to write 90%; s2 waits to read 80%' });
    expect(v.rows.map((r) => r.bottleneck)).toEqual([false, true, false]);
  });

  it('rates change between two ticks, and the rate sparklines show the run so far', () => {
    const a = view([start, ...running, tick(1), tick(2)]);
    const b = view([start, ...running, tick(1), tick(2), tick(3)]);
    expect(a.rows[2]?.cells.recordRate.sort).toBe(1000);
    expect(b.rows[2]?.cells.recordRate.sort).toBe(4000);
    expect(b.sparks[2]).toMatchObject({ rateUnit: 'rec/s', rate: { values: [1000, 1000, 4000], max: 4000, latest: '4k rec/s' } });
    // Stages without record counts chart bytes/s; CPU in percent of a core.
    expect(b.sparks[0]).toMatchObject({ rateUnit: 'B/s', rate: { values: [50_000, 50_000, 50_000] }, cpu: { values: [10, 10, 10], latest: '10%' } });
    expect(b.sparks[1]?.cpu.values).toEqual([95, 95, 95]);
  });

  it('fills a table row per stage with sortable values and formatted text', () => {
    const end: RunEvent = {
      type: 'end',
      result: {
        outcome: 'failed',
        ok: false,
        records: 3,
        bytes: 30,
        durationMs: 2500,
        stoppedReading: false,
        edges: [],
        failedStage: 's2',
        stages: [
          {
            name: 's0',
            index: 0,
            status: 'stopped-early',
            signal: 'SIGPIPE',
            stderrTail: [],
            stats: stats(0, { status: 'stopped-early', bytesIn: 10, bytesOut: 2048, cpuUserMs: 30, cpuSysMs: 10, durationMs: 2000, maxRssKb: 1024 }),
          },
          {
            name: 's1',
            index: 1,
            status: 'succeeded',
            exitCode: 0,
            stderrTail: [],
            stats: stats(1, { status: 'succeeded', bytesOut: 100, recordsOut: 10, durationMs: 2000 }),
          },
          {
            name: 's2',
            index: 2,
            status: 'failed',
            exitCode: 3,
            message: 'exited with code 3',
            stderrTail: ['boom'],
            stats: stats(2, { status: 'failed', recordsIn: 10, bytesOut: 30, recordsOut: 3, durationMs: 1000 }),
          },
        ],
      },
    };
    const v = view([start, ...running, tick(1), end]);
    const row = v.rows[0]!.cells;
    expect([row.name.text, row.status.text, row.bytesOut.text, row.bytesOut.sort, row.cpu.text, row.peakRss.text, row.duration.text, row.exit.text]).toEqual([
      's0',
      'stopped early',
      '2.0 KiB',
      2048,
      '40 ms',
      '1.0 MiB',
      '2.00 s',
      'SIGPIPE',
    ]);
    // Records in are counted on the stage's input edge; unknown values sort last, shown as a dash.
    expect(v.rows.map((r) => [r.cells.recordsIn.text, r.cells.recordsOut.text])).toEqual([
      ['—', '—'],
      ['—', '10'],
      ['10', '3'],
    ]);
    expect(v.rows[0]?.cells.recordsOut.sort).toBeNull();
    // Ended: rates are averages over the stage's life; edges show totals.
    expect(v.rows[2]?.cells.recordRate.sort).toBe(3);
    expect(v.edges[1]).toMatchObject({ label: '10 rec · 100 B', flowing: false });
    // The failed stage is obvious: its box, and its exit code and stderr tail.
    expect(v.nodes[2]).toMatchObject({ status: 'failed', statusText: 'failed: exit 3' });
    expect(v.nodes[0]).toMatchObject({ status: 'stopped-early', statusText: 'stopped early' });
    expect(v.failures).toEqual([{ index: 2, name: 's2', how: 'exited with code 3', message: 'exited with code 3', stderr: ['boom'] }]);
    expect(v.summary).toBe('failed · 3 records · 2.50 s · failed at s2');
    expect(v.bottleneck).toBeUndefined();
  });

  it('puts a row per copy of a stage with workers under its own, with its Slurm step and node, its state and numbers, while it runs and after', () => {
    const copy = (k: number, extra: Partial<StageStats>) => stats(1, { name: 's1', host: 'cluster', ...extra, pid: 200 + k });
    const workers = [
      copy(0, { step: '12.0 on node1', recordsIn: 400, recordsOut: 400, bytesOut: 4000, cpuUserMs: 30, maxRssKb: 3000, rateOut: 1000, recordsPerSec: 100 }),
      copy(1, { step: '13.0 on node2', recordsIn: 350, recordsOut: 350, bytesOut: 3500, cpuUserMs: 20, maxRssKb: 2500 }),
      copy(2, { status: 'queued', step: 'job 14', bytesIn: undefined, bytesOut: undefined, maxRssKb: 0 }),
    ];
    const withWorkers = (t: number, status: StageStats['status'], ws: StageStats[]): StatsEvent => {
      const e = tick(t);
      e.stages[1] = { ...aggregateStats('s1', 1, status, ws, false), host: 'cluster', recordsOut: 750 };
      return e;
    };
    const live = view([start, ...running, withWorkers(1, 'running', workers)]);
    const rows = live.rows[1]!.workers!;
    expect(rows.map((w) => [w.worker, w.cells.name.text, w.status, w.cells.status.text])).toEqual([
      [1, 'worker 1 · 12.0 on node1', 'running', 'running'],
      [2, 'worker 2 · 13.0 on node2', 'running', 'running'],
      [3, 'worker 3 · job 14', 'queued', 'waiting for Slurm'],
    ]);
    expect([
      rows[0]!.cells.recordsIn.text,
      rows[0]!.cells.recordsOut.text,
      rows[0]!.cells.recordRate.text,
      rows[0]!.cells.cpu.text,
      rows[0]!.cells.peakRss.text,
    ]).toEqual(['400', '400', '100', '30 ms', '2.9 MiB']);
    expect(live.rows[0]!.workers).toBeUndefined();
    // After the run: each copy's final state stays under the stage.
    const ended = workers.map((w) => ({ ...w, status: 'succeeded' as const, ...(w.step === 'job 14' ? { step: '14.0 on node1' } : {}) }));
    const after = view([start, ...running, withWorkers(1, 'running', workers), withWorkers(2, 'succeeded', ended)]);
    expect(after.rows[1]!.workers!.map((w) => [w.cells.name.text, w.cells.status.text])).toEqual([
      ['worker 1 · 12.0 on node1', 'succeeded'],
      ['worker 2 · 13.0 on node2', 'succeeded'],
      ['worker 3 · 14.0 on node1', 'succeeded'],
    ]);
  });

  it('busy is the one value of docs/stats.md#busy: a stage that only sleeps is working 100% of the time but busy 0%, in the table, its node and the CLI', () => {
    const sleeper = stats(1, { busy: 0, working: 1, cpuUserMs: 0, durationMs: 5000 });
    const v = view([start, ...running, { ...tick(5), stages: [stats(0), sleeper, stats(2)] }]);
    expect(v.rows[1]!.cells.busy).toMatchObject({ text: '0%', sort: 0 });
    expect(v.rows[1]!.cells.busy.title).toMatch(/working 100%/);
    expect(v.nodes[1]!.statusText).toBe('running · busy 0%');
    expect(liveLine(sleeper, 2)).toContain('busy   0%');
  });

  it("the headline of a running run says how far it is into the file it reads, as the status bar and the CLI's live line; so does the stage reading it", () => {
    const source = { file: '/w/big.ndjson', size: 1000, position: 345, percent: 34.5, etaMs: 12_300 };
    const reader = stats(1, { source });
    const v = view([start, ...running, { ...tick(5), stages: [stats(0), reader, stats(2)], progress: { bytes: 0, bytesPerSec: 0, source } }]);
    expect(v.summary).toBe('running · 5k records · 1k rec/s · 5.00 s · 34% · ETA 12.3 s');
    expect(v.nodes[1]!.detail).toMatch(/ · 34% · ETA 12.3 s$/);
    expect(v.nodes[0]!.detail).not.toMatch(/ETA/);
    expect(liveLine(reader, 2)).toMatch(/ 34% ETA 12.3 s$/);
    expect(liveLine(stats(0), 2)).not.toMatch(/ETA/);
  });

  it("a write stage's node says the size of the file it wrote, not its process's I/O", () => {
    const writer = stats(2, { procBytesWritten: 9_904, bytesOut: 4_952, wrote: { file: '/w/out.ndjson', bytes: 4_952 } });
    const v = view([start, ...running, { ...tick(1), stages: [stats(0), stats(1), writer] }]);
    expect(v.nodes[2]!.detail).toBe('4.8 KiB out · 4.8 KiB to out.ndjson');
  });

  it("lists the pipeline's runs, the shown one marked", () => {
    const { model } = feed([start]);
    const older = { ...summaryOf(model), id: 3, startedAt: 0, outcome: 'succeeded' as const, records: 12, durationMs: 1500 };
    const v = panelView({ model, history: [summaryOf(model), older], pinned: true, restored: false });
    expect(v.history.map((h) => [h.id, h.current, h.detail])).toEqual([
      [7, true, 'running · 0 rec · 0 ms'],
      [3, false, 'succeeded · 12 rec · 1.50 s'],
    ]);
    expect(v.pinned).toBe(true);
  });

  it('downsamples long series to the sparkline width, keeping their level', () => {
    expect(downsample([1, 2, 3])).toEqual([1, 2, 3]);
    const long = Array.from({ length: 600 }, (_, i) => (i < 300 ? 10 : 20));
    const d = downsample(long);
    expect(d).toHaveLength(sparkPoints);
    expect([d[0], d.at(-1)]).toEqual([10, 20]);
  });
});

describe('graph layout (dagre)', () => {
  it('sizes boxes for their text, changes its key only when the layout would, and places stages left to right', () => {
    const v1 = view([start, ...running, tick(1)]);
    const v2 = view([start, ...running, tick(1), tick(2)]);
    const input = layoutInput(v1);
    expect(input.nodes.map((n) => n.id)).toEqual(['stage-0', 'stage-1', 'stage-2', 'output']);
    expect(input.edges).toEqual(v1.edges.map((e) => ({ from: e.from, to: e.to })));
    expect(layoutInput(v2).key).toBe(input.key);
    const placed = placeGraph(input);
    const xs = input.nodes.map((n) => placed.nodes[n.id]!.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(4);
    // Every box lies inside the drawing, and boxes do not overlap.
    for (const n of input.nodes) {
      const b = placed.nodes[n.id]!;
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(placed.width);
      expect(b.width).toBe(n.width);
    }
    for (let i = 1; i < xs.length; i++)
      expect(placed.nodes[input.nodes[i]!.id]!.x).toBeGreaterThanOrEqual(placed.nodes[input.nodes[i - 1]!.id]!.x + input.nodes[i - 1]!.width);
    expect(placed.edges.every((e) => e.points.length >= 2)).toBe(true);
  });

  it('lays out a fan-out and fan-in (the shape graphs will take) without crossing boxes', () => {
    const input = {
      nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, width: 120, height: 58 })),
      edges: [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
      key: 'diamond',
    };
    const p = placeGraph(input);
    expect(p.nodes.b!.x).toBe(p.nodes.c!.x);
    expect(Math.abs(p.nodes.b!.y - p.nodes.c!.y)).toBeGreaterThanOrEqual(58);
    expect(p.nodes.a!.x).toBeLessThan(p.nodes.b!.x);
    expect(p.nodes.d!.x).toBeGreaterThan(p.nodes.b!.x);
  });
});
