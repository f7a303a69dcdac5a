// The state of one run as the editor shows it, built from the engine's events. No vscode here,
// so it is unit-tested without an editor; the views only read it.
import type { EdgeStats, Progress, RunEvent, RunResult, StageStats, StageStatus } from '../engine';

export interface StageView {
  name: string;
  index: number;
  /** The stages it reads, by index (from the run's start; absent for runs restored from the history). */
  inputs?: number[];
  status: StageStatus;
  stats?: StageStats;
  exitCode?: number | undefined;
  signal?: string | undefined;
  message?: string;
  /** Last stderr lines (at most `stderrTailLines`). */
  stderrTail: string[];
}

/** The tree's row naming what a stage reads (`stages`: the run's), or undefined for the first stage or an old run. */
export function inputRow(s: StageView, stages: readonly StageView[]): { label: string; value: string } | undefined {
  const names = s.inputs?.map((i) => stages[i]?.name ?? `stage ${i + 1}`);
  if (!names || names.length === 0) return undefined;
  return { label: names.length > 1 ? 'inputs (merged)' : 'input', value: names.join(', ') };
}

/** `interrupted`: the window closed or reloaded while the run went on (its processes ended with the extension host). */
export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'refused' | 'interrupted';

/** What an event changed, so views refresh only that. */
export interface Change {
  run: boolean;
  stages: number[];
}

const stderrTailLines = 10;

/**
 * What the views show of a run at one refresh: taken at once (RunModel.freeze), so the tree's
 * rows, the inline stats and the status bar all show the same numbers until the next refresh.
 */
export interface RunFrame {
  state: RunState;
  records: number;
  recordRate: number;
  elapsedMs: number;
  progress?: Progress;
  stages: readonly StageView[];
}

export class RunModel {
  state: RunState = 'running';
  stages: StageView[] = [];
  /** Records and bytes received from the last stage. */
  records = 0;
  bytes = 0;
  elapsedMs = 0;
  /** Records per second over the last stats interval. */
  recordRate = 0;
  /** The headline: throughput at the first edge, progress through the source file. */
  progress?: Progress;
  /** Every edge's counts and live rates, as of the last tick (final once ended). */
  edges: EdgeStats[] = [];
  result?: RunResult;
  /** What the views show: the model as it was at the last refresh (see freeze). */
  frame: RunFrame = { state: 'running', records: 0, recordRate: 0, elapsedMs: 0, stages: [] };
  private lastTick = { at: 0, records: 0 };

  constructor(
    readonly id: number,
    readonly file: string,
    readonly pipelineName: string,
    /** Set for "Run to here". */
    readonly to: string | undefined,
    readonly startedAt: number,
  ) {}

