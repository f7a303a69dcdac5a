import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  MessageType,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type DiagnosticServerCancellationData,
  type DocumentDiagnosticReport,
  type InitializeResult,
  ShowMessageNotification,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DslHost, Pipeline } from '../dsl';
import { nodeHost } from '../dsl/host-node';
import { Analyzer, type Analysis } from './analysis';
import { codeActions, deferredOf, resolveCodeAction } from './code-actions';
import { codeLenses } from './code-lens';
import { completions } from './completion';
import { DiagnosticsScheduler, diagnosticsOf } from './diagnostics';
import { defaultDocsUrl } from './docs-url';
import { foldingRanges } from './folding';
import { hover } from './hover';
import type { InitializationOptions } from './protocol';
import { formatting } from './formatting';
import { documentLinks } from './links';
import { definition, prepareRename, references, rename } from './rename';
import { selectionRange } from './selection';
import { semanticTokens, semanticTokensLegend } from './semantic-tokens';
import { documentSymbols } from './symbols';
import { FileWatchers } from './watch';

export interface ServerOptions {
  /** PATH, file and environment look-ups (default: this machine, environment as at start). */
  host?: DslHost;
  docsUrl?: string;
  diagnosticsDelayMs?: number;
}

const defaultDelayMs = 50;

/**
 * The Pipewright language server on a connection: diagnostics (pushed, or pulled by clients that
 * can), completion, hover, outline, verified quick fixes, code lenses, rename, definition and
 * references (stage names, YAML anchors), formatting, selection ranges, folding, document links
 * and semantic tokens for `*.pipeline.yaml`. Reads documents and looks up
 * files and programs; never runs anything. Returns the connection, ready to `listen()`.
 */
