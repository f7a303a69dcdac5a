import * as fs from 'node:fs';
import { parseIo, parseStat, parseStatus, parseSyscall, type WaitState } from './proc';
import type { SourceProgress } from './progress';
import type { StageStatus } from './status';

/**
 * Per-stage stats (docs/stats.md is the glossary): records and bytes from the counts of the
 * stage's edges (engine/edges.ts), the rest from /proc without touching the data. While a stage
 * runs they are sampled; once it has ended, process I/O and CPU are the exact totals pw-segment
 * read right after reaping it, and the peak memory the kernel's (`exact: true`).
 */
export interface StageStats {
  name: string;
  index: number;
  status: StageStatus;
  pid?: number;
  /** The host it runs on (`on:`, docs/remote.md), by its name under `hosts:`; for a stage with workers on several, all of them. Absent: this machine. */
  host?: string;
  /** On a Slurm cluster: its job step and node (`12.0 on node1`), or its job while it waits for Slurm (`job 12`). */
  step?: string;
  /**
   * Records (lines) and bytes that came in over the stage's input edge: exact, final once that
   * edge has ended. Undefined when the edge is not counted (the first stage's input, counts off).
   */
  recordsIn?: number | undefined;
  bytesIn?: number | undefined;
  /** Records and bytes the stage wrote to the next stage (or the output): exact; undefined when not counted. */
  recordsOut?: number | undefined;
  bytesOut?: number | undefined;
  /** Records per second out: over about the last second while it runs, over its life once ended. */
  recordsPerSec?: number | undefined;
  /** Bytes read and written by the process in total (/proc rchar, wchar): every file, its stderr, start-up reads. */
  procBytesRead: number;
  procBytesWritten: number;
  cpuUserMs: number;
  cpuSysMs: number;
  /** Resident memory now (0 once ended), and the peak: the kernel's ru_maxrss once reaped, VmHWM while it runs. */
  rssKb: number;
  maxRssKb: number;
  /** From start until end (or now). */
  durationMs: number;
  /** Bytes per second out: of the output edge when counted, else of the process's writes; over its life once ended. */
  rateOut: number;
  /** CPU time over wall time over the last intervals (1 = one core all the time). */
  busy: number;
  /** Shares of samples (recent, smoothed) in which the stage was blocked reading its stdin / writing its stdout. */
  waitingRead: number;
  waitingWrite: number;
  /** Share of samples in which it was neither: computing, or waiting on something else (disk, network, a timer). */
  working: number;
  /** This stage limits the pipeline's throughput: the others wait for it. At most one stage. */
  bottleneck: boolean;
  /**
   * A `write` stage that succeeded: the file it wrote and its size then — what a user means by
   * "written" (`procBytesWritten` also counts the records it passed on, its stderr). Absent while it
   * runs, for other stages, and for a target that is not a regular file (`/dev/stdout`, a FIFO).
   */
  wrote?: { file: string; bytes: number } | undefined;
  /** How far the stage is into the regular file it reads, when it reads one (engine/progress.ts); absent for copies and other hosts. */
  source?: SourceProgress;
  /** Bytes and CPU are exact final totals (the stage has ended and pw-segment reported it). */
  exact: boolean;
  /**
   * `workers: N`: each copy's own stats (`index` is the stage's; `pid` the copy's). The stage's
   * figures are then their sums (bytes, CPU, memory, busy), the longest duration, and the mean
   * wait shares.
   */
  workers?: StageStats[];
}

/** A stage run as N copies: one StageStats over all of them, with each copy's under `workers`. */
export function aggregateStats(name: string, index: number, status: StageStatus, copies: StageStats[], bottleneck: boolean): StageStats {
  const sum = (f: (s: StageStats) => number) => copies.reduce((n, s) => n + f(s), 0);
  const mean = (f: (s: StageStats) => number) => (copies.length ? sum(f) / copies.length : 0);
  return {
    name,
    index,
    status,
    procBytesRead: sum((s) => s.procBytesRead),
    procBytesWritten: sum((s) => s.procBytesWritten),
    cpuUserMs: sum((s) => s.cpuUserMs),
    cpuSysMs: sum((s) => s.cpuSysMs),
    rssKb: sum((s) => s.rssKb),
    maxRssKb: sum((s) => s.maxRssKb),
    durationMs: Math.max(0, ...copies.map((s) => s.durationMs)),
    rateOut: sum((s) => s.rateOut),
    busy: sum((s) => s.busy),
    waitingRead: mean((s) => s.waitingRead),
    waitingWrite: mean((s) => s.waitingWrite),
    working: mean((s) => s.working),
    bottleneck,
    exact: copies.every((s) => s.exact),
    workers: copies,
  };
}

