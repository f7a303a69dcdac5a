// The run panel's page: a strict Content-Security-Policy (nothing but the extension's own
// script, by nonce, and stylesheet), no remote resources, no inline styles. No vscode here.
import { randomBytes } from 'node:crypto';

export interface PanelPage {
  /** webview.cspSource: where the webview may load the extension's files from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export function panelHtml({ cspSource, scriptUri, styleUri, nonce = randomBytes(18).toString('base64') }: PanelPage): string {
  const csp = [`default-src 'none'`, `style-src ${cspSource}`, `img-src ${cspSource}`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>Pipewright run</title>
</head>
<body>
<p id="empty">No run to show yet: run a pipeline (▶ Run pipeline above <code>stages:</code>).</p>
<main id="run" hidden>
  <header>
    <h1 id="title"></h1>
    <span id="state" class="badge"></span>
    <span id="summary"></span>
    <span class="actions">
      <button id="pin" aria-pressed="false"></button>
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
</main>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>
`;
}
