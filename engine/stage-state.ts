/**
 * The state machine of one stage (or copy) of a run: pending → queued → running → an ended
 * status, and the rules that decide each step — its start (`pid`), its report (`done`) and the end
 * of its stderr, a timeout, a report that never comes. Facts about the stage are in stage-run.ts,
 * the pure rule for an ended status in status.ts; the run's side of ending is termination.ts.
 */
import * as fs from 'node:fs';
import { resolveTarget, temporaryName, writtenFile } from './builtins/write-target';
import type { RunEvent } from './events';
import { exitFailure, label, noReport, stageError, timedOut, type Who } from './messages';
import type { ControlMessage } from './plumbing';
import type { SlurmPlacement } from './slurm';
import type { StageRun } from './stage-run';
import { ProcProbe } from './stats';
import { decodeShellStatus, endedStatuses, finalStatus, statusWithoutReport, type StageStatus } from './status';
import type { Termination } from './termination';

/** How long an ended stage waits for the end of its stderr before it is classified anyway. */
const stderrGraceMs = 100;

/** Ended statuses of copies, worst first: the stage's status is the worst of its copies'. */
const copyPrecedence: StageStatus[] = ['failed', 'timed-out', 'cancelled', 'stopped-early', 'succeeded'];

/** What the stage state machine needs of its run. */
export interface StageContext {
  end: Termination;
  finished(): boolean;
  /** The stage (or copy) writes what the engine reads as the run's output. */
  isSinkProc(st: StageRun): boolean;
  who(st: StageRun): Who;
  push(event: RunEvent): void;
  /** A stage or copy ended: a stage's source file's progress is final, `write`s may get their verdict. */
  ended(st: StageRun, status: StageStatus): void;
  /** Something ended: the run may be over. */
  maybeFinish(): void;
  /** A process that reads a relay ended (its edge may be gone). */
  readerDone(st: StageRun): void;
  /** The last line a segment's own program wrote (its own error), for a stage that never reported. */
  segmentSaid(): string | undefined;
}

export class StageStates {
  constructor(private readonly run: StageContext) {}

  /** A stage on a Slurm cluster: waiting for Slurm (its own status until the step starts), then where its step runs. */
  placed(st: StageRun, placement: SlurmPlacement): void {
    if (!placement.waiting) st.step = `${placement.step} on ${placement.node}`;
    else if (placement.job !== undefined) st.step = `job ${placement.job}`;
    if (placement.waiting && st.status === 'pending') this.setStatus(st, 'queued');
  }

  /** A stage's report: it started (`pid`) or was reaped (`done`). */
  report(st: StageRun, msg: ControlMessage): void {
    const now = Date.now();
    if (msg.kind === 'edge') return;
    const end = this.run.end;
    if (msg.kind === 'pid') {
      st.pid = msg.pid;
      st.meter.startedAt = msg.at ?? now;
      try {
        // A pid on another host is sampled there (pw-segment's watcher sends them: `sample`). Opened now, so that the fds
        // hold this process; first read at the next tick: the stage is still in its exec now, where /proc's reads wait
        // on it (a short stage has ended by then, and its `done` report carries the exact totals).
        st.probe = st.host ? undefined : new ProcProbe(msg.pid);
      } catch {
        st.probe = undefined; // already gone: the done message will tell
      }
      if (st.status === 'pending' || st.status === 'queued') this.setStatus(st, 'running');
      const timeoutMs = st.planned.stage.timeoutMs;
      if (timeoutMs !== undefined && !st.done) st.timer = setTimeout(() => this.timeout(st), timeoutMs);
      if ((end.stoppedReading && this.run.isSinkProc(st)) || st.readerGone) end.signalStage(st, 'SIGPIPE');
      if (end.terminating) end.signalStage(st, 'SIGTERM');
      return;
    }
    st.done = msg;
    st.doneAt = now;
    if (st.planned.writes !== undefined && st.pid !== undefined) removeTemporaryFile(st.planned.writes, st.pid);
    this.run.readerDone(st);
    if (st.timer) clearTimeout(st.timer);
    const probe = st.probe;
    if (probe) {
      const lastSample = probe.read();
      if (lastSample) st.meter.add(now, lastSample);
      probe.close();
      st.probe = undefined;
    }
    st.meter.finish(msg.at ?? now, msg);
    st.graceTimer = setTimeout(() => {
      st.stderrClosed = true;
      this.classify(st);
      this.run.maybeFinish();
    }, stderrGraceMs);
    this.classify(st);
  }