export interface ProcSample {
  state: string;
  utimeTicks: number;
  stimeTicks: number;
  cutimeTicks: number;
  cstimeTicks: number;
  rchar: number;
  wchar: number;
  rssKb: number;
  hwmKb: number;
  wait: WaitState;
}

/** USER_HZ: /proc/PID/stat times are in 1/100 s on Linux. */
export const ticksPerSecond = 100;
export const msPerTick = 1000 / ticksPerSecond;

/**
 * Reads one process's /proc files through fds kept open for its lifetime (a pread each,
 * microseconds). Must be closed; reads after the process is gone return undefined.
 */
export class ProcProbe {
  private fds: { io: number; stat: number; status: number; syscall: number | undefined } | undefined;
  private readonly buf = Buffer.allocUnsafe(4096);

  constructor(readonly pid: number) {
    const open = (name: string) => fs.openSync(`/proc/${pid}/${name}`, 'r');
    let opened: number[] = [];
    try {
      const io = open('io');
      opened.push(io);
      const stat = open('stat');
      opened.push(stat);
      const status = open('status');
      opened.push(status);
      let syscall: number | undefined;
      try {
        syscall = open('syscall');
      } catch {
        syscall = undefined; // not allowed (ptrace restrictions): no wait states, the rest works
      }
      this.fds = { io, stat, status, syscall };
      opened = [];
    } finally {
      for (const fd of opened) fs.closeSync(fd);
    }
  }

  private readText(fd: number): string | undefined {
    try {
      const n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
      return n > 0 ? this.buf.toString('latin1', 0, n) : undefined;
    } catch {
      return undefined;
    }
  }

  read(): ProcSample | undefined {
    const fds = this.fds;
    if (!fds) return undefined;
    const statText = this.readText(fds.stat);
    const ioText = this.readText(fds.io);
    const statusText = this.readText(fds.status);
    if (statText === undefined || ioText === undefined || statusText === undefined) return undefined;
    const stat = parseStat(statText);
    if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined;
    const syscallText = fds.syscall === undefined ? undefined : this.readText(fds.syscall);
    const wait: WaitState = stat.state === 'R' ? 'running' : syscallText === undefined ? 'unknown' : parseSyscall(syscallText);
    return { ...stat, ...parseIo(ioText), ...parseStatus(statusText), wait };
  }

