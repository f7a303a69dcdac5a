// Human-readable numbers for stats, shared by the CLI and the editor so they read the same.
import type { Progress, SourceProgress } from './progress';
import type { StageStatus } from './status';

/**
 * 1536 → "1.5 KiB": powers of 1024, labelled as such (IEC), everywhere bytes are shown (tree,
 * panel, records view, CLI), so "MiB" never means 10^6 in one place and 2^20 in another.
 */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * 1234567 → "1,234,567": an exact count with thousands separators. Written out, not `toLocaleString`: the first call
 * of that loads ICU's locale data, ~25 ms of a CLI run's start on a slow-faulting VM (bench/README.md, start-up).
 */
export function formatExact(n: number): string {
  const digits = String(Math.trunc(Math.abs(n)));
  const head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (let i = head; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** 1234567 → "1.2M", 12345 → "12.3k", 999 → "999". */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 2 : 1).replace(/\.?0+$/, '')}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1).replace(/\.?0+$/, '')}M`;
}

/**
 * A stage's `busy` (CPU time over wall time, docs/stats.md#busy) as every view and the CLI show
 * it: 0.45 → "45%"; with workers it is their sum (200% = two cores).
 */
export function formatBusy(busy: number): string {
  return `${Math.round(busy * 100)}%`;
}

/** What a `write` stage wrote, as the views say it: "4.8 KiB to out.ndjson" (the file's size, not the process's I/O). */
export function formatWrote(wrote: { file: string; bytes: number }): string {
  return `${formatBytes(wrote.bytes)} to ${wrote.file.slice(wrote.file.lastIndexOf('/') + 1)}`;
}

/** A `timeout` as written back to people: 2000 → "2 s", 150 → "150 ms". */
export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** "1 record", "0 records", "12.3k records": `shown` is the count as printed (default: as is); singular for exactly one. */
export function plural(n: number, word: string, shown: string = String(n)): string {
  return `${shown} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The headline of a run, as the CLI's live line, the status bar and the progress notification
 * show it: "1.2M rec · 45.3k rec/s · 12 MiB/s · 34% · ETA 12.3 s" (records when the first edge is
 * counted; percentage and ETA when a stage reads a regular file: the one with the most time left).
 */
export function formatHeadline(p: Progress): string {
  const parts: string[] = [];
  if (p.records !== undefined) parts.push(`${formatCount(p.records)} rec`, `${formatCount(p.recordsPerSec ?? 0)} rec/s`);
  else parts.push(formatBytes(p.bytes));
  parts.push(`${formatBytes(p.bytesPerSec)}/s`);
  if (p.source) parts.push(...sourceParts(p.source));
  return parts.join(' · ');
}

/** How far a stage is into its file: ["34%", "ETA 12.3 s"] (no ETA until it is known, nor at 100%). */
export function sourceParts(source: SourceProgress): string[] {
  const eta = source.etaMs !== undefined && source.percent < 100 ? [`ETA ${formatDuration(source.etaMs)}`] : [];
  return [`${Math.floor(source.percent)}%`, ...eta];
}

/** "/data/big.ndjson: 34% of 57.2 MiB" */
export function fileRead(source: SourceProgress): string {
  return `${source.file}: ${Math.floor(source.percent)}% of ${formatBytes(source.size)}`;
}

/** A stage's status in words, as the editor shows it (the CLI's summary has its own, terser words). */
export const statusText: Record<StageStatus, string> = {
  pending: 'pending',
  queued: 'waiting for Slurm',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  'stopped-early': 'stopped early',
  cancelled: 'cancelled',
  'timed-out': 'timed out',
};
