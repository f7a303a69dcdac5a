// Finding a Pipewright webview's page in the workbench, for the harness's checks. A webview is
// two nested iframes (VS Code's host frame, then the page); several may be open, so the page is
// found by its `<body data-view>` (extension/webview/html.ts), waiting on frame events.
import type { Frame, Page } from 'playwright-core';

export const timeout = 30_000;

export function viewFrame(page: Page, view: string): Promise<Frame> {
  const selector = `body[data-view="${view}"]`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no webview "${view}" within ${timeout} ms`));
    }, timeout);
    const watch = (f: Frame) =>
      void f.waitForSelector(selector, { timeout, state: 'attached' }).then(
        () => {
          done();
          resolve(f);
        },
        () => undefined,
      );
    const done = () => {
      clearTimeout(timer);
      page.off('frameattached', watch);
    };
    page.on('frameattached', watch);
    page.frames().forEach(watch);
  });
}

export function within<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${timeout} ms`)), timeout).unref())]);
}
