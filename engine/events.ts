import type { EdgeStats } from './edges';
import type { RunError } from './errors';
import type { Progress } from './progress';
import type { StageStats } from './stats';
import type { StageStatus } from './status';

/** Sent once, first: the stages that will run (after `to`), in order. */
export interface StartEvent {
  type: 'start';
  /** Wall-clock time in ms since the epoch. */
  at: number;
  /** `inputs`: the stages each reads, by index (empty for the first; `[i - 1]` in a straight line). */
  stages: { name: string; index: number; inputs: number[] }[];
}

/**
 * Whole lines written by the last stage, in order: concatenating every `data` gives exactly
 * the bytes the last stage wrote (up to `limit`). Only the very last chunk of a run may end
 * without a newline, when the last stage's output does.
 */
export interface RecordsEvent {
  type: 'records';
  data: Buffer;
  /** Number of records (lines) in `data`. */
  count: number;
}

/** One line a stage wrote to its stderr (without the newline; very long lines are cut at 64 KiB). */
export interface StderrEvent {
  type: 'stderr';
  stage: string;
  index: number;
  line: string;
  /** For a stage with `workers`: which copy wrote it (0-based). */
  worker?: number;
}

/** A stage changed status. `exitCode`/`signal`/`message` are set once it has ended. */
export interface StatusEvent {
  type: 'status';
  stage: string;
  index: number;
  status: StageStatus;
  pid?: number;
  exitCode?: number;
  signal?: string;
  /** For failed or timed-out stages: what happened and what to do. */
  message?: string;
}

/**
 * Live stats of every stage and edge, at the run's `statsIntervalMs`, all from the same moment.
 * When the consumer is slower than the interval, an unread tick is replaced by the newer one
 * (ticks never pile up).
 */
export interface StatsEvent {
  type: 'stats';
  /** Milliseconds since the run started. */
  elapsedMs: number;
  stages: StageStats[];
  /** One per stage: its output edge (the last stage's is the run's output). */
  edges: EdgeStats[];
  /** The headline: throughput at the first edge, and the first stage's progress through its file. */
  progress: Progress;
  /** Records and bytes received from the last stage so far. */
  records: number;
  bytes: number;
}

/** Always the last event. */
export interface EndEvent {
  type: 'end';
  result: RunResult;
}

export type RunEvent = StartEvent | RecordsEvent | StderrEvent | StatusEvent | StatsEvent | EndEvent;

/** How a stage ended, with its exact final stats. */
export interface StageResult {
  name: string;
  index: number;
  status: StageStatus;
  exitCode?: number;
  signal?: string;
  message?: string;
  /** When it started and ended (ms since the epoch, µs precision: taken by pw-segment when it forked and reaped it). */
  startedAt?: number;
  endedAt?: number;
  /** The last stderr lines (at most 10), including those not shown because of `stderr: ignore`. */
  stderrTail: string[];
  stats: StageStats;
}

export type RunOutcome = 'succeeded' | 'failed' | 'cancelled' | 'refused';

export interface RunResult {
  /** `succeeded` also when stages stopped early because a downstream stage (or `limit`) finished. */
  outcome: RunOutcome;
  ok: boolean;
  file?: string;
  /** Stages that were planned (empty when refused before planning). */
  stages: StageResult[];
  /** Every edge's final counts: one per stage, its output (empty when refused). */
  edges: EdgeStats[];
  /** The headline at the end (absent when refused). */
  progress?: Progress;
  /** Records (lines) and bytes received from the last stage, exactly. */
  records: number;
  bytes: number;
  durationMs: number;
  /** True when the engine stopped reading the last stage (limit reached or `stopReading()`). */
  stoppedReading: boolean;
  /** Name of the stage that failed or timed out first. */
  failedStage?: string;
  /** Set unless the run succeeded. */
  error?: RunError;
}

/**
 * An async queue of events with one reader. Record and stderr bytes waiting in it are counted:
 * above `highWater` the producer is asked to pause, and resumed once the reader has taken the
 * queue below half of it — so a slow reader slows the pipeline down (as a slow terminal would)
 * instead of growing memory.
 */
export class EventQueue implements AsyncIterable<RunEvent> {
  private items: RunEvent[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<RunEvent>) => void) | undefined;
  private closed = false;
  private iterated = false;
  private queuedBytes = 0;
  private paused = false;

  constructor(
    private readonly highWater: number,
    private readonly onPause: () => void,
    private readonly onResume: () => void,
    /** The reader stopped iterating before the end (`break`): nobody wants the records any more. */
    private readonly onAbandon: () => void = () => {},
  ) {}

  push(event: RunEvent): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: event, done: false });
      return;
    }
    if (event.type === 'stats') {
      const last = this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
      if (last?.type === 'stats') {
        this.items[this.items.length - 1] = event;
        return;
      }
    }
    this.items.push(event);
    this.queuedBytes += weight(event);
    if (!this.paused && this.queuedBytes > this.highWater) {
      this.paused = true;
      this.onPause();
    }
  }

  /** No more events after this; the reader gets what is queued, then done. */
  close(): void {
    this.closed = true;
    if (this.waiter && this.head >= this.items.length) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  private take(): RunEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const event = this.items[this.head]!;
    this.items[this.head] = undefined as unknown as RunEvent;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.queuedBytes -= weight(event);
    if (this.paused && this.queuedBytes <= this.highWater / 2) {
      this.paused = false;
      this.onResume();
    }
    return event;
  }

  [Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    if (this.iterated) throw new Error('A run has one event stream; iterate it once and fan out from there.');
    this.iterated = true;
    return {
      next: () => {
        const event = this.take();
        if (event) return Promise.resolve({ value: event, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiter = resolve;
        });
      },
      return: () => {
        // The reader gave up: drop what is queued and never pause the producer again.
        const early = !this.closed;
        this.items = [];
        this.head = 0;
        this.queuedBytes = 0;
        this.closed = true;
        if (this.paused) {
          this.paused = false;
          this.onResume();
        }
        if (early) this.onAbandon();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

function weight(event: RunEvent): number {
  if (event.type === 'records') return event.data.length;
  if (event.type === 'stderr') return event.line.length + 64;
  return 64;
}
