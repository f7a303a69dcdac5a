/** A row of the Stages view as the workbench draws it (test/e2e/stages-checks.ts reads them). */
export interface StagesRow {
  level: number;
  expanded: boolean;
  label: string;
  description: string;
  /** What a screen reader says for the row (its state in words: the icon shows it on screen). */
  aria: string;
}

/** What `stages-read` waits for: these labels as the first top-level rows, in order. */
export interface StagesWait {
  top: string[];
  /** Wait also until the first of `top` is open (the tree expands a new run on its next draw). */
  open?: boolean;
  /** With `open`: wait also until the open run's stages show numbers (their first stats have come). */
  counted?: boolean;
  /** A file name under the harness's screenshot folder. */
  screenshot?: string;
}