  close(): void {
    const fds = this.fds;
    this.fds = undefined;
    if (!fds) return;
    for (const fd of [fds.io, fds.stat, fds.status, fds.syscall]) if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Weight of the newest sample in the smoothed shares (about the last 5 samples count). */
const smoothing = 0.3;

/** Accumulates one stage's samples into StageStats. */
export class StageMeter {
  startedAt: number | undefined;
  endedAt: number | undefined;
  private last: { at: number; sample: ProcSample } | undefined;
  private rate = 0;
  private busyRecent = 0;
  private shares = { read: 0, write: 0, working: 0 };
  private totals = { samples: 0, read: 0, write: 0, working: 0 };
  private final: { rchar: number; wchar: number; cpuUserMs: number; cpuSysMs: number } | undefined;
  maxRssKb = 0;

  constructor(
    readonly name: string,
    readonly index: number,
  ) {}

  add(at: number, sample: ProcSample): void {
    const prev = this.last;
    if (prev) {
      const dt = (at - prev.at) / 1000;
      if (dt > 0) {
        this.rate = Math.max(0, sample.wchar - prev.sample.wchar) / dt;
        const cpu =
          (sample.utimeTicks +
            sample.stimeTicks +
            sample.cutimeTicks +
            sample.cstimeTicks -
            (prev.sample.utimeTicks + prev.sample.stimeTicks + prev.sample.cutimeTicks + prev.sample.cstimeTicks)) /
          ticksPerSecond;
        this.busyRecent = this.busyRecent === 0 ? cpu / dt : this.busyRecent * (1 - smoothing) + (cpu / dt) * smoothing;
      }
    }
    const w = sample.wait;
    const x = { read: w === 'read-stdin' ? 1 : 0, write: w === 'write-stdout' ? 1 : 0, working: w === 'running' || w === 'other' ? 1 : 0 };
    if (this.totals.samples === 0) this.shares = { ...x };
    else for (const k of ['read', 'write', 'working'] as const) this.shares[k] = this.shares[k] * (1 - smoothing) + x[k] * smoothing;
    this.totals.samples++;
    this.totals.read += x.read;
    this.totals.write += x.write;
    this.totals.working += x.working;
    this.maxRssKb = Math.max(this.maxRssKb, sample.hwmKb, sample.rssKb);
    this.last = { at, sample };
  }

  /** Exact totals from pw-segment, right after it reaped the stage. */
  finish(at: number, totals: { rchar: number; wchar: number; cutimeTicks: number; cstimeTicks: number; maxRssKb?: number }): void {
    this.endedAt ??= at;
    // The kernel's peak of the reaped process: samples miss short stages and the last moments.
    if (totals.maxRssKb !== undefined) this.maxRssKb = Math.max(this.maxRssKb, totals.maxRssKb);
    // The stage's own CPU and its reaped children's (wait4's rusage of it) come as cutime/cstime.
    this.final = { rchar: totals.rchar, wchar: totals.wchar, cpuUserMs: totals.cutimeTicks * msPerTick, cpuSysMs: totals.cstimeTicks * msPerTick };
  }

  /** Ended without a report (killed with its segment): the last sample stands. */
  end(at: number): void {
    this.endedAt ??= at;
  }

  get samples(): number {
    return this.totals.samples;
  }

  /** Smoothed (live) or whole-run (ended) share of samples in which the stage was working. */
  workingShare(ended: boolean): number {
    if (ended) return this.totals.samples === 0 ? 0 : this.totals.working / this.totals.samples;
    return this.shares.working;
  }

  snapshot(now: number, status: StageStatus, pid: number | undefined, bottleneck: boolean): StageStats {
    const s = this.last?.sample;
    const ended = this.endedAt !== undefined;
    const duration = this.startedAt === undefined ? 0 : (this.endedAt ?? now) - this.startedAt;
    const cpuUserMs = Math.max(this.final?.cpuUserMs ?? 0, s ? (s.utimeTicks + s.cutimeTicks) * msPerTick : 0);
    const cpuSysMs = Math.max(this.final?.cpuSysMs ?? 0, s ? (s.stimeTicks + s.cstimeTicks) * msPerTick : 0);
    const written = this.final?.wchar ?? s?.wchar ?? 0;
    const n = this.totals.samples;
    const stats: StageStats = {
      name: this.name,
      index: this.index,
      status,
      procBytesRead: this.final?.rchar ?? s?.rchar ?? 0,
      procBytesWritten: written,
      cpuUserMs,
      cpuSysMs,
      rssKb: ended ? 0 : (s?.rssKb ?? 0),
      maxRssKb: this.maxRssKb,
      durationMs: Math.max(0, Math.round(duration)),
      rateOut: ended ? (duration > 0 ? written / (duration / 1000) : 0) : this.rate,
      busy: ended ? (duration > 0 ? (cpuUserMs + cpuSysMs) / duration : 0) : this.busyRecent,
      waitingRead: ended ? (n ? this.totals.read / n : 0) : this.shares.read,
      waitingWrite: ended ? (n ? this.totals.write / n : 0) : this.shares.write,
      working: this.workingShare(ended),
      bottleneck,
      exact: this.final !== undefined,
    };
    if (pid !== undefined) stats.pid = pid;
    return stats;
  }
}

/**
 * The stage that limits throughput: the one working (computing, or blocked on something other
 * than its pipes) the largest share of the time while the others wait on their pipes for it.
 * None when fewer than two stages, too few samples, or nobody works more than half the time.
 */
export function pickBottleneck(meters: readonly StageMeter[], ended: (m: StageMeter) => boolean): number | undefined {
  if (meters.length < 2) return undefined;
  let best: StageMeter | undefined;
  let bestShare = 0.5;
  for (const m of meters) {
    if (m.samples < 3) continue;
    const share = m.workingShare(ended(m));
    if (share > bestShare) {
      best = m;
      bestShare = share;
    }
  }
  return best?.index;
}
