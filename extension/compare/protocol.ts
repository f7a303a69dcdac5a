// Messages between the Compare view's webview and the extension, defined once for both sides.
import type { CompareView } from './model';

export const compareViewType = 'pipewright.compare';

/** Extension → webview. */
export type ToCompare = { type: 'view'; view: CompareView } | { type: 'empty'; message: string };

/** Webview → extension. */
export type FromCompare =
  | { type: 'ready' }
  /** Compare the records again, matched by this field (empty: whole lines). */
  | { type: 'key'; key: string }
  /** Open the records view of run `a` or `b` at record `n`. */
  | { type: 'openRecord'; run: 'a' | 'b'; n: number }
  /** Show a run in the run panel. */
  | { type: 'showRun'; run: 'a' | 'b' }
  | { type: 'swap' };

/** What the webview keeps with setState. */
export interface CompareState {
  view?: CompareView;
}
