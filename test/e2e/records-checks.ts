// Checkpoints for the records view and for what the workbench shows around a run: a modal
// dialog (read, then answered), a notification toast, the Get Started walkthrough.
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
    columns: [...document.querySelectorAll('#table thead th')].map((th) => th.textContent.trim()),
    rows: [...document.querySelectorAll('#table tbody tr[data-n]')].map((tr) => [...tr.children].map((c) => c.textContent)),
    saveDisabled: document.querySelector('#save').disabled,
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
        await frame.locator('#count', { hasText: 'match' }).waitFor({ timeout });
      }
      const dom = (await frame.evaluate(readDom)) as RecordsDom;
      if (args.screenshot) {
        fs.mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: path.join(screenshots, args.screenshot) });
      }
      return dom;
    },
    /** A modal dialog's message; clicks the button named `answer`. */
    dialog: async (page, raw) => {
      const { answer } = raw as { answer: string };
      const box = page.locator('.monaco-dialog-box');
      await box.waitFor({ timeout });
      const message = (await box.locator('.dialog-message-text, .dialog-message').first().textContent({ timeout })) ?? '';
      const detail = (await box.locator('.dialog-message-detail').first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
      await box.locator('.monaco-button', { hasText: answer }).first().click({ timeout });
      return `${message} ${detail}`.trim();
    },
    /** The notification toast holding `contains`. */
    notification: async (page, raw) => {
      const { contains } = raw as { contains: string };
      const toast = page.locator('.notification-toast', { hasText: contains }).first();
      await toast.waitFor({ timeout });
      const message = (await toast.locator('.notification-list-item-message').first().textContent({ timeout })) ?? '';
      const buttons = await toast.locator('.notification-list-item-buttons-container .monaco-button').allTextContents();
      return { message, buttons } satisfies Toast;
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
