import type { EdgePeek, Progress, RunResult, StageStats } from '../engine';
import { formatBusy, formatBytes, formatCount, formatDuration, formatExact, formatHeadline, plural, sourceParts } from '../engine/format';

export const statusText: Record<StageStats['status'], string> = {
  pending: 'pending',
  queued: 'waiting for Slurm',
  running: 'running',
  succeeded: 'ok',
  failed: 'FAILED',
  'stopped-early': 'stopped early',
  cancelled: 'cancelled',
  'timed-out': 'TIMED OUT',
};

const count = (n: number | undefined) => (n === undefined ? '—' : formatCount(n));

/** The live headline (first line): the throughput at the first edge, and the source file's progress. */
export function liveHeadline(p: Progress): string {
  return `pipewright: ${formatHeadline(p)}`;
}

/** One pv-style line per stage, redrawn while the run goes on: records in → out, rates, CPU, memory. */
export function liveLine(s: StageStats, nameWidth: number): string {
  const parts = [
    s.name.padEnd(nameWidth),
    statusText[s.status].padEnd(13),
    `${count(s.recordsIn).padStart(6)} in`,
    `${count(s.recordsOut).padStart(6)} out`,
    `${count(s.recordsPerSec).padStart(6)} rec/s`,
    `${formatBytes(s.rateOut).padStart(8)}/s`,
    `busy ${formatBusy(s.busy).padStart(4)}`,
    `rss ${formatBytes(s.rssKb * 1024).padStart(8)}`,
  ];
  if (s.status === 'running' && s.source) parts.push(sourceParts(s.source).join(' '));
  if (s.bottleneck) parts.push('<- bottleneck');
  return parts.join('  ');
}

/** "12,345 rec (1.2 MiB)": exact records and bytes of an edge; "—" when it was not counted. */
function edgeTotal(records: number | undefined, bytes: number | undefined): string {
  if (records === undefined || bytes === undefined) return '—';
  return `${formatExact(records)} rec (${formatBytes(bytes)})`;
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
  lines.push(
    `pipewright: ${name} ${what}: ${plural(result.records, 'record')} (${formatBytes(result.bytes)})${result.stoppedReading ? ', stopped reading early' : ''}`,
  );
  // A stage on another host is named with it: `square @ box` (docs/remote.md).
  const names = result.stages.map((st) => (st.stats.host ? `${st.name} @ ${st.stats.host}` : st.name));
  const width = Math.max(5, ...result.stages.map((s, i) => Math.max(names[i]!.length, s.stats.workers ? `  worker ${s.stats.workers.length}`.length : 0)));
  const ins = result.stages.map((st) => edgeTotal(st.stats.recordsIn, st.stats.bytesIn));
  const outs = result.stages.map((st) => edgeTotal(st.stats.recordsOut, st.stats.bytesOut));
  const inWidth = Math.max(2, ...ins.map((x) => x.length));
  const outWidth = Math.max(3, ...outs.map((x) => x.length));
  lines.push(
    `  ${'stage'.padEnd(width)}  ${'status'.padEnd(22)}  ${'in'.padStart(inWidth)}  ${'out'.padStart(outWidth)}  ${'cpu'.padStart(7)}  ${'peak rss'.padStart(8)}  ${'time'.padStart(8)}`,
  );
  result.stages.forEach((st, i) => {
    const s = st.stats;
    const how = st.signal ? ` (${st.signal})` : st.exitCode !== undefined && st.exitCode !== 0 ? ` (exit ${st.exitCode})` : '';
    lines.push(
      [
        `  ${names[i]!.padEnd(width)}`,
        (statusText[st.status] + how).padEnd(22),
        ins[i]!.padStart(inWidth),
        outs[i]!.padStart(outWidth),
        formatDuration(s.cpuUserMs + s.cpuSysMs).padStart(7),
        formatBytes(s.maxRssKb * 1024).padStart(8),
        formatDuration(s.durationMs).padStart(8),
        s.bottleneck ? '<- bottleneck' : '',
      ]
        .join('  ')
        .trimEnd(),
    );
    if (s.wrote) lines.push(`  ${''.padEnd(width)}  wrote ${s.wrote.file}: ${plural(s.wrote.bytes, 'byte', formatExact(s.wrote.bytes))}`);
    (s.workers ?? []).forEach((w, j) => {
      lines.push(
        [
          `  ${`  worker ${j + 1}`.padEnd(width)}`,
          statusText[w.status].padEnd(22),
          ''.padStart(inWidth),
          ''.padStart(outWidth),
          formatDuration(w.cpuUserMs + w.cpuSysMs).padStart(7),
          formatBytes(w.maxRssKb * 1024).padStart(8),
          formatDuration(w.durationMs).padStart(8),
        ]
          .join('  ')
          .trimEnd(),
      );
    });
  });
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
    edges: result.edges.map((e) => ({ from: e.from, to: e.to, countedBy: e.countedBy ?? null, records: e.records, bytes: e.bytes })),
    stages: result.stages.map((st) => ({
      name: st.name,
      status: st.status,
      exitCode: st.exitCode ?? null,
      signal: st.signal ?? null,
      recordsIn: st.stats.recordsIn ?? null,
      bytesIn: st.stats.bytesIn ?? null,
      recordsOut: st.stats.recordsOut ?? null,
      ...(st.stats.host ? { host: st.stats.host } : {}),
      ...(st.stats.step ? { step: st.stats.step } : {}),
      bytesOut: st.stats.bytesOut ?? null,
      procBytesRead: st.stats.procBytesRead,
      procBytesWritten: st.stats.procBytesWritten,
      ...(st.stats.wrote ? { wrote: st.stats.wrote } : {}),
      ...(st.stats.workers
        ? {
            workers: st.stats.workers.map((w) => ({
              pid: w.pid ?? null,
              ...(w.host ? { host: w.host } : {}),
              ...(w.step ? { step: w.step } : {}),
              status: w.status,
              procBytesRead: w.procBytesRead,
              procBytesWritten: w.procBytesWritten,
              cpuUserMs: w.cpuUserMs,
              cpuSysMs: w.cpuSysMs,
              maxRssKb: w.maxRssKb,
              durationMs: w.durationMs,
              exact: w.exact,
            })),
          }
        : {}),
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
