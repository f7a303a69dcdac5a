// Checkpoints that read the Stages view as drawn in the workbench: its rows, in order, with their
// level and whether they are open, once the rows the suite expects are there.
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { StagesRow, StagesWait } from './suite/stages-dom';
import { timeout } from './webview-dom';

const rowSelector = '.part.sidebar .customview-tree .monaco-list-row';

/** The page-side reading of the rows (as a string: evaluated in the page as written). */
const readRows = `(selector) => [...document.querySelectorAll(selector)].map((r) => ({
  level: Number(r.getAttribute('aria-level')),
  expanded: r.getAttribute('aria-expanded') === 'true',
  label: r.querySelector('.label-name')?.textContent ?? '',
  description: r.querySelector('.label-description')?.textContent ?? '',
  aria: r.getAttribute('aria-label') ?? '',
}))`;

export function stagesCheckpoints(screenshots: string): Record<string, (page: Page, args: unknown) => Promise<unknown>> {
  return {
    /**
     * Waits until the view's top rows are `top` (labels of the first level-1 rows, in order), and
     * with `open` until the first is open with its stages drawn under it (with `counted`, showing
     * numbers), and returns every row; with `screenshot`, saves one of the workbench under that name.
     */
    'stages-read': async (page, raw) => {
      const { top, open, counted, screenshot } = raw as StagesWait;
      const rowsNow = `(${readRows})(${JSON.stringify(rowSelector)})`;
      const topIs = `${JSON.stringify(top)}.every((label, i) => ${rowsNow}.filter((r) => r.level === 1)[i]?.label === label)`;
      // Open and drawn: its row says so and its stages' rows follow it.
      const firstOpen = `((rows) => rows[0]?.level === 1 && rows[0].expanded && rows[1]?.level === 2)(${rowsNow})`;
      // Its stages' rows up to the next run's, each with a description (numbers, once stats came).
      const stagesCounted = `((rows) => rows.slice(1).filter((r, i, after) => after.slice(0, i + 1).every((a) => a.level > 1)).every((r) => /\\d/.test(r.description)))(${rowsNow})`;
      const wanted = [topIs, ...(open ? [firstOpen] : []), ...(counted ? [stagesCounted] : [])].join(' && ');
      await page.waitForFunction(wanted, undefined, { timeout });
      const rows = await page.evaluate<StagesRow[]>(rowsNow);
      if (screenshot) await page.screenshot({ path: path.join(screenshots, screenshot) });
      return rows;
    },
  };
}
