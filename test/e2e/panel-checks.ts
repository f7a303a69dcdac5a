// Checkpoints that look inside the run panel (found with ./webview-dom.ts): the checks read the
// page's DOM, or press keys in it, for the suite.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { PanelDom, PanelReadArgs } from './suite/panel-dom';
import { timeout, viewFrame, within } from './webview-dom';

// Page-side code as strings: evaluated in the webview as written, with no build helpers mixed in.
const tableText = `JSON.stringify([...document.querySelectorAll('#table tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent)))`;

const readDom = `(() => {
  const text = (sel) => document.querySelector(sel)?.textContent ?? '';
  return {
    state: text('#state'),
    summary: text('#summary'),
    nodes: [...document.querySelectorAll('#graph g.node')].map((g) => ({
      id: g.dataset.node,
      classes: g.getAttribute('class'),
      texts: [...g.querySelectorAll('text')].map((t) => t.textContent),
    })),
    edges: [...document.querySelectorAll('#graph g.edge')].map((g) => ({
      from: g.dataset.from,
      to: g.dataset.to,
      label: [...g.querySelectorAll('tspan')].map((t) => t.textContent).join(' · '),
    })),
    bottleneck: document.querySelector('#bottleneck').hidden ? '' : text('#bottleneck'),
    columns: [...document.querySelectorAll('#table thead th')].map((th) => th.textContent.trim()),
    rows: JSON.parse(${tableText}),
    sparklines: document.querySelectorAll('#table .spark polyline').length,
    failures: [...document.querySelectorAll('.failure')].map((f) => f.textContent),
    history: [...document.querySelectorAll('#history button[data-key^="run-"]')].map((b) => b.textContent),
  };
})()`;

/** Resolves once the table's text is not `before` (on DOM mutations, not on time). */
const tableChanged = (before: string) => `new Promise((resolve) => {
  const changed = () => ${tableText} !== ${JSON.stringify(before)};
  if (changed()) return resolve(true);
  const observer = new MutationObserver(() => {
    if (changed()) { observer.disconnect(); resolve(true); }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
})`;

export function panelCheckpoints(screenshots: string): Record<string, (page: Page, args: unknown) => Promise<unknown>> {
  return {
    /** The panel as drawn: graph, table, failures, history (PanelDom). */
    'panel-read': async (page, raw) => {
      const args = (raw ?? {}) as PanelReadArgs;
      const frame = await viewFrame(page, 'run');
      await frame.locator('#table tbody tr').first().waitFor({ timeout });
      if (args.state) await frame.locator('#state', { hasText: new RegExp(`^${args.state}$`) }).waitFor({ timeout });
      if (args.summaryMatches) await frame.locator('#summary', { hasText: new RegExp(args.summaryMatches) }).waitFor({ timeout });
      if (args.changedFrom) await within(frame.evaluate(tableChanged(JSON.stringify(args.changedFrom))), 'the table did not change');
      const dom = await frame.evaluate<PanelDom>(readDom);
      if (args.screenshot) {
        fs.mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: path.join(screenshots, args.screenshot) });
      }
      return dom;
    },
    /** The rows of the open quick pick; clicks the one holding `choose`. */
    'quick-pick': async (page, raw) => {
      const { choose } = raw as { choose: string };
      const rows = page.locator('.quick-input-widget .monaco-list-row');
      await rows.filter({ hasText: choose }).first().waitFor({ timeout });
      const texts = await rows.allTextContents();
      await rows.filter({ hasText: choose }).first().click({ timeout });
      return texts;
    },
    /** Presses a key on an element of the panel (by its data-key), as a keyboard user would. */
    'panel-press': async (page, raw) => {
      const { key, press } = raw as { key: string; press: string };
      await (await viewFrame(page, 'run')).locator(`[data-key="${key}"]`).press(press, { timeout });
    },
  };
}
