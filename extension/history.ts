// The last runs of each pipeline, as summaries small enough to keep in the workspace's state
// across window reloads: when, how long, how it ended, how many records, each stage's status and
// final numbers (what Compare reads). Never records, never stats over time. No vscode here.
import type { StageStatus } from '../engine';
import { runStatsOf, type RunStats } from '../engine/compare/run-stats';
import { RunModel, type RunState } from './run-model';

export interface StageSummary {
  name: string;
  status: StageStatus;
  exitCode?: number | undefined;
  signal?: string | undefined;
}

export interface RunSummary {
  id: number;
  file: string;
  pipelineName: string;
  to?: string | undefined;
  startedAt: number;
  durationMs: number;
  outcome: RunState;
  records: number;
  failedStage?: string | undefined;
  stages: StageSummary[];
  /** Each stage's and edge's final numbers (absent for refused runs and summaries of older versions). */
  stats?: RunStats | undefined;
}

/** `interrupted`: the summary of a run the window's closing cuts off, with what it had done so far. */
export function summaryOf(m: RunModel, interrupted = false): RunSummary {
  return {
    id: m.id,
    file: m.file,
    pipelineName: m.pipelineName,
    to: m.to,
    startedAt: m.startedAt,
    durationMs: m.elapsedMs,
    outcome: interrupted && m.running ? 'interrupted' : m.state,
    records: m.records,
    ...(m.result?.failedStage !== undefined ? { failedStage: m.result.failedStage } : {}),
    stages: m.stages.map((s) => ({
      name: s.name,
      status: s.status,
      ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
      ...(s.signal !== undefined ? { signal: s.signal } : {}),
    })),
    ...(m.result && m.result.outcome !== 'refused' ? { stats: runStatsOf(m.result) } : {}),
  };
}

/** A summary as an ended run model without stats, so views show it like any other run. */
export function modelOf(s: RunSummary): RunModel {
  const m = new RunModel(s.id, s.file, s.pipelineName, s.to, s.startedAt);
  m.state = s.outcome;
  m.records = s.records;
  m.elapsedMs = s.durationMs;
  m.stages = s.stages.map((st, index) => ({
    name: st.name,
    index,
    status: st.status === 'running' || st.status === 'pending' || st.status === 'queued' ? 'cancelled' : st.status,
    stderrTail: [],
    exitCode: st.exitCode,
    signal: st.signal,
  }));
  m.freeze();
  return m;
}

/** "14:03:21": when a run started, in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Summaries of the last `maxRuns` runs of each pipeline file, newest first. */
export class RunHistory {
  private entries: RunSummary[];

  constructor(
    private maxRuns: number,
    saved: readonly RunSummary[] = [],
  ) {
    // Saved while it ran (the window closed or reloaded before its end): interrupted, with what it had done by then.
    this.entries = saved
      .filter(isSummary)
      .map((s) => (s.outcome === 'running' ? { ...s, outcome: 'interrupted' as const } : s))
      .sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
    this.trim();
  }

  /** Newest first, all pipelines. */
  all(): readonly RunSummary[] {
    return this.entries;
  }

  get(id: number): RunSummary | undefined {
    return this.entries.find((e) => e.id === id);
  }

  ofFile(file: string): RunSummary[] {
    return this.entries.filter((e) => e.file === file);
  }

  /** Adds or replaces a run's summary; returns the ids that fell out of the history. */
  put(summary: RunSummary): number[] {
    this.entries = [summary, ...this.entries.filter((e) => e.id !== summary.id)].sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
    return this.trim();
  }

  remove(id: number): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.id !== id);
    return this.entries.length < before;
  }

  setMaxRuns(maxRuns: number): number[] {
    this.maxRuns = maxRuns;
    return this.trim();
  }

  /** The highest id kept, so ids of new runs never repeat those of a saved history. */
  maxId(): number {
    return Math.max(0, ...this.entries.map((e) => e.id));
  }

  private trim(): number[] {
    const seen = new Map<string, number>();
    const dropped: number[] = [];
    this.entries = this.entries.filter((e) => {
      const n = (seen.get(e.file) ?? 0) + 1;
      seen.set(e.file, n);
      if (n <= this.maxRuns) return true;
      dropped.push(e.id);
      return false;
    });
    return dropped;
  }
}

/** Saved state comes from an older version or a hand edit: keep only what reads as a summary. */
function isSummary(x: unknown): x is RunSummary {
  const s = x as Partial<RunSummary> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.id === 'number' &&
    typeof s.file === 'string' &&
    typeof s.pipelineName === 'string' &&
    typeof s.startedAt === 'number' &&
    typeof s.durationMs === 'number' &&
    typeof s.outcome === 'string' &&
    typeof s.records === 'number' &&
    Array.isArray(s.stages)
  );
}
