// The records view's page: its markup inside the shared webview shell (../webview/html.ts). No vscode here.

export const recordsPage = {
  view: 'records',
  title: 'Pipewright records',
  script: 'dist/records.js',
  style: 'media/records.css',
  body: `
<p id="empty">No records to show yet.</p>
<main id="records" hidden>
  <header>
    <h1 id="title"></h1>
    <span id="state" class="badge"></span>
    <span id="summary"></span>
    <span class="actions">
      <button id="latest" hidden>Show the latest run</button>
      <button id="save" class="primary">Save all records…</button>
    </span>
  </header>
  <div class="controls">
    <input id="search" type="search" placeholder="Filter: words, column:word, or an expression such as r.status >= 500" aria-label="Filter the records" aria-describedby="filter-error">
    <span id="selection" role="radiogroup" aria-label="Which records"></span>
    <span id="count" role="status"></span>
  </div>
  <p id="filter-error" role="alert" hidden></p>
  <p id="note"></p>
  <div id="scroller" tabindex="-1"><table id="table" aria-label="Records"><thead></thead><tbody></tbody></table></div>
</main>`,
};
