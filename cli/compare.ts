// `pipewright compare A.stats.json B.stats.json` (two runs' numbers, stage by stage) and
// `pipewright compare --records A B [--key FIELD]` (two outputs, record by record): thin over
// engine/compare, which the editor's Compare view uses too.
import * as fs from 'node:fs';
import { compareRecords, type RecordExample, type RecordsComparison } from '../engine/compare/records-diff';
import { readRunStats, type RunStats } from '../engine/compare/run-stats';
import { compareStats, figureText as cell, metricFormat, metrics, type StatsComparison } from '../engine/compare/stats-diff';
import { formatCount, formatDuration, plural } from '../engine/format';
import { ExitCode } from './exit-codes';
import { statusText } from './run-output';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CompareStatsOptions {
  threshold: number;
  json: boolean;
  failOnRegression: boolean;
}

function readStats(file: string): RunStats | string {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : e instanceof SyntaxError ? `it is not JSON (${e.message})` : (e as Error).message;
  }
  const read = readRunStats(json);
  return read.ok ? read.stats : `${read.why}; write one with \`pipewright run --stats-json FILE\``;
}

/** 0 compared (1 with `failOnRegression` when something regressed), 2 a file is not a run's stats. */
export function compareStatsCommand(a: string, b: string, options: CompareStatsOptions, io: Io = process): ExitCode {
  const stats: RunStats[] = [];
  for (const file of [a, b]) {
    const s = readStats(file);
    if (typeof s === 'string') {
      io.stderr.write(`pipewright: cannot compare ${file}: ${s}\n`);
      return ExitCode.Unreadable;
    }
    stats.push(s);
  }
  const c = compareStats(stats[0]!, stats[1]!, options.threshold);
  io.stdout.write(options.json ? `${JSON.stringify(c, null, 2)}\n` : `${statsText(c, a, b).join('\n')}\n`);
  return options.failOnRegression && c.regressions.length > 0 ? ExitCode.Problems : ExitCode.Ok;
}

const count = metricFormat.recordsOut;
const metricNames = {
  recordsIn: 'in',
  recordsOut: 'out',
  bytesOut: 'bytes out',
  rate: 'rec/s',
  cpuMs: 'cpu',
  maxRssKb: 'peak rss',
  durationMs: 'time',
} as const;

/** The comparison as people read it: the run, a row per stage, the edges, then what changed and what regressed. */
export function statsText(c: StatsComparison, a: string, b: string): string[] {
  const r = c.run;
  const lines = [
    `pipewright compare: ${a} → ${b}`,
    `  run: ${r.outcomeA === r.outcomeB ? r.outcomeA : `${r.outcomeA} → ${r.outcomeB}`} · records ${cell(r.records, count)} · time ${cell(r.durationMs, formatDuration)}`,
    '',
  ];
  const head = ['stage', 'status', ...metrics.map((m) => metricNames[m])];
  const rows = c.stages.map((s) => {
    const f = s.figures;
    const status =
      s.presence === 'added'
        ? `added (${statusText[s.statusB!]})`
        : s.presence === 'removed'
          ? `removed (was ${statusText[s.statusA!]})`
          : s.statusA === s.statusB
            ? statusText[s.statusA!]
            : `${statusText[s.statusA!]} → ${statusText[s.statusB!]}`;
    return [s.name, status, ...metrics.map((m) => cell(f[m], metricFormat[m]))];
  });
  lines.push(...table([head, ...rows]));
  if (c.edges.length > 0) {
    lines.push('', '  edges (records, and per second of the run):');
    lines.push(...table(c.edges.map((e) => [`${e.from} → ${e.to}`, cell(e.records, count), cell(e.rate, formatCount)])).map((l) => `  ${l}`));
  }
  lines.push('');
  if (c.added.length > 0) lines.push(`  added stages: ${c.added.join(', ')}`);
  if (c.removed.length > 0) lines.push(`  removed stages: ${c.removed.join(', ')}`);
  lines.push(
    c.changedCounts.length > 0
      ? `  counts changed in ${plural(c.changedCounts.length, 'stage')}: ${c.changedCounts.join(', ')}`
      : '  counts: the same in every stage',
  );
  const pct = `${Math.round(c.threshold * 1000) / 10} %`;
  if (c.regressions.length === 0) lines.push(`  no regressions (threshold ${pct})`);
  else lines.push(`  ${plural(c.regressions.length, 'regression')} (threshold ${pct}; marked !):`, ...c.regressions.map((x) => `    ${x}`));
  return lines;
}

/** Columns padded to their widest cell, two spaces apart, indented by two. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

export interface CompareRecordsOptions {
  key?: string | undefined;
  examples: number;
  json: boolean;
}

/** 0 compared (whatever the differences), 2 a file cannot be read or sort failed. */
export async function compareRecordsCommand(a: string, b: string, options: CompareRecordsOptions, io: Io = process): Promise<ExitCode> {
  let c: RecordsComparison;
  try {
    c = await compareRecords(a, b, { key: options.key, examples: options.examples });
  } catch (e) {
    io.stderr.write(`pipewright: cannot compare records: ${(e as Error).message}\n`);
    return ExitCode.Unreadable;
  }
  io.stdout.write(options.json ? `${JSON.stringify(c, null, 2)}\n` : `${recordsText(c, a, b).join('\n')}\n`);
  return ExitCode.Ok;
}

const numbered = (mark: string, e: RecordExample) => `  ${mark} #${e.n}  ${e.line}`;

/** Counts, then the first examples of each kind, marked as diff marks them (- only in A, + only in B). */
export function recordsText(c: RecordsComparison, a: string, b: string): string[] {
  const how = c.key !== undefined ? `matched by \`${c.key}\`` : 'whole lines';
  const lines = [
    `pipewright compare --records: ${a} (${plural(c.recordsA, 'record', count(c.recordsA))}) → ${b} (${plural(c.recordsB, 'record', count(c.recordsB))}), ${how}`,
    `  only in ${a}: ${count(c.onlyInA)}`,
    `  only in ${b}: ${count(c.onlyInB)}`,
  ];
  if (c.key !== undefined)
    lines.push(
      `  changed: ${count(c.changed)}${c.changedFields.length > 0 ? ` (${c.changedFields.map((f) => `${f.field} in ${count(f.records)}`).join(', ')})` : ''}`,
    );
  lines.push(`  the same: ${count(c.same)}`);
  if (c.unkeyed > 0) lines.push(`  ${plural(c.unkeyed, 'record', count(c.unkeyed))} without \`${c.key}\` compared as whole lines`);
  const ex = c.examples;
  const first = (n: number, total: number) => (n < total ? `the first ${n} of ${count(total)}` : `all ${count(total)}`);
  if (ex.onlyInA.length > 0)
    lines.push('', `only in ${a} (${first(ex.onlyInA.length, c.onlyInA)}; #: record number):`, ...ex.onlyInA.map((e) => numbered('-', e)));
  if (ex.onlyInB.length > 0) lines.push('', `only in ${b} (${first(ex.onlyInB.length, c.onlyInB)}):`, ...ex.onlyInB.map((e) => numbered('+', e)));
  if (ex.changed.length > 0) {
    lines.push('', `changed (${first(ex.changed.length, c.changed)}):`);
    for (const ch of ex.changed) lines.push(`  ${c.key} ${ch.key}: ${ch.fields.join(', ')}`, `  ${numbered('-', ch.a)}`, `  ${numbered('+', ch.b)}`);
  }
  return lines;
}
