// What a stage's row in the Stages view says. The view's default width shows the stage's name and
// about 25 characters after it, so the row leads with what matters most for the stage's state and
// leaves the rest to the tooltip, the detail rows and the run panel. No vscode here: unit-tested.
import { formatBusy, formatBytes, formatCount, formatDuration, formatExact, formatWrote, sourceParts, statusText } from '../engine/format';
import type { StageStatus } from '../engine';
import type { StageView } from './run-model';

export interface RowText {
  description: string;
  /** Every number of the row and more, one per line. */
  tooltip: string;
  /** What a screen reader says for the row: the status in words, then the description. */
  accessible: string;
}

/** Icons that say the state well enough on their own: their rows start with numbers. */
const iconSays = new Set<StageStatus>(['running', 'succeeded', 'failed']);

/** How much a stage put out: "12.3k rec", the file it wrote, else its bytes (the process's writes when its edge is not counted). */
function output(s: StageView): string | undefined {
  const st = s.stats;
  if (!st) return undefined;
  if (st.wrote) return formatWrote(st.wrote);
  if (st.recordsOut !== undefined) return `${formatCount(st.recordsOut)} rec`;
  return st.bytesOut !== undefined ? formatBytes(st.bytesOut) : `${formatBytes(st.procBytesWritten)} process I/O`;
}

/** The rate a running stage puts out at: records per second when counted, else bytes. */
function rate(s: StageView): string | undefined {
  const st = s.stats;
  if (!st) return undefined;
  return st.recordsPerSec !== undefined ? `${formatCount(st.recordsPerSec)} rec/s` : `${formatBytes(st.rateOut)}/s`;
}

/** The last thing a stage said on stderr, cut to a line's worth. */
function lastSaid(s: StageView): string | undefined {
  const said = s.stderrTail.findLast((l) => l.trim() !== '');
  return said && said.length > 120 ? `${said.slice(0, 120)}…` : said;
}

/**
 * The row after the stage's name, most important first. The icon says running or succeeded, so
 * those rows start with numbers: "34% · ETA 12 s · 12.3k rec · 4.5k rec/s · busy 23%" (a stage
 * reading a file), "bottleneck · 12.3k rec · …", "10 rec · 1.03 s · busy 12%" once done. Other
 * states lead with their word ("stopped early · 5 rec"), a failed stage with why ("exit 3 · boom").
 */
export function stageRow(s: StageView): RowText & { line: string } {
  const st = s.stats;
  const parts: string[] = [];
  const push = (...xs: (string | undefined)[]) => parts.push(...xs.filter((x): x is string => x !== undefined));
  if (s.status === 'running') {
    if (st?.source) push(...sourceParts(st.source));
    if (st?.bottleneck) push('bottleneck');
    push(output(s), rate(s), st && `busy ${formatBusy(st.busy)}`);
  } else if (s.status === 'failed' || s.status === 'timed-out') {
    push(s.status === 'timed-out' ? statusText[s.status] : s.signal ? s.signal : `exit ${s.exitCode ?? '?'}`, lastSaid(s), output(s));
  } else {
    if (!iconSays.has(s.status)) push(statusText[s.status]);
    push(output(s), st && formatDuration(st.durationMs), st && `busy ${formatBusy(st.busy)}`);
  }
  if (st?.host) push(`on ${st.host}`);
  const description = parts.join(' · ');
  // The editor's line after the stage has no icon: the status in words first.
  const line = iconSays.has(s.status) ? [statusText[s.status], ...parts].join(' · ') : description;
  return { description, line, tooltip: stageTooltip(s), accessible: `${s.name}, ${statusText[s.status]}${description ? `, ${description}` : ''}` };
}

function stageTooltip(s: StageView): string {
  const st = s.stats;
  const lines = [`${s.name}: ${statusText[s.status]}${s.status === 'failed' ? (s.signal ? ` (${s.signal})` : ` (exit ${s.exitCode ?? '?'})`) : ''}`];
  if (st) {
    const edge = (records: number | undefined, bytes: number | undefined) =>
      records === undefined ? (bytes === undefined ? 'not counted' : formatBytes(bytes)) : `${formatExact(records)} rec, ${formatBytes(bytes ?? 0)}`;
    if (st.recordsIn !== undefined || st.bytesIn !== undefined) lines.push(`in: ${edge(st.recordsIn, st.bytesIn)}`);
    lines.push(`out: ${edge(st.recordsOut, st.bytesOut)}`);
    if (st.wrote) lines.push(`wrote ${formatWrote(st.wrote)}`);
    lines.push(
      `rate out: ${[st.recordsPerSec !== undefined ? `${formatCount(st.recordsPerSec)} rec/s` : undefined, `${formatBytes(st.rateOut)}/s`].filter(Boolean).join(', ')}`,
    );
    if (st.source) lines.push(`file read: ${sourceParts(st.source).join(', ')}`);
    lines.push(`busy ${formatBusy(st.busy)} · ${formatDuration(st.durationMs)}`);
    if (st.bottleneck) lines.push('the bottleneck: this stage limits the throughput');
    if (st.host) lines.push(`on ${st.host}`);
  }
  const said = lastSaid(s);
  if (said && (s.status === 'failed' || s.status === 'timed-out')) lines.push(`stderr: ${said}`);
  if (s.message) lines.push(s.message);
  return lines.join('\n');
}
