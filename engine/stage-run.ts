/**
 * The per-stage (and per-copy) record of a run: what the engine knows about one process, as
 * facts. How they turn into a status is `finalStatus` (status.ts); the run updates them.
 */
import type { Writable } from 'node:stream';
import { countNewlines } from './lines';
import type { ControlMessage } from './plumbing';
import type { PlannedStage, RemoteHost } from './preflight';
import type { RemoteSegment } from './remote';
import { StageMeter, type ProcProbe } from './stats';
import type { StageStatus } from './status';
import { StderrFilter } from './stderr-filter';

export interface StageRun {
  planned: PlannedStage;
  name: string;
  index: number;
  status: StageStatus;
  /** `workers: N`: the N copies, each a process of its own (this run then has none itself). */
  copies?: StageRun[];
  /** For a copy: its stage, and which copy (0-based). */
  parent?: StageRun;
  copy?: number;
  /** The engine stopped reading its output (a relay whose downstream finished): ending now is stopping early. */
  readerGone: boolean;
  /** A copy: what the engine's dealer gave it and its merger took from it (its worker stats' records and bytes). */
  counts?: CopyCounts;
  /** A copy's output closed (its stage is classified only after, see Merger's checks). */
  outputClosed: boolean;
  /** The engine found it broke a rule (ordered workers): it fails with this message. */
  forcedFailure?: string;
  /** Ordered workers: the copy wrote fewer lines than it read; a failure if it otherwise succeeded. */
  pendingMismatch?: string;
  /** The host it runs on (`on:`; for a copy, its share of the list); absent: this machine. */
  host?: RemoteHost;
  /** On a Slurm cluster: its job step and node, or its job while queued (StageStats.step). */
  step?: string;
  /** Its segment there, once started: pids are the host's, signals go through it. */
  remote?: RemoteSegment;
  pid?: number;
  probe?: ProcProbe | undefined;
  meter: StageMeter;
  /** Its stderr lines on their way out (noise held back; the last ones kept). */
  stderr: StderrFilter;
  timedOut: boolean;
  timer?: NodeJS.Timeout;
  done?: Extract<ControlMessage, { kind: 'done' }>;
  doneAt?: number;
  stderrClosed: boolean;
  graceTimer?: NodeJS.Timeout;
  exitCode?: number;
  signal?: string;
  message?: string | undefined;
  /** A `write` stage that succeeded: its file and size (StageStats.wrote). */
  wrote?: { file: string; bytes: number } | undefined;
  /** A `write` stage's commit channel, until the verdict is sent (see settleCommits). */
  commit?: Writable | undefined;
}

/** Records (newlines) and bytes on a copy's two edges, which the engine relays. `in` stays absent when nothing is dealt (a first stage). */
export interface CopyCounts {
  in?: { records: number; bytes: number };
  out: { records: number; bytes: number };
}

/** Adds `chunk` to one edge's counts. */
export function countInto(edge: { records: number; bytes: number }, chunk: Buffer): void {
  edge.records += countNewlines(chunk);
  edge.bytes += chunk.length;
}

export function newStageRun(p: PlannedStage, index: number, emit: (st: StageRun, line: string) => void): StageRun {
  const name = p.stage.name;
  const st: StageRun = {
    planned: p,
    name,
    index,
    status: 'pending',
    meter: new StageMeter(name, index),
    stderr: new StderrFilter((line) => emit(st, line)),
    timedOut: false,
    stderrClosed: false,
    readerGone: false,
    outputClosed: false,
  };
  return st;
}
