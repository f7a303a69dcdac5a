import * as path from 'node:path';
import * as vscode from 'vscode';

export function workspacePath(relative: string): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!root) throw new Error('the e2e tests need a workspace folder');
  return path.join(root, relative);
}

export async function openPipeline(relative: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(workspacePath(relative));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/**
 * Resolves with the diagnostics of `uri` once the language server has published them and
 * `accept` agrees; waits on diagnostic change events, never on time.
 */
export async function waitForDiagnostics(
  uri: vscode.Uri,
  accept: (d: readonly vscode.Diagnostic[]) => boolean,
  timeoutMs = 30_000,
): Promise<readonly vscode.Diagnostic[]> {
  const current = vscode.languages.getDiagnostics(uri);
  if (accept(current)) return current;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no accepted diagnostics for ${uri.fsPath} within ${timeoutMs} ms; last: ${JSON.stringify(vscode.languages.getDiagnostics(uri))}`));
    }, timeoutMs);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (!e.uris.some((u) => u.toString() === uri.toString())) return;
      const d = vscode.languages.getDiagnostics(uri);
      if (accept(d)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(d);
      }
    });
  });
}
