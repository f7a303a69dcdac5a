// Sets up a webview panel the way every Pipewright view does: scripts allowed from the
// extension's own bundle only, files only from dist/ and media/, the shared shell and theme.
import * as vscode from 'vscode';
import { webviewHtml } from './html';

export interface PageSpec {
  /** `<body data-view>` (see html.ts). */
  view: string;
  title: string;
  /** The browser bundle under dist/ (scripts/build.ts builds it). */
  script: string;
  /** The view's own stylesheet under media/, after the shared media/webview.css. */
  style: string;
  body: string;
}

export function setUpWebview(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, spec: PageSpec): void {
  const web = panel.webview;
  web.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media/pipewright.svg');
  const uri = (p: string) => web.asWebviewUri(vscode.Uri.joinPath(extensionUri, p)).toString();
  web.html = webviewHtml({
    cspSource: web.cspSource,
    scriptUri: uri(spec.script),
    styleUris: [uri('media/webview.css'), uri(spec.style)],
    view: spec.view,
    title: spec.title,
    body: spec.body,
  });
}

/**
 * Takes a view's panel: sets up its page, hands its messages to `receive`, redraws it with
 * `shown` when it is visible again (hidden webviews are torn down, their state kept), and calls
 * `disposed` once it is closed, after dropping these subscriptions.
 */
export function adoptWebview<M>(
  panel: vscode.WebviewPanel,
  extensionUri: vscode.Uri,
  spec: PageSpec,
  on: { receive: (m: M) => void; shown: () => void; disposed: () => void },
): void {
  setUpWebview(panel, extensionUri, spec);
  const subscriptions = [
    panel.webview.onDidReceiveMessage(on.receive),
    panel.onDidChangeViewState(() => {
      if (panel.visible) on.shown();
    }),
    panel.onDidDispose(() => {
      for (const s of subscriptions) s.dispose();
      on.disposed();
    }),
  ];
}

/**
 * Where a Pipewright view opens: in the column of one already open (the run panel and the records
 * view share one, as tabs), else beside the active editor. Plain `Beside` from one of the views
 * (the user clicked in it, then asked for the other) would add a column each time.
 */
export function viewColumn(viewTypes: readonly string[]): vscode.ViewColumn {
  for (const group of vscode.window.tabGroups.all)
    for (const tab of group.tabs) {
      // A webview tab's viewType carries a prefix of VS Code's own (`mainThreadWebview-…`).
      if (tab.input instanceof vscode.TabInputWebview && viewTypes.some((t) => (tab.input as vscode.TabInputWebview).viewType.endsWith(t)))
        return group.viewColumn;
    }
  return vscode.ViewColumn.Beside;
}