  /** Takes the frame the views show until the next refresh. */
  freeze(): RunFrame {
    this.frame = {
      state: this.state,
      records: this.records,
      recordRate: this.recordRate,
      elapsedMs: this.elapsedMs,
      ...(this.progress ? { progress: this.progress } : {}),
      stages: this.stages.map((s) => ({ ...s, stderrTail: [...s.stderrTail] })),
    };
    return this.frame;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  get bottleneck(): StageView | undefined {
    return this.stages.find((s) => s.stats?.bottleneck && s.status === 'running');
  }

  apply(event: RunEvent): Change {
    switch (event.type) {
      case 'start':
        this.stages = event.stages.map((s) => ({ name: s.name, index: s.index, inputs: s.inputs, status: 'pending', stderrTail: [] }));
        return { run: true, stages: [] };
      case 'status': {
        const stage = this.stages[event.index];
        if (!stage) return { run: false, stages: [] };
        stage.status = event.status;
        if (event.exitCode !== undefined) stage.exitCode = event.exitCode;
        if (event.signal !== undefined) stage.signal = event.signal;
        if (event.message !== undefined) stage.message = event.message;
        return { run: false, stages: [event.index] };
      }
      case 'stderr': {
        const stage = this.stages[event.index];
        if (!stage) return { run: false, stages: [] };
        stage.stderrTail.push(event.line);
        if (stage.stderrTail.length > stderrTailLines) stage.stderrTail.shift();
        return { run: false, stages: [event.index] };
      }
      case 'records':
        this.records += event.count;
        this.bytes += event.data.length;
        return { run: false, stages: [] };
      case 'stats': {
        const dt = event.elapsedMs - this.lastTick.at;
        if (dt > 0) this.recordRate = ((event.records - this.lastTick.records) * 1000) / dt;
        this.lastTick = { at: event.elapsedMs, records: event.records };
        this.elapsedMs = event.elapsedMs;
        this.records = event.records;
        this.bytes = event.bytes;
        this.progress = event.progress;
        this.edges = event.edges;
        const changed: number[] = [];
        for (const s of event.stages) {
          const stage = this.stages[s.index];
          if (!stage) continue;
          stage.stats = s;
          changed.push(s.index);
        }
        return { run: true, stages: changed };
      }
      case 'end': {
        const r = event.result;
        this.result = r;
        this.state = r.outcome;
        this.records = r.records;
        this.bytes = r.bytes;
        this.elapsedMs = r.durationMs;
        this.recordRate = r.durationMs > 0 ? (r.records * 1000) / r.durationMs : 0;
        if (r.progress) this.progress = r.progress;
        this.edges = r.edges;
        for (const s of r.stages) {
          const stage = this.stages[s.index] ?? (this.stages[s.index] = { name: s.name, index: s.index, status: s.status, stderrTail: [] });
          Object.assign(stage, { status: s.status, stats: s.stats, exitCode: s.exitCode, signal: s.signal, message: s.message });
          if (s.stderrTail.length > 0) stage.stderrTail = s.stderrTail.slice(-stderrTailLines);
        }
        return { run: true, stages: this.stages.map((s) => s.index) };
      }
    }
  }
}

/**
 * Turns record chunks into whole lines for the output panel, up to `max` lines; past the cap it
 * only counts, so nothing grows without bound.
 */
export class RecordLines {
  private partial = '';
  /** Past the cap: a line without its newline yet (its text is not kept). */
  private tail = false;
  shown = 0;
  hidden = 0;
  /** Everything handed out so far: what the output panel shows (bounded by the caps). */
  text = '';

  constructor(
    private readonly max: number,
    /** Longer lines are cut for display; the count stays exact. */
    private readonly maxLineChars = 10_000,
  ) {}

  /** The text to append for this chunk (possibly empty). */
  take(data: Buffer): string {
    // Past the cap lines are only counted, on the bytes: a million records are not decoded and split.
    if (this.shown >= this.max) {
      this.count(data);
      return '';
    }
    const text = this.partial + data.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > this.maxLineChars * 2) this.partial = this.partial.slice(0, this.maxLineChars * 2); // a line without end: keep a bounded head
    return this.accept(lines);
  }

  /** The text for a last line without a newline, at the end of the run. */
  flush(): string {
    const rest = this.partial;
    const pending = rest !== '' || this.tail;
    this.partial = '';
    this.tail = false;
    return pending ? this.accept([rest]) : '';
  }

  private count(data: Buffer): void {
    let lines = 0;
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, nl + 1)) lines++;
    this.hidden += lines;
    if (lines > 0) {
      this.partial = '';
      this.tail = false;
    }
    if (data.length > 0 && data[data.length - 1] !== 10) this.tail = true;
  }

  private accept(lines: string[]): string {
    const room = Math.max(0, this.max - this.shown);
    const shown = lines.slice(0, room).map((l) => (l.length > this.maxLineChars ? `${l.slice(0, this.maxLineChars)}… (${l.length} characters)` : l));
    this.shown += shown.length;
    this.hidden += lines.length - shown.length;
    const text = shown.length > 0 ? `${shown.join('\n')}\n` : '';
    this.text += text;
    return text;
  }
}
