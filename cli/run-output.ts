import type { RunResult, StageStats } from '../engine';
import { formatBytes, formatDuration } from '../engine/format';

const statusText: Record<StageStats['status'], string> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'ok',
  failed: 'FAILED',
  'stopped-early': 'stopped early',
  cancelled: 'cancelled',
  'timed-out': 'TIMED OUT',
};

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/** One pv-style line per stage, redrawn while the run goes on. */
export function liveLine(s: StageStats, nameWidth: number): string {
  const parts = [
    pad(s.name, nameWidth),
    pad(statusText[s.status], 13),
    `${padStart(formatBytes(s.bytesIn), 7)} in`,
    `${padStart(formatBytes(s.bytesOut), 7)} out`,
    `${padStart(formatBytes(s.rateOut), 7)}/s`,
    `cpu ${padStart(String(Math.round(s.busy * 100)), 3)}%`,
    `rss ${padStart(formatBytes(s.rssKb * 1024), 7)}`,
  ];
  if (s.recordsOut !== undefined) parts.push(`${s.recordsOut} records`);
  if (s.bottleneck) parts.push('<- bottleneck');
  return parts.join('  ');
}

/** The final per-stage summary (stderr). */
export function summary(result: RunResult): string[] {
  const name = result.file ?? 'pipeline';
  const lines: string[] = [];
  const what =
    result.outcome === 'succeeded'
      ? `finished in ${formatDuration(result.durationMs)}`
      : result.outcome === 'failed'
        ? `FAILED after ${formatDuration(result.durationMs)}`
        : result.outcome === 'cancelled'
          ? `cancelled after ${formatDuration(result.durationMs)}`
          : 'was not run';
  lines.push(`pipewright: ${name} ${what}: ${result.records} record${result.records === 1 ? '' : 's'} (${formatBytes(result.bytes)})${result.stoppedReading ? ', stopped reading early' : ''}`);
  const width = Math.max(5, ...result.stages.map((s) => s.name.length));
  for (const st of result.stages) {
    const s = st.stats;
    const how = st.signal ? ` (${st.signal})` : st.exitCode !== undefined && st.exitCode !== 0 ? ` (exit ${st.exitCode})` : '';
    lines.push(
      [
        `  ${pad(st.name, width)}`,
        pad(statusText[st.status] + how, 22),
        `${padStart(formatBytes(s.bytesIn), 7)} in`,
        `${padStart(formatBytes(s.bytesOut), 7)} out`,
        `cpu ${padStart(formatDuration(s.cpuUserMs + s.cpuSysMs), 7)}`,
        `max rss ${padStart(formatBytes(s.maxRssKb * 1024), 7)}`,
        padStart(formatDuration(s.durationMs), 8),
        s.bottleneck ? '<- bottleneck' : '',
      ]
        .join('  ')
        .trimEnd(),
    );
  }
  return lines;
}

/** What `--stats-json` writes. */
export function statsJson(result: RunResult): unknown {
  return {
    file: result.file,
    outcome: result.outcome,
    durationMs: result.durationMs,
    records: result.records,
    bytes: result.bytes,
    stoppedReading: result.stoppedReading,
    failedStage: result.failedStage,
    error: result.error ? { kind: result.error.kind, message: result.error.message, stage: result.error.stage } : undefined,
    stages: result.stages.map((st) => ({
      name: st.name,
      status: st.status,
      exitCode: st.exitCode ?? null,
      signal: st.signal ?? null,
      bytesIn: st.stats.bytesIn,
      bytesOut: st.stats.bytesOut,
      recordsOut: st.stats.recordsOut ?? null,
      cpuUserMs: st.stats.cpuUserMs,
      cpuSysMs: st.stats.cpuSysMs,
      maxRssKb: st.stats.maxRssKb,
      durationMs: st.stats.durationMs,
      busy: round3(st.stats.busy),
      waitingRead: round3(st.stats.waitingRead),
      waitingWrite: round3(st.stats.waitingWrite),
      bottleneck: st.stats.bottleneck,
      exact: st.stats.exact,
      message: st.message,
      stderrTail: st.stderrTail,
    })),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
