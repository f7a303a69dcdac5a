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
