// Messages between the records view's webview and the extension, defined once for both sides.
import type { KeptLine, Selection } from './keeper';

export const recordsViewType = 'pipewright.records';

/** What the records view shows: kept lines of a run's output, or the recent records of a tapped edge. */
export interface RecordsView {
  runId: number;
  /** Set for a tapped edge: the stage whose output edge this is. */
  stage?: string;
  title: string;
  /** "succeeded · 1,000 records" etc. */
  summary: string;
  state: string;
  /** Records on this output or edge so far (exact once the run has ended). */
  total: number;
  selection: Selection;
  /** Lines kept per selection (`pipewright.records.maxKept`). */
  max: number;
  lines: KeptLine[];
  /** Says what the lines are ("the first 1,000 of 12,345 records", "the 20 most recent records on this edge"). */
  note: string;
  /** Save all is possible (a finished run whose output was kept on disk); else why not. */
  save: { ok: true } | { ok: false; why: string };
  /** A newer run of the same pipeline exists (the view stays on its own run). */
  newer: boolean;
  /** The record to scroll to and mark (opened from the Compare view), when it is among `lines`. */
  focus?: number;
  /** The search box's filter as the host read it: words (the webview matches them), an expression (the host matched `lines`), or why it is not valid. */
  filter?: FilterResult;
}

export type FilterResult =
  | { query: string; kind: 'words' }
  /** `matches`: the numbers of the lines it kept; `threw`: lines that are not JSON or made it throw (not kept). */
  | { query: string; kind: 'expression'; matches: number[]; threw: number }
  | { query: string; kind: 'invalid'; why: string };

/** Extension → webview. */
export type ToRecords = { type: 'view'; view: RecordsView } | { type: 'empty'; message: string };

/** Webview → extension. */
export type FromRecords =
  | { type: 'ready' }
  | { type: 'select'; selection: Selection }
  | { type: 'copy'; text: string }
  | { type: 'saveAll' }
  | { type: 'showLatest' }
  /** What the search box holds (words or an expression): it filters the view and Save All. */
  | { type: 'filter'; query: string };

/** What the webview keeps with setState. */
export interface RecordsState {
  view?: RecordsView;
  query?: string;
  sort?: { key: string; descending: boolean };
}
