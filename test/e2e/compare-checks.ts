// Checkpoints for the Compare view (found with ./webview-dom.ts): read its DOM, type a key,
// press an example, for the suite.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CompareDom, CompareReadArgs } from './suite/compare-dom';
import { timeout, viewFrame } from './webview-dom';

// Page-side code as a string: evaluated in the webview as written.
const readDom = `(() => {
  const text = (el) => el?.textContent ?? '';
  return {
    title: text(document.querySelector('#title')),
    runs: [...document.querySelectorAll('.runs .run')].map(text),
    headline: [...document.querySelectorAll('#headline li')].map(text),
    stages: [...document.querySelectorAll('#stages tbody tr[data-stage]')].map((tr) => ({
      name: tr.dataset.stage,
      cells: [...tr.children].slice(1).map(text),
      countsChanged: tr.classList.contains('counts-changed'),
    })),
    edges: [...document.querySelectorAll('#edges tbody tr')].map((tr) => [...tr.children].map(text)),
    recordsStatus: text(document.querySelector('#records-status')),
    kinds: [...document.querySelectorAll('#records-diff .kind')].map((k) => ({
      title: text(k.querySelector('h3')),
      examples: [...k.querySelectorAll('button.example')].map((b) => ({ key: b.dataset.key, line: text(b.nextElementSibling) })),
    })),
  };
})()`;

export function compareCheckpoints(screenshots: string): Record<string, (page: Page, args: unknown) => Promise<unknown>> {
  return {
    'compare-read': async (page, raw) => {
      const args = (raw ?? {}) as CompareReadArgs;
      const frame = await viewFrame(page, 'compare');
      await frame.locator('#compare:not([hidden])').waitFor({ timeout });
      if (args.key !== undefined) {
        await frame.locator('#key').fill(args.key, { timeout });
        await frame.locator('#key-go').click({ timeout });
      }
      if (args.records) await frame.locator('#records-status', { hasText: args.records }).waitFor({ timeout });
      const dom = await frame.evaluate<CompareDom>(readDom);
      if (args.screenshot) {
        fs.mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: path.join(screenshots, args.screenshot) });
      }
      return dom;
    },
    /** Presses a key on an element of the Compare view (by its data-key), as a keyboard user would. */
    'compare-press': async (page, raw) => {
      const { key, press } = raw as { key: string; press: string };
      await (await viewFrame(page, 'compare')).locator(`[data-key="${key}"]`).press(press, { timeout });
    },
  };
}
