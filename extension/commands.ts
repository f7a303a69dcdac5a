import * as path from 'node:path';
import * as vscode from 'vscode';
import { check } from '../dsl';
import { nodeHost } from '../dsl/host-node';
import { Commands } from './command-ids';
import { edgeUri } from './edge-view';
import type { RunModel } from './run-model';
import type { RunStore } from './run-store';
import { RunNode, StageNode, type TreeNode } from './stage-tree';
import { mayRun } from './trust';

const pipelineGlob = '**/*.pipeline.{yaml,yml}';

function isPipeline(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return doc !== undefined && (doc.languageId === 'pipewright' || /\.pipeline\.ya?ml$/.test(doc.fileName));
}

/** The file to run: the argument (a lens passes a URI string), the active pipeline, or a pick. */
async function pickPipeline(arg: unknown): Promise<vscode.Uri | undefined> {
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  if (arg instanceof vscode.Uri) return arg;
  if (arg instanceof RunNode || arg instanceof StageNode) return vscode.Uri.file(arg.model.file);
  const active = vscode.window.activeTextEditor?.document;
  if (isPipeline(active)) return active.uri;
  const files = await vscode.workspace.findFiles(pipelineGlob, '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('Pipewright: no *.pipeline.yaml file in this workspace.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: 'Pipeline to run' },
  );
  return picked?.uri;
}

/** Stage names as the dsl model gives them (the same names the engine and the lenses use). */
async function pickStage(uri: vscode.Uri, placeHolder: string): Promise<string | undefined> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const { pipeline } = check(doc.getText(), { file: uri.fsPath, host: nodeHost() });
  return vscode.window.showQuickPick(
    pipeline.stages.map((s) => s.name),
    { placeHolder },
  );
}

/** The stage a command is about: its argument, the tree node it was invoked on, or a pick. */
async function stageArg(uri: vscode.Uri, arg: unknown, stage: unknown, placeHolder: string): Promise<string | undefined> {
  if (typeof stage === 'string') return stage;
  if (arg instanceof StageNode) return arg.stage?.name;
  return pickStage(uri, placeHolder);
}

/**
 * The run a command is about: the tree node it was invoked on, else the run of the active
 * pipeline file, else the only candidate, else the user picks.
 */
async function pickRun(arg: unknown, among: RunModel[]): Promise<RunModel | undefined> {
  if (arg instanceof RunNode || arg instanceof StageNode) return arg.model;
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const ofActive = among.find((m) => m.file === active);
  if (ofActive) return ofActive;
  if (among.length <= 1) return among[0];
  const picked = await vscode.window.showQuickPick(
    among.map((m) => ({ label: m.pipelineName, description: `${m.state} · ${vscode.workspace.asRelativePath(m.file)}`, m })),
    { placeHolder: 'Which run?' },
  );
  return picked?.m;
}

export function registerCommands(store: RunStore, restartServer: () => Promise<void>): vscode.Disposable[] {
  const start = async (uri: vscode.Uri, to?: string, tap?: string[]) => {
    if (!mayRun()) return undefined;
    return store.start({ uri, ...(to === undefined ? {} : { to }), ...(tap === undefined ? {} : { tap }) });
  };
  return [
    vscode.commands.registerCommand(Commands.runPipeline, async (arg?: unknown) => {
      const uri = await pickPipeline(arg);
      return uri && start(uri);
    }),
    vscode.commands.registerCommand(Commands.runToStage, async (arg?: unknown, stage?: unknown) => {
      const uri = await pickPipeline(arg);
      if (!uri) return undefined;
      const name = await stageArg(uri, arg, stage, 'Run up to and including this stage');
      return name === undefined ? undefined : start(uri, name);
    }),
    vscode.commands.registerCommand(Commands.inspectEdge, async (arg?: unknown, stage?: unknown) => {
      const uri = await pickPipeline(arg);
      const name = uri && (await stageArg(uri, arg, stage, 'Inspect the records this stage writes'));
      if (!uri || name === undefined) return undefined;
      // A run that already taps this edge is shown; otherwise the pipeline runs with it tapped.
      const latest = store.latestOf(uri.fsPath);
      const model = latest?.running && store.isTapped(latest, name) ? latest : mayRun() ? await store.start({ uri, tap: [name] }) : undefined;
      if (!model) return undefined;
      const doc = await vscode.workspace.openTextDocument(edgeUri(model, name));
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
      return model;
    }),
    vscode.commands.registerCommand(Commands.stop, async (arg?: TreeNode) => {
      const model = await pickRun(arg, store.running());
      if (model) store.stop(model.id);
      else if (store.running().length === 0) void vscode.window.showInformationMessage('Pipewright: no pipeline is running.');
      return model;
    }),
    vscode.commands.registerCommand(Commands.rerun, async (arg?: TreeNode) => {
      const runs = store.runs();
      const model = arg instanceof RunNode || arg instanceof StageNode ? arg.model : runs.at(-1);
      const request = model && store.requestOf(model);
      if (!request) {
        void vscode.window.showInformationMessage('Pipewright: nothing has run yet.');
        return undefined;
      }
      return start(request.uri, request.to, request.tap);
    }),
    vscode.commands.registerCommand(Commands.showRecords, async (arg?: TreeNode) => {
      const model = await pickRun(arg, store.runs());
      if (model) store.recordsChannel(model).show(true);
    }),
    vscode.commands.registerCommand(Commands.showStageLog, async (arg?: TreeNode) => {
      const model = await pickRun(arg, store.runs());
      if (model) store.logChannel(model).show(true);
    }),
    vscode.commands.registerCommand(Commands.restartServer, restartServer),
  ];
}
