import * as vscode from 'vscode';
import type { InitializationOptions } from '../server/protocol';
import { dslDocsUrl } from './docs-link';
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
    // Problem codes link to the rendered reference, not to a markdown file shown as text.
    initializationOptions: { docsUrl: dslDocsUrl } satisfies InitializationOptions,
    // Pipeline files only; the server registers watchers for the files and folders its checks
    // looked at (data files, working directories), so file-not-found follows the disk.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.pipeline.{yaml,yml}') },
  };
  return new LanguageClient('pipewright', 'Pipewright Language Server', serverOptions, clientOptions);
}
