// The Compare view's page: its markup inside the shared webview shell (../webview/html.ts). No vscode here.

export const comparePage = {
  view: 'compare',
  title: 'Pipewright compare',
  script: 'dist/compare.js',
  style: 'media/compare.css',
  body: `
<p id="empty">Nothing to compare yet.</p>
<main id="compare" hidden>
  <header>
    <h1 id="title"></h1>
    <span class="actions">
      <button id="swap" title="Compare the other way round">Swap</button>
    </span>
  </header>
  <div class="runs">
    <button id="run-a" class="run" data-key="run-a"></button>
    <span aria-hidden="true">→</span>
    <button id="run-b" class="run" data-key="run-b"></button>
  </div>
  <section aria-labelledby="stages-heading">
    <h2 id="stages-heading">Stages</h2>
    <ul id="headline"></ul>
    <div class="table-wrap"><table id="stages"></table></div>
    <p id="stats-why" hidden></p>
  </section>
  <section aria-labelledby="edges-heading" id="edges-section">
    <h2 id="edges-heading">Edges</h2>
    <div class="table-wrap"><table id="edges"></table></div>
  </section>
  <section aria-labelledby="records-heading">
    <h2 id="records-heading">Records</h2>
    <form id="key-form" class="controls">
      <label for="key">Match records by</label>
      <input id="key" list="keys" placeholder="whole lines (or a field: id, user.id)" aria-describedby="records-status">
      <datalist id="keys"></datalist>
      <button id="key-go" type="submit">Compare records</button>
    </form>
    <p id="records-status" role="status"></p>
    <div id="records-diff"></div>
  </section>
</main>`,
};
