import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './client';
import { ComparePanel } from './compare/view';
import { registerCommands } from './commands';
import { settings } from './config';
import { Commands } from './command-ids';
import { InlineStats } from './inline-stats';
import { registerOnboarding } from './onboarding';
import { RunPanel } from './panel/panel';
import { showRunProgress } from './progress';
import type { RunModel } from './run-model';
import { registerRecordCommands } from './records/commands';
import { RecordsPanel } from './records/view';
import { RunStore } from './run-store';
import { RunStatusBar } from './status-bar';
import { RunNode, StageNode, StageTreeProvider } from './stage-tree';
import { PipewrightTaskProvider, taskType } from './tasks';

/** What the extension gives other extensions (and its end-to-end tests). */
export interface PipewrightApi {
  runs(): RunModel[];
  readonly onDidEndRun: vscode.Event<RunModel>;
  /** Fires with a run at each refresh of the views while it changes (a few times a second). */
  readonly onDidChangeRun: vscode.Event<RunModel>;
  /** The records text the output panel shows for a run. */
  shownRecords: (run: RunModel) => string;
  readonly tree: StageTreeProvider;
  readonly panel: RunPanel;
  readonly records: RecordsPanel;
  readonly compare: ComparePanel;
  /** Resolves once the language server is up. */
  readonly serverReady: Promise<void>;
}

export function activate(context: vscode.ExtensionContext): PipewrightApi {
  const log = vscode.window.createOutputChannel('Pipewright Language Server', { log: true });
  const failures = vscode.languages.createDiagnosticCollection('pipewright-run');
  // Runs' whole outputs (Save All, records of earlier runs): the workspace's storage, else the global one.
  const spillDir = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'runs').fsPath;
  const store = new RunStore(failures, context.workspaceState, spillDir);
  const tree = new StageTreeProvider(store);
  const panel = new RunPanel(store, context.extensionUri);
  // Several runs can be selected: two of them compare (Compare Runs).
  const treeView = vscode.window.createTreeView('pipewright.stages', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const client: LanguageClient = createLanguageClient(context, log);
  const records = new RecordsPanel(store, context.extensionUri);
  const compare = new ComparePanel(store, context.extensionUri, records);
  context.subscriptions.push(
    log,
    failures,
    store,
    tree,
    client,
    treeView,
    panel,
    records,
    compare,
    // A failed run says why in one place: the stage, its exit, its last stderr lines.
    store.onDidFail(({ model, failure }) => {
      const log = 'Show Log';
      const go = 'Go to Stage';
      void vscode.window.showErrorMessage(`Pipewright: ${failure.headline}`, log, go).then((choice) => {
        if (choice === log) store.logChannel(model).show(true);
        if (choice === go) void vscode.commands.executeCommand(Commands.revealStage, { runId: model.id, index: failure.stage.index });
      });
    }),
    // A new run is at the top of the view, and in sight.
    store.onDidStart((model) => {
      if (treeView.visible) void treeView.reveal(tree.runNode(model), { select: false, focus: false, expand: true });
    }),
    new RunStatusBar(store),
    new InlineStats(store, () => settings().inlineStats),
    vscode.tasks.registerTaskProvider(taskType, new PipewrightTaskProvider(context.asAbsolutePath('dist/cli.cjs'))),
    store.onDidStart((model) => showRunProgress(store, model)),
    // For menus: Stop shows only while something runs.
    store.onDidChange(() => void vscode.commands.executeCommand('setContext', 'pipewright.running', store.running().length > 0)),
    store.onDidEnd(() => void vscode.commands.executeCommand('setContext', 'pipewright.running', store.running().length > 0)),
    ...registerCommands(
      store,
      panel,
      records,
      compare,
      () => client.restart(),
      () => {
        const [node] = treeView.selection;
        return node instanceof RunNode || node instanceof StageNode ? node.model : undefined;
      },
    ),
    ...registerRecordCommands(store),
    ...registerOnboarding(),
  );
  // Commands work while the server starts (or if it cannot): runs need only the engine.
  const serverReady = client.start().catch((e: unknown) => {
    log.error(`the language server did not start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(
      `Pipewright: the language server did not start (${(e as Error).message}). Running pipelines still works; see the "Pipewright Language Server" output.`,
    );
  });
  const onDidChangeRun: vscode.Event<RunModel> = (listener, thisArg, disposables) =>
    store.onDidChange(
      (c) => {
        listener.call(thisArg, c.model);
      },
      undefined,
      disposables,
    );
  return {
    runs: () => store.runs(),
    onDidEndRun: store.onDidEnd,
    onDidChangeRun,
    shownRecords: (m) => store.shownRecords(m),
    tree,
    panel,
    records,
    compare,
    serverReady,
  };
}

export function deactivate(): void {}
