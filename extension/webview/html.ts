// The one page shell every Pipewright webview uses (the run panel, the records view): a strict
// Content-Security-Policy (nothing but the extension's own script, by nonce, and stylesheets),
// no remote resources, no inline styles, the shared theme stylesheet first. No vscode here.
import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  /** webview.cspSource: where the webview may load the extension's files from. */
  cspSource: string;
  scriptUri: string;
  /** Stylesheets in order: the shared theme (media/webview.css), then the view's own. */
  styleUris: string[];
  /** `<body data-view>`: which view this is (the e2e checks find a webview's frame by it). */
  view: string;
  title: string;
  /** The page's static markup; the script fills it in. */
  body: string;
  nonce?: string;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function webviewHtml({ cspSource, scriptUri, styleUris, view, title, body, nonce = randomBytes(18).toString('base64') }: WebviewPage): string {
  const csp = [`default-src 'none'`, `style-src ${cspSource}`, `img-src ${cspSource}`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  const styles = styleUris.map((s) => `<link rel="stylesheet" href="${escapeAttr(s)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${escapeAttr(title)}</title>
</head>
<body data-view="${escapeAttr(view)}">
${body.trim()}
<script nonce="${nonce}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>
`;
}