export function createServer(connection: Connection, options: ServerOptions = {}): Connection {
  const host = options.host ?? nodeHost({ ...process.env });
  const analyzer = new Analyzer(host);
  const documents = new TextDocuments(TextDocument);
  let docsUrl = options.docsUrl ?? defaultDocsUrl();
  let delayMs = options.diagnosticsDelayMs ?? defaultDelayMs;
  let snippets = false;
  /** The client resolves a code action's edit when it is picked (a big file's actions come without one). */
  let resolvesEdits = false;
  /** The most folding ranges the client wants of a document. */
  let foldingLimit = Infinity;
  /** The client pulls diagnostics (`textDocument/diagnostic`); otherwise they are pushed. */
  let pull = false;
  let refreshSupport = false;
  let watchers: FileWatchers | undefined;

  /** Runs a handler; a bug in one feature logs and answers `fallback` instead of taking the server down. */
  function guard<T>(what: string, fallback: T, run: () => T): T {
    try {
      return run();
    } catch (e) {
      if (e instanceof ResponseError) throw e; // a deliberate answer, e.g. "not a valid stage name"
      logFailure(what, e);
      return fallback;
    }
  }

  function logFailure(what: string, e: unknown): void {
    try {
      connection.console.error(`pipewright: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } catch {
      // The connection is gone (a debounced check fired after the client left): nobody to tell.
    }
  }

  /** A feature that keeps the server this long from everything else (typing's diagnostics among it) is logged. */
  const slowFeatureMs = 250;

  /** The version of a document the server has now. */
  const versionOf = (uri: string) => documents.get(uri)?.version;

  /**
   * Answers a request from the analysis of the document's current version, checked in steps (shared with
   * the diagnostics' check of that version, see `Analyzer.check`); `fallback` when a newer version arrived
   * meanwhile (the client asks again for that one) or the handler fails.
   */
  async function withAnalysis<T>(uri: string, what: string, fallback: T, run: (a: Analysis) => T): Promise<T> {
    const document = documents.get(uri);
    if (!document) return fallback;
    let analysis: Analysis | undefined;
    try {
      analysis = await analyzer.check(document, () => versionOf(uri));
    } catch (e) {
      logFailure(what, e);
    }
    if (!analysis) return fallback;
    watchers?.update(analyzer.lookedAt());
    const checked = analysis;
    return timed(what, uri, checked.result.pipeline, checked.text, () => guard(what, fallback, () => run(checked)));
  }

  /** Runs a feature; every other message waits meanwhile, so one that held the server up says so, and on how big a file. */
  function timed<T>(what: string, uri: string, pipeline: Pipeline, text: string, run: () => T): T {
    const started = performance.now();
    const answer = run();
    const took = performance.now() - started;
    if (took >= slowFeatureMs) {
      const size = `${pipeline.stages.length} stages, ${(text.length / 1e6).toFixed(1)} MB`;
      connection.console.warn(`pipewright: ${what} of ${uri} took ${Math.round(took)} ms (${size})`);
    }
    return answer;
  }

  /** Per document, how many changes have arrived: a publication waits until a burst of them has been read. */
  const changes = new Map<string, number>();
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  /**
   * Checks the document's current version in steps (answering other messages in between) and
   * publishes its diagnostics, unless a newer version arrived meanwhile: that one's check is
   * scheduled and publishes instead, so what is published is always the newest version.
   */
  async function publish(uri: string): Promise<void> {
    if (pull || !documents.get(uri)) return;
    const analysis = await withAnalysis(uri, 'diagnostics', undefined, (a) => a);
    if (!analysis) return;
    // Changes already received but not yet read (the connection reads one message a turn) would make this stale.
    for (let seen = -1; seen !== changes.get(uri);) {
      seen = changes.get(uri) ?? 0;
      await nextTurn();
    }
    if (versionOf(uri) !== analysis.version) return;
    guard('diagnostics', undefined, () => {
      void connection.sendDiagnostics({ uri, version: analysis.version, diagnostics: diagnosticsOf(analysis, docsUrl) });
    });
  }

  const scheduler = new DiagnosticsScheduler(
    () => delayMs,
    (uri) => void publish(uri),
  );
  const justOpened = new Set<string>();

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof init.docsUrl === 'string' && init.docsUrl !== '') docsUrl = init.docsUrl;
    if (typeof init.diagnosticsDelayMs === 'number' && init.diagnosticsDelayMs >= 0) delayMs = init.diagnosticsDelayMs;
    const { textDocument, workspace } = params.capabilities;
    snippets = textDocument?.completion?.completionItem?.snippetSupport === true;
    resolvesEdits = textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true;
    foldingLimit = textDocument?.foldingRange?.rangeLimit ?? Infinity;
    pull = textDocument?.diagnostic !== undefined;
    refreshSupport = workspace?.diagnostics?.refreshSupport === true;
    if (workspace?.didChangeWatchedFiles?.dynamicRegistration === true) {
      watchers = new FileWatchers(connection, workspace.didChangeWatchedFiles.relativePatternSupport === true);
    }
    return {
      capabilities: {
        ...(pull ? { diagnosticProvider: { identifier: 'pipewright', interFileDependencies: false, workspaceDiagnostics: false } } : {}),
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: ['{', ':', ','] },
        hoverProvider: true,
        documentSymbolProvider: { label: 'Pipeline' },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite], resolveProvider: resolvesEdits },
        codeLensProvider: { resolveProvider: false },
        renameProvider: { prepareProvider: true },
        foldingRangeProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        selectionRangeProvider: true,
        documentLinkProvider: { resolveProvider: false },
        semanticTokensProvider: { legend: semanticTokensLegend, full: true },
      },
      serverInfo: { name: 'pipewright', version: typeof PIPEWRIGHT_VERSION === 'string' ? PIPEWRIGHT_VERSION : 'dev' },
    };
  });

  // A document just opened is checked at once; edits are debounced.
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    void publish(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    changes.set(e.document.uri, (changes.get(e.document.uri) ?? 0) + 1);
    if (justOpened.delete(e.document.uri)) return;
    scheduler.schedule(e.document.uri);
  });
  documents.onDidClose((e) => {
    const { uri } = e.document;
    scheduler.cancel(uri);
    justOpened.delete(uri);
    changes.delete(uri);
    analyzer.close(uri);
    watchers?.update(analyzer.lookedAt());
    if (!pull) void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  // A file or folder that a check looked at appeared, changed or went away: what `file-not-found`
  // said may have changed though no document did. Only the documents whose checks looked at it are
  // checked again (the watchers registered above; the VS Code client also sends pipeline files).
  connection.onDidChangeWatchedFiles((params) => {
    guard('watched files', undefined, () => {
      const paths = new Set(params.changes.map((c) => (c.uri.startsWith('file:') ? fileURLToPath(c.uri) : c.uri)));
      const affected = analyzer.affectedBy(paths);
      for (const uri of affected) analyzer.forget(uri);
      if (pull && affected.length > 0 && refreshSupport) void connection.languages.diagnostics.refresh();
      if (!pull) for (const uri of affected) scheduler.schedule(uri);
    });
  });

  // A pull answered for a version that a newer one replaced while it was being checked says so (LSP's ServerCancelled),
  // and the client asks again: an empty report would clear the problems on screen until it did.
  connection.languages.diagnostics.on(async (p): Promise<DocumentDiagnosticReport> => {
    const version = versionOf(p.textDocument.uri);
    const items = await withAnalysis(p.textDocument.uri, 'diagnostics', undefined, (a) => diagnosticsOf(a, docsUrl));
    if (items) return { kind: DocumentDiagnosticReportKind.Full, items };
    // Closed, or the feature failed (logged): nothing to show.
    if (version === undefined || versionOf(p.textDocument.uri) === version) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    throw new ResponseError(LSPErrorCodes.ServerCancelled, 'A newer version of the document arrived while it was checked; ask again.', {
      retriggerRequest: true,
    } satisfies DiagnosticServerCancellationData);
  });

  // Completion answers from the newest analysis there is (its stage model) and the current text (its lines): right
  // after an edit of a big file it must not wait for that edit's check, which the diagnostics run after a pause.
  connection.onCompletion((p) =>
    guard('completion', [], () => {
      const document = documents.get(p.textDocument.uri);
      if (!document) return [];
      const pipeline = analyzer.latestPipeline(document);
      return timed('completion', document.uri, pipeline, document.getText(), () => completions(document, pipeline, p.position, { snippets, env: host.env }));
    }),
  );
  connection.onHover((p) => withAnalysis(p.textDocument.uri, 'hover', null, (a) => hover(a, p.position, host.env)));
  connection.onDocumentSymbol((p) => withAnalysis(p.textDocument.uri, 'document symbols', [], documentSymbols));
  connection.onCodeAction((p) => withAnalysis(p.textDocument.uri, 'code actions', [], (a) => codeActions(a, p, resolvesEdits)));
  // An action of a big file offered without its edit (code-actions.ts): made and checked now that it is picked.
  connection.onCodeActionResolve(async (action) => {
    const deferred = deferredOf(action);
    if (!deferred) return action;
    const resolved = await withAnalysis(deferred.uri, 'code action', undefined, (a) => resolveCodeAction(a, action, deferred));
    if (resolved && 'action' in resolved) return resolved.action;
    const why = resolved?.refused ?? `${deferred.title}: the file changed since it was offered; ask for it again`;
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `Pipewright: ${why}` });
    return action;
  });
  connection.onCodeLens((p) => withAnalysis(p.textDocument.uri, 'code lenses', [], codeLenses));
  connection.onPrepareRename((p) => withAnalysis(p.textDocument.uri, 'prepare rename', null, (a) => prepareRename(a, p.position)));
  connection.onRenameRequest((p) => withAnalysis(p.textDocument.uri, 'rename', null, (a) => rename(a, p.position, p.newName)));
  connection.onFoldingRanges((p) => withAnalysis(p.textDocument.uri, 'folding ranges', [], (a) => foldingRanges(a, foldingLimit)));
  connection.onDefinition((p) => withAnalysis(p.textDocument.uri, 'definition', null, (a) => definition(a, p.position)));
  connection.onReferences((p) => withAnalysis(p.textDocument.uri, 'references', [], (a) => references(a, p.position, p.context.includeDeclaration)));
  connection.onDocumentFormatting((p) => withAnalysis(p.textDocument.uri, 'formatting', [], (a) => formatting(a)));
  connection.onDocumentRangeFormatting((p) => withAnalysis(p.textDocument.uri, 'range formatting', [], (a) => formatting(a, p.range)));
  connection.onSelectionRanges((p) =>
    withAnalysis(p.textDocument.uri, 'selection ranges', [], (a) => p.positions.map((position) => selectionRange(a, position))),
  );
  connection.onDocumentLinks((p) => withAnalysis(p.textDocument.uri, 'document links', [], (a) => documentLinks(a, host)));
  connection.languages.semanticTokens.on((p) => withAnalysis(p.textDocument.uri, 'semantic tokens', { data: [] }, semanticTokens));
  connection.onShutdown(() => scheduler.dispose());

  documents.listen(connection);
  return connection;
}

declare const PIPEWRIGHT_VERSION: string;
