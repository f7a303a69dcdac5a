import * as vscode from 'vscode';
import { createLanguageClient } from './client';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Pipewright Language Server', { log: true });
  context.subscriptions.push(log);
  const client = createLanguageClient(context, log);
  context.subscriptions.push(client);
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(`Pipewright: the language server did not start: ${(e as Error).message}`);
  }
}

export function deactivate(): void {}
