import type { EdgePeek, RunResult, StageStats } from '../engine';
import { formatBytes, formatDuration, plural } from '../engine/format';

const statusText: Record<StageStats['status'], string> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'ok',
  failed: 'FAILED',
  'stopped-early': 'stopped early',
  cancelled: 'cancelled',
  'timed-out': 'TIMED OUT',
};

/** One pv-style line per stage, redrawn while the run goes on. */
export function liveLine(s: StageStats, nameWidth: number): string {
  const parts = [
    s.name.padEnd(nameWidth),
    statusText[s.status].padEnd(13),
    `${formatBytes(s.bytesIn).padStart(7)} in`,
    `${formatBytes(s.bytesOut).padStart(7)} out`,
    `${formatBytes(s.rateOut).padStart(7)}/s`,
    `cpu ${String(Math.round(s.busy * 100)).padStart(3)}%`,
    `rss ${formatBytes(s.rssKb * 1024).padStart(7)}`,
  ];
  if (s.recordsOut !== undefined) parts.push(plural(s.recordsOut, 'record'));
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
  lines.push(`pipewright: ${name} ${what}: ${plural(result.records, 'record')} (${formatBytes(result.bytes)})${result.stoppedReading ? ', stopped reading early' : ''}`);
  const width = Math.max(5, ...result.stages.map((s) => Math.max(s.name.length, s.stats.workers ? `  worker ${s.stats.workers.length}`.length : 0)));
  for (const st of result.stages) {
    const s = st.stats;
    const how = st.signal ? ` (${st.signal})` : st.exitCode !== undefined && st.exitCode !== 0 ? ` (exit ${st.exitCode})` : '';
    lines.push(
      [
        `  ${st.name.padEnd(width)}`,
        (statusText[st.status] + how).padEnd(22),
        s.host ? `on ${s.host}` : '',
        `${formatBytes(s.bytesIn).padStart(7)} in`,
        `${formatBytes(s.bytesOut).padStart(7)} out`,
        `cpu ${formatDuration(s.cpuUserMs + s.cpuSysMs).padStart(7)}`,
        `max rss ${formatBytes(s.maxRssKb * 1024).padStart(7)}`,
        formatDuration(s.durationMs).padStart(8),
        s.recordsOut !== undefined ? plural(s.recordsOut, 'record') : '',
        s.bottleneck ? '<- bottleneck' : '',
      ]
        .filter((x, i) => i < 2 || x !== '')
        .join('  ')
        .trimEnd(),
    );
    (s.workers ?? []).forEach((w, i) => {
      lines.push(
        [
          `  ${`  worker ${i + 1}`.padEnd(width)}`,
          statusText[w.status].padEnd(22),
          `${formatBytes(w.bytesIn).padStart(7)} in`,
          `${formatBytes(w.bytesOut).padStart(7)} out`,
          `cpu ${formatDuration(w.cpuUserMs + w.cpuSysMs).padStart(7)}`,
          `max rss ${formatBytes(w.maxRssKb * 1024).padStart(7)}`,
          formatDuration(w.durationMs).padStart(8),
        ].join('  '),
      );
    });
  }
  return lines;
}

/** What \`--peek STAGE\` prints at the end (stderr): the edge's record count and its last records. */
export function peekLines(peek: EdgePeek): string[] {
  const n = peek.samples.length;
  return [
    `pipewright: peek \`${peek.stage}\`: ${plural(peek.records, 'record')} (${formatBytes(peek.bytes)}) written${n > 0 ? `; the last ${n}:` : ''}`,
    ...peek.samples.map((s) => `  ${s}`),
  ];
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
      ...(st.stats.host ? { host: st.stats.host } : {}),
      ...(st.stats.workers ? { workers: st.stats.workers.map((w) => ({ pid: w.pid ?? null, ...(w.host ? { host: w.host } : {}), status: w.status, bytesIn: w.bytesIn, bytesOut: w.bytesOut, cpuUserMs: w.cpuUserMs, cpuSysMs: w.cpuSysMs, maxRssKb: w.maxRssKb, durationMs: w.durationMs, exact: w.exact })) } : {}),
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
