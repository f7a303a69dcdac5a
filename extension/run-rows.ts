// What the Stages view shows of each run at its top level: the order of the runs, which one is
// open, and the state a run's row says. No vscode here, so it is unit-tested without an editor.
import type { RunFrame, RunModel, RunState } from './run-model';

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
