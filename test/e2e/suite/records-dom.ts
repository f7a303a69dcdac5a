/** What the harness reads from the records view and the workbench (shared by the harness and the suite). */
export interface RecordsDom {
  title: string;
  summary: string;
  note: string;
  count: string;
  /** Header texts: `#`, then each column as "name type", then the copy column. */
  columns: string[];
  /** Cell texts of the rows in the DOM (the virtualized table holds only those in sight). */
  rows: string[][];
  saveDisabled: boolean;
  selection: string[];
  /** The line under the search box saying why the filter is not valid, or ''. */
  filterError: string;
  saveLabel: string;
  /** The record number of the row marked as the one asked for (opened from Compare), or ''. */
  focused: string;
}

export interface RecordsReadArgs {
  /** Wait until the summary contains this (e.g. "run 12 · succeeded"). */
  summary?: string;
  /** Type this into the search box first (words, or an expression over `r`). */
  query?: string;
  /** The query is not a valid filter: wait for the line saying why instead of the count. */
  invalid?: boolean;
  /** Save a screenshot of the workbench as this file under .e2e/screenshots/. */
  screenshot?: string;
}

/** A notification toast: its message and its buttons. */
export interface Toast {
  message: string;
  buttons: string[];
}
