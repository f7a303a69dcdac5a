import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/**
 * The language client. The server runs on the extension host's own Node (`process.execPath`,
 * via IPC): the host's PATH may not have a `node`. The client restarts it if it crashes.
 */
export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.cjs');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'pipewright', scheme: 'file' },
      { language: 'pipewright', scheme: 'untitled' },
    ],
    outputChannel: log,
    // Files appearing or going away change file-not-found and command-not-found problems.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*') },
  };
  return new LanguageClient('pipewright', 'Pipewright Language Server', serverOptions, clientOptions);
}
