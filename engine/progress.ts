/**
 * The headline of a run, like pv's: the throughput at the first edge (what the first stage has
 * sent on) and, when a stage reads a regular file, how far into it it is and when it will be done.
 * The file is known from the plan when it can be (`use: read`, `cat FILE`, `… < FILE`), else found
 * among the stage's open files; how far is that fd's offset (/proc/PID/fdinfo, as `pv -d` reads it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EdgeStats } from './edges';
import { execPrefixed } from './plumbing';
import type { PlannedStage } from './preflight';
import { parseFdinfo, processTree } from './proc';
import type { StageStats } from './stats';

export interface SourceProgress {
  /** The file the stage reads, and its size when the run started. */
  file: string;
  size: number;
  /** Bytes of it read so far (the offset of the stage's open file; the whole file once the stage succeeded). */
  position: number;
  /** 0–100. */
  percent: number;
  /** Time left at the recent rate; undefined until it is known. */
  etaMs?: number;
}

export interface Progress {
  /** Records and bytes over the first edge (the first stage's output); records undefined when not counted. */
  records?: number;
  bytes: number;
  recordsPerSec?: number;
  bytesPerSec: number;
  /** The file read that will take longest (any stage's: see headlineSource). */
  source?: SourceProgress;
}

/** A word the shell leaves as it is (no quotes, expansions or globs). */
const plainWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** The regular file a stage reads, from its plan: `use: read`, `cat FILE`, or a one-command `run:` with `< FILE`. */
export function sourceFileOf(planned: PlannedStage): { file: string; size: number } | undefined {
  const { stage, plan } = planned;
  if (stage.workers > 1) return undefined;
  const a = stage.action;
  let file: string | undefined;
  if (a?.kind === 'use' && a.builtin === 'read' && typeof a.options.path === 'string') file = a.options.path;
  else if (a?.kind === 'command' && path.basename(plan.argv[0] ?? '') === 'cat' && plan.argv.length === 2 && !plan.argv[1]!.startsWith('-'))
    file = plan.argv[1];
  else if (a?.kind === 'run' && execPrefixed(a.script) !== a.script) {
    const words = a.script.trim().split(/\s+/);
    const redirect = words.flatMap((w, i) => (w === '<' ? [words[i + 1]] : w.startsWith('<') && !w.startsWith('<<') ? [w.slice(1)] : []));
    if (redirect.length === 1) file = redirect[0];
    else if (redirect.length === 0 && words.length === 2 && words[0] === 'cat' && !words[1]!.startsWith('-')) file = words[1];
    if (file !== undefined && !plainWord.test(file)) file = undefined;
  }
  if (file === undefined || file === '') return undefined;
  const resolved = path.resolve(plan.dir, file);
  try {
    const st = fs.statSync(resolved);
    return st.isFile() && st.size > 0 ? { file: resolved, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

/** An open file being watched: whose fd, and the file's identity and size. */
interface OpenFile {
  pid: number;
  fd: number;
  file: string;
  size: number;
  dev: number;
  ino: number;
  mtimeMs: number;
}

/**
 * How far a stage is into the file it reads, sampled from /proc while it runs (as `pv -d` does). A
 * file known from the plan is looked for by its device and inode; otherwise any regular file the
 * stage (or a process it started) has open read-only is found by itself — the biggest, when there
 * are several — so `head -c 1G f`, `gzip -dc f.gz`, `cat "$F"`, `sort f | uniq` or a later stage's
 * `join - lookup.csv` get a percentage too. Only files last changed before the run started count:
 * not a file an earlier stage is writing, nor `sort`'s temporary files. When that file is closed
 * and another opened (`cat a b`), the new one is watched.
 */
export class SourceWatch {
  private open: OpenFile | undefined;
  private candidate: OpenFile | undefined;
  private last: { file: string; size: number } | undefined;
  private position = 0;
  private done = false;
  /** Looking for the file costs a walk of the stage's processes and fds: not at every sample (a run may have 70 stages). */
  private nextSearchAt = 0;
  private history: { at: number; position: number }[] = [];
  private readonly known: { file: string; dev: number; ino: number } | undefined;

  /** `startedAt`: when the run started (epoch ms); a file changed since is not an input. */
  constructor(
    known: { file: string; size: number } | undefined,
    private readonly startedAt: number,
  ) {
    if (!known) return;
    try {
      const st = fs.statSync(known.file);
      this.known = { file: known.file, dev: st.dev, ino: st.ino };
      this.last = known;
    } catch {
      this.known = undefined;
    }
  }

  /** One sample of the stage `pid`. */
  sample(pid: number, at: number): void {
    if (this.done) return;
    if (!this.open) {
      // Not known from the plan, the file is first looked for a search interval into the stage's life: most stages of a
      // run are short, need no percentage, and walking their processes and fds is the dearest part of a sample.
      if (this.nextSearchAt === 0 && !this.known) this.nextSearchAt = at + searchEveryMs;
      if (at < this.nextSearchAt) return;
      this.nextSearchAt = at + searchEveryMs;
      const found = readFiles(pid).filter((f) => (this.known ? f.dev === this.known.dev && f.ino === this.known.ino : f.mtimeMs <= this.startedAt));
      const biggest = found.reduce<OpenFile | undefined>((a, f) => (a && a.size >= f.size ? a : f), undefined);
      // Found by itself, a file counts once it is still open at the next sample: a program's
      // start-up opens and closes files of its own (the locale archive, libraries) in a moment.
      const seen = this.candidate;
      this.candidate = this.known ? undefined : biggest;
      const next = this.known ? biggest : biggest && seen && sameOpen(seen, biggest) ? biggest : undefined;
      if (!next) return;
      if (this.last?.file !== next.file || this.last.size !== next.size) {
        this.position = 0;
        this.history = [];
      }
      this.open = next;
      this.last = { file: next.file, size: next.size };
    }
    const info = readFdinfo(this.open.pid, this.open.fd);
    if (!info) {
      this.open = undefined; // closed, or its process is gone: look again next time
      return;
    }
    this.position = Math.min(this.open.size, Math.max(this.position, info.pos));
    this.history.push({ at, position: this.position });
    while (this.history.length > 2 && this.history[1]!.at <= at - 2000) this.history.shift();
  }

  /** The stage ended: having succeeded, it read the whole file. */
  finish(succeeded: boolean): void {
    this.done = true;
    if (succeeded && this.last) this.position = this.last.size;
  }

  /** Undefined until a file is known. */
  progress(): SourceProgress | undefined {
    if (!this.last) return undefined;
    const { file, size } = this.last;
    const p: SourceProgress = { file, size, position: this.position, percent: (100 * this.position) / size };
    const first = this.history[0];
    const last = this.history.at(-1);
    if (this.done) p.etaMs = 0;
    else if (first && last && last.at > first.at && last.position > first.position) {
      p.etaMs = ((size - this.position) * (last.at - first.at)) / (last.position - first.position);
    }
    return p;
  }
}

const accessMode = 3; // O_ACCMODE: O_RDONLY is 0
const searchEveryMs = 250;

const sameOpen = (a: OpenFile, b: OpenFile) => a.pid === b.pid && a.fd === b.fd && a.dev === b.dev && a.ino === b.ino;

/** Regular, non-empty files that `pid` or its descendants have open read-only. */
function readFiles(pid: number): OpenFile[] {
  const out: OpenFile[] = [];
  for (const p of processTree(pid)) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${p}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const name of fds) {
      const fd = Number(name);
      try {
        const st = fs.statSync(`/proc/${p}/fd/${fd}`);
        if (!st.isFile() || st.size === 0) continue;
        const info = readFdinfo(p, fd);
        if (!info || (info.flags & accessMode) !== 0) continue;
        const file = fs.readlinkSync(`/proc/${p}/fd/${fd}`);
        if (file.endsWith(' (deleted)')) continue; // a temporary file
        out.push({ pid: p, fd, file, size: st.size, dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs });
      } catch {
        // closed meanwhile
      }
    }
  }
  return out;
}

function readFdinfo(pid: number, fd: number): { pos: number; flags: number } | undefined {
  try {
    return parseFdinfo(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1'));
  } catch {
    return undefined;
  }
}

/**
 * The headline's file, of the stages' (by index): of those still reading, the one with the most
 * time left (a file just found, its ETA not yet known, counts as the longest); all read, the
 * first. So a run's headline answers "how long until the inputs are read" whichever stage reads them.
 */
export function headlineSource(sources: (SourceProgress | undefined)[]): SourceProgress | undefined {
  const known = sources.filter((s): s is SourceProgress => s !== undefined);
  const left = (s: SourceProgress) => (s.percent >= 100 || s.etaMs === 0 ? -1 : (s.etaMs ?? Infinity));
  return known.reduce<SourceProgress | undefined>((best, s) => (best === undefined || left(s) > left(best) ? s : best), undefined);
}

/**
 * The headline from the first edge's counts, or (that edge not counted) the first stage's
 * process writes; plus the file being read that will take longest, if any stage reads one.
 */
export function progressOf(first: EdgeStats | undefined, stages: StageStats[]): Progress {
  const firstStage = stages[0]!;
  const p: Progress =
    first?.countedBy !== undefined
      ? { records: first.records, bytes: first.bytes, recordsPerSec: first.recordsPerSec, bytesPerSec: first.bytesPerSec }
      : { bytes: firstStage.procBytesWritten, bytesPerSec: firstStage.rateOut };
  const sp = headlineSource(stages.map((s) => s.source));
  if (sp) p.source = sp;
  return p;
}
