// The run panel's page: its markup inside the shared webview shell (../webview/html.ts). No vscode here.

export const panelBody = `
<p id="empty">No run to show yet: run a pipeline (▶ Run pipeline above <code>stages:</code>).</p>
<main id="run" hidden>
  <header>
    <h1 id="title"></h1>
    <span id="state" class="badge"></span>
    <span id="summary"></span>
    <span class="actions">
      <button id="pin" aria-pressed="false"></button>
      <button id="records">Records</button>
      <button id="compare" title="Compare this run with the run before it: stage numbers and records">Compare with Previous</button>
      <button id="stop">Stop</button>
      <button id="trace">Export Trace…</button>
    </span>
  </header>
  <p id="restored" hidden>A run from an earlier window: its outcome and statuses were kept, not its stats.</p>
  <section aria-labelledby="graph-heading">
    <h2 id="graph-heading">Stages</h2>
    <div id="graph"></div>
    <p id="bottleneck" role="status" hidden></p>
  </section>
  <section id="failures" aria-label="Failed stages" hidden></section>
  <section aria-labelledby="table-heading">
    <h2 id="table-heading">Stage table</h2>
    <div class="table-wrap"><table id="table"></table></div>
  </section>
  <section aria-labelledby="history-heading">
    <h2 id="history-heading">Runs of this pipeline</h2>
    <ol id="history"></ol>
  </section>
</main>`;

export const panelPage = { view: 'run', title: 'Pipewright run', script: 'dist/panel.js', style: 'media/panel.css', body: panelBody };
