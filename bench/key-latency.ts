/**
 * Page side of the editor benchmarks (bench/typing.ts, bench/editor-huge.ts): each typed key's latency, from the
 * keydown event's timestamp to the first frame after the editor's lines changed, pushed onto `window.__latencies`.
 * Printable keys and Backspace; evaluate it once in the workbench page.
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
