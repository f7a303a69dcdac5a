// What the Stages view shows of each run at its top level: the order of the runs, which one is
// open, and what a run's row says. No vscode here, so it is unit-tested without an editor.
import { formatCount, formatDuration, formatExact, formatHeadline, plural, sourceParts } from '../engine/format';
import { clockTime } from './history';
import type { RunFrame, RunModel, RunState } from './run-model';
import type { RowText } from './stage-row';

/** Newest first: a new run is the top row. */
export function newestFirst(runs: readonly RunModel[]): RunModel[] {
  return [...runs].sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
}

/**
 * The id of a run's row. Only the newest run is open; every other row starts folded. VS Code
 * applies a row's collapsible state only to an id it has not seen, so a run that stops being the
 * newest gets a new id (and folds) instead of keeping the open state it was first drawn with.
 */
export function runRowId(model: RunModel, newest: RunModel | undefined): string {
  return model === newest ? `run:${model.id}` : `run:${model.id}:earlier`;
}

/**
 * The state a run's row says, derived from its stages so the row never contradicts them: while
 * the engine has not reported the run's end but every stage has ended, the stages tell how it
 * went (a stage that failed or timed out: failed; one cancelled: cancelled; else succeeded).
 */
export function shownState(frame: RunFrame): RunState {
  if (
    frame.state !== 'running' ||
    frame.stages.length === 0 ||
    !frame.stages.every((s) => s.status !== 'pending' && s.status !== 'queued' && s.status !== 'running')
  )
    return frame.state;
  if (frame.stages.some((s) => s.status === 'failed' || s.status === 'timed-out')) return 'failed';
  if (frame.stages.some((s) => s.status === 'cancelled')) return 'cancelled';
  return 'succeeded';
}

/** A run's state in words: "interrupted" says by what (the window reload or close ended its processes). */
export function runStateText(state: RunState): string {
  return state === 'interrupted' ? 'interrupted by a window reload' : state;
}

/**
 * What a run's row says after its name, most important first, so that it fits the view's default
 * width: a running run its progress ("34% · ETA 12 s · 12.3k rec", or "12.3k rec · 4.5k rec/s"),
 * an ended one its records and time ("10 rec · 1.03 s · 14:02:11"). The icon says running or
 * succeeded; other states lead with their word ("failed · 0 rec · …").
 */
export function runRow(m: RunModel, restored: boolean): RowText {
  const f = m.frame;
  const state = shownState(f);
  const records = `${formatCount(f.records)} rec`;
  const parts: string[] = [];
  if (state === 'running') {
    const source = f.progress?.source;
    if (source) parts.push(...sourceParts(source), records);
    else parts.push(records, `${formatCount(f.recordRate)} rec/s`);
  } else {
    if (state !== 'succeeded') parts.push(state);
    parts.push(records);
  }
  parts.push(formatDuration(f.elapsedMs), clockTime(m.startedAt));
  const description = parts.join(' · ');
  const lines = [
    `${m.pipelineName}${m.to ? ` → ${m.to}` : ''}: ${runStateText(state)}`,
    `${plural(f.records, 'record', formatExact(f.records))} in ${formatDuration(f.elapsedMs)}`,
    ...(state === 'running' && f.progress ? [formatHeadline(f.progress)] : []),
    m.file,
    `run ${m.id}, started ${new Date(m.startedAt).toLocaleString()}`,
    ...(m.result?.error ? [m.result.error.message] : []),
    ...(restored ? ['From an earlier window: outcome, statuses and final numbers only.'] : []),
  ];
  return { description, tooltip: lines.join('\n'), accessible: `${m.pipelineName}, ${runStateText(state)}, ${description}` };
}
