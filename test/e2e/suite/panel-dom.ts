/** What the harness reads from the run panel's webview (shared by the harness and the suite). */
export interface PanelDom {
  state: string;
  summary: string;
  nodes: { id: string; classes: string; texts: string[] }[];
  edges: { from: string; to: string; label: string }[];
  bottleneck: string;
  columns: string[];
  /** Cell texts per row, in table order (the stage name first). */
  rows: string[][];
  /** Polylines drawn in the table's sparkline cells. */
  sparklines: number;
  failures: string[];
  history: string[];
}

export interface PanelReadArgs {
  /** Wait until the run's state badge shows this. */
  state?: string;
  /** Wait until the table's text differs from this (a previous read's `rows`). */
  changedFrom?: string[][];
  /** Wait until the run's summary (its headline) matches this regular expression. */
  summaryMatches?: string;
  /** Save a screenshot of the workbench as this file under .e2e/screenshots/. */
  screenshot?: string;
}