  /** Classify once both the done message and the end of its stderr (or a grace) are in. */
  classify(st: StageRun): void {
    if (!st.done || !st.stderrClosed || endedStatuses.has(st.status)) return;
    if (st.parent && !st.outputClosed && !this.run.finished()) return;
    if (st.graceTimer) clearTimeout(st.graceTimer);
    const end = this.run.end;
    // Which of two neighbours' reports arrives first is a race, so only the engine's own
    // reading counts as "the reader went away"; inner stages need SIGPIPE or EPIPE noise.
    const readerGone = (this.run.isSinkProc(st) && end.stoppedReading) || st.readerGone;
    st.stderr.ended();
    const { status, byRule } = finalStatus({
      status: st.done.status,
      sawBrokenPipe: st.stderr.sawBrokenPipe,
      terminating: end.terminating !== undefined,
      cancelling: end.cancelled,
      timedOut: st.timedOut,
      readerGone,
      quietStop: end.quietStop && !end.failure,
      brokeRule: st.forcedFailure !== undefined,
      fewerLines: st.pendingMismatch !== undefined && !end.stoppedReading && !st.readerGone,
    });
    const decoded = decodeShellStatus(st.done.status, st.done.signaled);
    if (decoded.exitCode !== undefined) st.exitCode = decoded.exitCode;
    if (decoded.signal !== undefined) st.signal = decoded.signal;
    st.stderr.settle(status === 'stopped-early');
    if (status === 'failed') st.message = byRule ? (st.forcedFailure ?? st.pendingMismatch) : exitFailure(this.run.who(st), decoded, st.stderr.tail.at(-1));
    this.setStatus(st, status);
    if (status === 'failed' && end.fail(st.parent ?? st, stageError('stage-failed', st.message!, this.run.who(st)))) end.terminate('failure');
  }

  private timeout(st: StageRun): void {
    if (st.done || this.run.finished()) return;
    st.timedOut = true;
    const ms = st.planned.stage.timeoutMs ?? 0;
    st.message = timedOut(this.run.who(st), ms);
    this.run.end.fail(st.parent ?? st, stageError('stage-timeout', st.message, this.run.who(st)));
    this.run.end.terminate('failure');
  }

  /**
   * A stage that will never report (see SegmentHandlers.settled): its status from the run's state
   * (statusWithoutReport), at once, so that nothing waits for it (a `write`'s verdict, say).
   * `lost`: its host's connection went with the report, naming the host.
   */
  unreported(st: StageRun, lost: string | undefined): void {
    if (st.done || endedStatuses.has(st.status)) return;
    const end = this.run.end;
    const status = statusWithoutReport({
      brokeRule: st.forcedFailure !== undefined,
      hostLost: lost !== undefined,
      timedOut: st.timedOut,
      ending: end.terminating !== undefined || end.cancelled || end.failure !== undefined,
      readerGone: st.readerGone || end.stoppedReading || end.quietStop,
    });
    if (status === 'failed') {
      const who = this.run.who(st);
      st.message = st.forcedFailure ?? (lost === undefined ? noReport(who, this.run.segmentSaid()) : `${label(who)} ${lost}`);
      if (end.fail(st.parent ?? st, stageError('stage-failed', st.message, who)) && !this.run.finished()) end.terminate('failure');
    }
    st.stderr.ended();
    st.stderr.settle(status === 'stopped-early');
    this.setStatus(st, status);
  }

  /** At the run's end: a stage reaped but not classified is classified now; one never reaped, as unreported. */
  settle(st: StageRun): void {
    if (st.planned.writes !== undefined && st.pid !== undefined) removeTemporaryFile(st.planned.writes, st.pid);
    if (st.timer) clearTimeout(st.timer);
    if (st.graceTimer) clearTimeout(st.graceTimer);
    st.probe?.close();
    st.probe = undefined;
    if (endedStatuses.has(st.status)) return;
    if (st.done) {
      st.stderrClosed = true;
      this.classify(st);
      return;
    }
    // Never started (its segment could not be), or its segment's end is not in yet.
    this.unreported(st, undefined);
  }

  private setStatus(st: StageRun, status: StageStatus): void {
    st.status = status;
    if (endedStatuses.has(status)) {
      st.meter.end(Date.now());
      if (status === 'succeeded' && st.planned.writes !== undefined) st.wrote = writtenFile(st.planned.writes);
      this.run.ended(st, status);
    }
    if (st.parent) {
      this.updateParent(st.parent);
      return;
    }
    const event: RunEvent = { type: 'status', stage: st.name, index: st.index, status };
    if (st.pid !== undefined) event.pid = st.pid;
    if (st.exitCode !== undefined) event.exitCode = st.exitCode;
    if (st.signal !== undefined) event.signal = st.signal;
    if (st.message !== undefined) event.message = st.message;
    this.run.push(event);
  }

  /** A stage with workers: running with its first copy, ended (as its worst copy) with its last. */
  private updateParent(p: StageRun): void {
    const copies = p.copies!;
    if (copies.every((c) => endedStatuses.has(c.status))) {
      if (endedStatuses.has(p.status)) return;
      const status = copyPrecedence.find((s) => copies.some((c) => c.status === s)) ?? 'succeeded';
      const worst = copies.find((c) => c.status === status)!;
      if (worst.exitCode !== undefined) p.exitCode = worst.exitCode;
      if (worst.signal !== undefined) p.signal = worst.signal;
      if (worst.message !== undefined) p.message = worst.message;
      p.stderr.tail.splice(0, Infinity, ...copies.flatMap((c) => c.stderr.tail).slice(-10));
      this.setStatus(p, status);
    } else if (copies.some((c) => c.status === 'running' || endedStatuses.has(c.status))) {
      if (p.status !== 'running') this.setStatus(p, 'running');
    } else if (p.status === 'pending' && copies.some((c) => c.status === 'queued')) this.setStatus(p, 'queued');
  }
}

/** A `write` that was killed could not remove its temporary file: the engine does (it knows the pid). */
function removeTemporaryFile(target: string, pid: number): void {
  try {
    fs.rmSync(temporaryName(resolveTarget(target), pid), { force: true });
  } catch {
    // a loop of links: `write` itself failed on it
  }
}
