// Checkpoints for the records view and for what the workbench shows around a run: a
// notification (read, then answered), keys pressed, the Get Started walkthrough.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { RecordsDom, RecordsReadArgs, Toast } from './suite/records-dom';
import { timeout, viewFrame } from './webview-dom';

// Page-side code as a string: evaluated in the webview as written.
const readDom = `(() => {
  const text = (sel) => document.querySelector(sel)?.textContent ?? '';
  return {
    title: text('#title'),
    summary: text('#summary'),
    note: text('#note'),
    count: text('#count'),
    columns: [...document.querySelectorAll('#table thead th')].map((th) =>
      th.querySelector('.col-name')
        ? th.querySelector('.col-name').textContent + ' ' + th.querySelector('.col-type').textContent
        : th.textContent.trim(),
    ),
    rows: [...document.querySelectorAll('#table tbody tr[data-n]')].map((tr) => [...tr.children].map((c) => c.textContent)),
    saveDisabled: document.querySelector('#save').disabled,
    filterError: document.querySelector('#filter-error').hidden ? '' : text('#filter-error'),
    saveLabel: text('#save'),
    focused: document.querySelector('#table tbody tr.focused')?.dataset.n ?? '',
    selection: [...document.querySelectorAll('#selection button')].map((b) => b.textContent + (b.getAttribute('aria-checked') === 'true' ? ' (on)' : '')),
  };
})()`;

export function recordsCheckpoints(screenshots: string): Record<string, (page: Page, args: unknown) => Promise<unknown>> {
  return {
    'records-read': async (page, raw) => {
      const args = (raw ?? {}) as RecordsReadArgs;
      const frame = await viewFrame(page, 'records');
      await frame.locator('#records:not([hidden])').waitFor({ timeout });
      if (args.summary) await frame.locator('#summary', { hasText: args.summary }).waitFor({ timeout });
      await frame.locator('#table tbody tr[data-n]').first().waitFor({ timeout });
      if (args.query !== undefined) {
        await frame.locator('#search').fill(args.query, { timeout });
        if (args.invalid) await frame.locator('#filter-error:not([hidden])').waitFor({ timeout });
        else await frame.locator('#count', { hasText: args.query ? /match$/ : /^\d+ kept records?$/ }).waitFor({ timeout });
      }
      const dom = await frame.evaluate<RecordsDom>(readDom);
      if (args.screenshot) {
        fs.mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: path.join(screenshots, args.screenshot) });
      }
      return dom;
    },
    /** Presses a key on an element of the records view (by its data-key), as a keyboard user would. */
    'records-press': async (page, raw) => {
      const { key, press } = raw as { key: string; press: string };
      await (await viewFrame(page, 'records')).locator(`[data-key="${key}"]`).press(press, { timeout });
    },
    /**
     * The notification holding `contains`, read in the notification center (the smoke-test
     * driver keeps toasts off screen); clicks its button `click`, if given.
     */
    notification: async (page, raw) => {
      const { contains, click } = raw as { contains: string; click?: string };
      const item = page.locator('.notifications-center .notification-list-item', { hasText: contains }).first();
      await item.waitFor({ timeout });
      await item.click({ timeout }); // focused, it shows its buttons
      const message = (await item.locator('.notification-list-item-message').first().textContent({ timeout })) ?? '';
      const buttons = item.locator('.notification-list-item-buttons-container .monaco-button');
      const toast: Toast = { message, buttons: await buttons.allTextContents() };
      if (click) await buttons.filter({ hasText: click }).first().click({ timeout });
      return toast;
    },
    /** Presses keys in the workbench, where the focus is (e.g. the editor). */
    keys: async (page, raw) => {
      const { press } = raw as { press: string };
      await page.keyboard.press(press);
    },
    /** The titles of the open walkthrough's steps. */
    walkthrough: async (page, raw) => {
      const { title } = raw as { title: string };
      await page.locator('.gettingStartedContainer', { hasText: title }).first().waitFor({ timeout });
      return page.locator('.gettingStartedContainer .getting-started-step .step-title').allTextContents();
    },
  };
}
