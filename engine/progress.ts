/**
 * The headline of a run, like pv's: the throughput at the first edge (what the first stage has
 * sent on) and, when the first stage reads a regular file of known size, how far into it it is
 * and when it will be done. Which file is decided from the plan alone (`use: read`, `cat FILE`,
 * `… < FILE`), without running anything; how far is the file offset of the stage's open file
 * (/proc/PID/fdinfo, as `pv -d` reads it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EdgeStats } from './edges';
import { execPrefixed } from './plumbing';
import type { PlannedStage } from './preflight';
import type { StageStats } from './stats';

export interface SourceProgress {
  /** The file the first stage reads, and its size when the run started. */
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
  source?: SourceProgress;
}

/** A word the shell leaves as it is (no quotes, expansions or globs). */
const plainWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** The regular file the first stage reads, from its plan: `use: read`, `cat FILE`, or a one-command `run:` with `< FILE`. */
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

/** How far the first stage is into its file, sampled from /proc while it runs. */
export class SourceWatch {
  private fd: number | undefined;
  private position = 0;
  private done = false;
  private readonly history: { at: number; position: number }[] = [];
  private readonly id: { dev: number; ino: number } | undefined;

  constructor(
    readonly file: string,
    readonly size: number,
  ) {
    try {
      const st = fs.statSync(file);
      this.id = { dev: st.dev, ino: st.ino };
    } catch {
      this.id = undefined;
    }
  }

  /** One sample of the stage `pid` (its fd on the file is looked for until found). */
  sample(pid: number, at: number): void {
    if (this.done || !this.id) return;
    this.fd ??= this.findFd(pid);
    if (this.fd === undefined) return;
    try {
      const pos = /^pos:\s*(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${this.fd}`, 'latin1'));
      if (pos) this.position = Math.min(this.size, Math.max(this.position, Number(pos[1])));
    } catch {
      this.fd = undefined; // closed (or the stage is gone)
    }
    this.history.push({ at, position: this.position });
    while (this.history.length > 2 && this.history[1]!.at <= at - 2000) this.history.shift();
  }

  /** The stage ended: having succeeded, it read the whole file. */
  finish(succeeded: boolean): void {
    this.done = true;
    if (succeeded) this.position = this.size;
  }

  private findFd(pid: number): number | undefined {
    try {
      for (const name of fs.readdirSync(`/proc/${pid}/fd`)) {
        try {
          const st = fs.statSync(`/proc/${pid}/fd/${name}`);
          if (st.ino === this.id!.ino && st.dev === this.id!.dev) return Number(name);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // gone, or not ours to read
    }
    return undefined;
  }

  progress(): SourceProgress {
    const p: SourceProgress = { file: this.file, size: this.size, position: this.position, percent: (100 * this.position) / this.size };
    const first = this.history[0];
    const last = this.history.at(-1);
    if (this.done) p.etaMs = 0;
    else if (first && last && last.at > first.at && last.position > first.position) {
      p.etaMs = ((this.size - this.position) * (last.at - first.at)) / (last.position - first.position);
    }
    return p;
  }
}

/**
 * The headline from the first edge's counts, or (that edge not counted) the first stage's
 * process writes; plus the source file's progress, if watched.
 */
export function progressOf(first: EdgeStats | undefined, firstStage: StageStats, source: SourceWatch | undefined): Progress {
  const p: Progress =
    first?.countedBy !== undefined
      ? { records: first.records, bytes: first.bytes, recordsPerSec: first.recordsPerSec, bytesPerSec: first.bytesPerSec }
      : { bytes: firstStage.procBytesWritten, bytesPerSec: firstStage.rateOut };
  if (source) p.source = source.progress();
  return p;
}
