/**
 * How a run's processes are ended, in one place: why the run is ending (failure, cancel, the
 * engine stopped reading), the escalation of signals, and signalling one stage. (Parent death is
 * the kernel's and pw-segment's: see segment.ts.)
 */
import type { RunError } from './errors';
import type { SegmentProcess } from './segment';
import type { StageRun } from './stage-run';
import type { UnitRun } from './wiring';

/** Grace after SIGTERM before stragglers get SIGKILL, and before the whole group does. */
const termGraceMs = 20;
const killGraceMs = 60;
/** After the engine stopped reading, stages that do not write (so never see SIGPIPE) get one; then SIGTERM. */
export const stopReadingGraceMs = 200;

/** The run's timers, all cleared at its end. */
export class Timers {
  private timers: NodeJS.Timeout[] = [];

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      fn();
    }, ms);
    this.timers.push(t);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}

/**
 * Ends every stage of `segments`: SIGTERM to each process group (its pw-segment ignores it, so it
 * survives to reap its stages and report), then SIGKILL to every member but the leader, then
 * SIGKILL to whole groups.
 */
function terminateSegments(segments: readonly SegmentProcess[], timers: Timers): void {
  for (const seg of segments) seg.signalGroup('SIGTERM');
  timers.later(termGraceMs, () => {
    for (const seg of segments) seg.killMembers();
    timers.later(killGraceMs - termGraceMs, () => {
      for (const seg of segments) if (!seg.exited) seg.signalGroup('SIGKILL');
    });
  });
}

/** The first stage that failed the run, and the run's error for it. */
export interface RunFailure {
  stage: StageRun;
  error: RunError;
}

/** What ending a run needs of it. */
export interface EndingContext {
  segments: readonly SegmentProcess[];
  /** Every process: stages, and the copies of stages with workers. */
  procs: readonly StageRun[];
  /** The last unit: its last processes and segments are what the engine reads. */
  sinkUnit(): UnitRun | undefined;
  finished(): boolean;
  /** The engine stops taking the run's output (RecordSink.stop). */
  stopSink(): void;
  /** The run is ending: every waiting `write` is told no (commits.ts). */
  settleCommits(): void;
}

/** Why and how a run ends: its state (failure, cancel, stopped reading, terminating) and the signals that end its stages. */
export class Termination {
  stoppedReading = false;
  terminating: 'cancel' | 'failure' | undefined;
  failure: RunFailure | undefined;
  cancelled = false;
  /** Ending stages that ignored SIGPIPE after the engine stopped reading: they count as stopped early. */
  quietStop = false;
  readonly timers = new Timers();

  constructor(private readonly run: EndingContext) {}

  /** The first failure is the run's; later ones only end their own stage. True when this one was the first. */
  fail(stage: StageRun, error: RunError): boolean {
    if (this.failure) return false;
    this.failure = { stage, error };
    return true;
  }

  /** As when a downstream `head` exits: the last stage gets SIGPIPE, the others follow through their pipes. Stages that never write are sent one after a grace. */
  stopReading(): void {
    if (this.stoppedReading || this.run.finished()) return;
    this.stoppedReading = true;
    this.run.stopSink();
    const sink = this.run.sinkUnit();
    for (const st of sink?.lastProcs ?? []) this.signalStage(st, 'SIGPIPE');
    for (const seg of sink?.segments ?? []) seg.closeOutput();
    this.timers.later(stopReadingGraceMs, () => {
      for (const st of this.run.procs) if (!st.done) this.signalStage(st, 'SIGPIPE');
      this.timers.later(stopReadingGraceMs, () => {
        if (this.run.procs.some((st) => !st.done)) this.terminate('cancel-quietly');
      });
    });
  }

  cancel(): void {
    if (this.run.finished() || this.cancelled) return;
    this.cancelled = true;
    this.terminate('cancel');
  }

  signalStage(st: StageRun, signal: NodeJS.Signals): void {
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
  terminate(reason: 'cancel' | 'failure' | 'cancel-quietly'): void {
    if (this.terminating || this.quietStop || this.run.segments.length === 0) return;
    if (reason === 'cancel-quietly') this.quietStop = true;
    else this.terminating = reason;
    this.run.settleCommits();
    terminateSegments(this.run.segments, this.timers);
  }
}
