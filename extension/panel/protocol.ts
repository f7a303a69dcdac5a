// Messages between the run panel's webview and the extension, defined once for both sides.
import type { ColumnKey, LayoutInput, PanelView } from './model';

export const panelViewType = 'pipewright.run';

/** Extension → webview. */
export type ToPanel = { type: 'view'; view: PanelView; layout: LayoutInput } | { type: 'empty'; message: string };

/** Webview → extension. */
export type FromPanel =
  | { type: 'ready' }
  /** Reveal the stage's line in the editor and its log. */
  | { type: 'reveal'; index: number }
  | { type: 'pin'; pinned: boolean }
  | { type: 'showRun'; runId: number }
  | { type: 'stop' }
  /** Open the records view on this run's output. */
  | { type: 'records' }
  | { type: 'exportTrace' }
  /** Compare the run shown with run `runId`, or with the run before it. */
  | { type: 'compare'; runId?: number };

/** What the webview keeps with vscode.setState, so it draws at once when shown again or restored after a reload. */
export interface PanelState {
  view?: PanelView;
  layout?: LayoutInput;
  sort?: { key: ColumnKey; descending: boolean };
}
