import { describe, expect, it } from 'vitest';
import { panelPage } from '../../../extension/panel/html';
import { recordsPage } from '../../../extension/records/html';
import { webviewHtml } from '../../../extension/webview/html';

describe('webview pages (one shared shell)', () => {
  for (const page of [panelPage, recordsPage]) {
    it(`${page.view}: allows nothing but its own nonce'd script and the extension's stylesheets`, () => {
      const cdn = 'https://x.vscode-cdn.net';
      const html = webviewHtml({
        ...page,
        cspSource: cdn,
        scriptUri: `${cdn}/${page.script}`,
        styleUris: [`${cdn}/media/webview.css`, `${cdn}/${page.style}`],
        nonce: 'abc123',
      });
      const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
      expect(csp).toBe(`default-src 'none'; style-src ${cdn}; img-src ${cdn}; font-src ${cdn}; script-src 'nonce-abc123'`);
      expect(html.match(/<script\b[^>]*>/g)).toEqual([`<script nonce="abc123" src="${cdn}/${page.script}">`]);
      expect(html.match(/<link rel="stylesheet" href="[^"]+">/g)).toEqual([
        `<link rel="stylesheet" href="${cdn}/media/webview.css">`,
        `<link rel="stylesheet" href="${cdn}/${page.style}">`,
      ]);
      expect(html).toContain(`<body data-view="${page.view}">`);
      expect(html).not.toMatch(/style="|<style|https?:\/\/(?!x\.vscode-cdn\.net)/);
    });
  }

  it('gets a new nonce each time', () => {
    const p = { ...panelPage, cspSource: 'c', scriptUri: 's', styleUris: ['t'] };
    expect(webviewHtml(p)).not.toBe(webviewHtml(p));
  });
});
