import { CodeActionKind, ResponseError, TextDocumentSyncKind, TextDocuments, type Connection, type InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DslHost } from '../dsl';
import { nodeHost } from '../dsl/host-node';
import { Analyzer, type Analysis } from './analysis';
import { codeActions } from './code-actions';
import { codeLenses } from './code-lens';
import { completions } from './completion';
import { DiagnosticsScheduler, diagnosticsOf } from './diagnostics';
import { defaultDocsUrl } from './docs-url';
import { foldingRanges } from './folding';
import { hover } from './hover';
import type { InitializationOptions } from './protocol';
import { prepareRename, rename } from './rename';
import { documentSymbols } from './symbols';

export interface ServerOptions {
  /** PATH, file and environment look-ups (default: this machine, environment as at start). */
  host?: DslHost;
  docsUrl?: string;
  diagnosticsDelayMs?: number;
}

const defaultDelayMs = 50;

/**
 * The Pipewright language server on a connection: diagnostics, completion, hover, outline, code
 * actions, code lenses, rename and folding for `*.pipeline.yaml`. Reads documents and looks up
 * files and programs; never runs anything. Returns the connection, ready to `listen()`.
 */
export function createServer(connection: Connection, options: ServerOptions = {}): Connection {
  const host = options.host ?? nodeHost({ ...process.env });
  const analyzer = new Analyzer(host);
  const documents = new TextDocuments(TextDocument);
  let docsUrl = options.docsUrl ?? defaultDocsUrl();
  let delayMs = options.diagnosticsDelayMs ?? defaultDelayMs;
  let snippets = false;

  /** Runs a handler; a bug in one feature logs and answers `fallback` instead of taking the server down. */
  function guard<T>(what: string, fallback: T, run: () => T): T {
    try {
      return run();
    } catch (e) {
      if (e instanceof ResponseError) throw e; // a deliberate answer, e.g. "not a valid stage name"
      connection.console.error(`pipewright: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  }

  function withAnalysis<T>(uri: string, what: string, fallback: T, run: (a: Analysis) => T): T {
    return guard(what, fallback, () => {
      const document = documents.get(uri);
      return document ? run(analyzer.get(document)) : fallback;
    });
  }

  function publish(uri: string): void {
    guard('diagnostics', undefined, () => {
      const document = documents.get(uri);
      if (!document) return;
      const analysis = analyzer.get(document);
      void connection.sendDiagnostics({ uri, version: analysis.version, diagnostics: diagnosticsOf(analysis, docsUrl) });
    });
  }

  const scheduler = new DiagnosticsScheduler(() => delayMs, publish);
  const justOpened = new Set<string>();

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof init.docsUrl === 'string' && init.docsUrl !== '') docsUrl = init.docsUrl;
    if (typeof init.diagnosticsDelayMs === 'number' && init.diagnosticsDelayMs >= 0) delayMs = init.diagnosticsDelayMs;
    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['{', ':', ','] },
        hoverProvider: true,
        documentSymbolProvider: { label: 'Pipeline' },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        codeLensProvider: { resolveProvider: false },
        renameProvider: { prepareProvider: true },
        foldingRangeProvider: true,
      },
      serverInfo: { name: 'pipewright', version: typeof PIPEWRIGHT_VERSION === 'string' ? PIPEWRIGHT_VERSION : 'dev' },
    };
  });

  // A document just opened is checked at once; edits are debounced.
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    publish(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return;
    scheduler.schedule(e.document.uri);
  });
  documents.onDidClose((e) => {
    const { uri } = e.document;
    scheduler.cancel(uri);
    justOpened.delete(uri);
    analyzer.forget(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  // A file or program appeared or went away: what `file-not-found` and `command-not-found` said may
  // have changed, though no document did. (Clients send this for the watchers they register.)
  connection.onDidChangeWatchedFiles(() => {
    guard('watched files', undefined, () => {
      for (const document of documents.all()) {
        analyzer.forget(document.uri);
        scheduler.schedule(document.uri);
      }
    });
  });

  connection.onCompletion((p) => withAnalysis(p.textDocument.uri, 'completion', [], (a) => completions(a, p.position, { snippets, env: host.env })));
  connection.onHover((p) => withAnalysis(p.textDocument.uri, 'hover', null, (a) => hover(a, p.position, host.env)));
  connection.onDocumentSymbol((p) => withAnalysis(p.textDocument.uri, 'document symbols', [], documentSymbols));
  connection.onCodeAction((p) => withAnalysis(p.textDocument.uri, 'code actions', [], (a) => codeActions(a, p)));
  connection.onCodeLens((p) => withAnalysis(p.textDocument.uri, 'code lenses', [], codeLenses));
  connection.onPrepareRename((p) => withAnalysis(p.textDocument.uri, 'prepare rename', null, (a) => prepareRename(a, p.position)));
  connection.onRenameRequest((p) => withAnalysis(p.textDocument.uri, 'rename', null, (a) => rename(a, p.position, p.newName)));
  connection.onFoldingRanges((p) => withAnalysis(p.textDocument.uri, 'folding ranges', [], foldingRanges));
  connection.onShutdown(() => scheduler.dispose());

  documents.listen(connection);
  return connection;
}

declare const PIPEWRIGHT_VERSION: string;
