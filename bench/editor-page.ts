// The workbench page of the editor benchmarks (bench/typing.ts, bench/editor-huge.ts).
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';

/**
 * Each typed key's latency, from the keydown event's timestamp to the first frame after the editor's lines changed,
 * pushed onto `window.__latencies`. Printable keys and Backspace; evaluate it once in the workbench page.
 */
export const keyLatencyProbe = `(() => {
  window.__latencies = [];
  document.addEventListener('keydown', (e) => {
    if (e.key.length !== 1 && e.key !== 'Backspace') return;
    const t0 = e.timeStamp;
    const lines = document.querySelector('.monaco-editor .view-lines');
    const observer = new MutationObserver(() => {
      observer.disconnect();
      requestAnimationFrame(() => window.__latencies.push(performance.now() - t0));
    });
    observer.observe(lines, { subtree: true, childList: true, characterData: true });
  }, true);
})()`;

/** A screenshot of the page as a benchmark left it when it stopped: its path, to name in the message. */
export async function failureShot(browser: Browser, bench: string): Promise<string> {
  const shot = path.join(os.tmpdir(), `pipewright-bench-${bench}-failure.png`);
  await browser
    .contexts()[0]
    ?.pages()[0]
    ?.screenshot({ path: shot })
    .catch(() => undefined);
  return shot;
}
