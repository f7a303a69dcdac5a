import * as path from 'node:path';
import * as vscode from 'vscode';
import { check } from '../dsl';
import { nodeHost } from '../dsl/host-node';
import { formatCount, formatDuration, plural } from '../engine/format';
import { chromeTrace } from '../engine/trace';
import { Commands } from './command-ids';
import type { ComparePanel } from './compare/view';
import { clockTime } from './history';
import type { RunPanel } from './panel/panel';
import type { RecordsPanel } from './records/view';
import type { RunModel } from './run-model';
import type { RunStore } from './run-store';
import { saveTarget } from './save-target';
import { RunNode, StageNode, type TreeNode } from './stage-tree';
import { mayRun } from './trust';

const pipelineGlob = '**/*.pipeline.{yaml,yml}';

function isPipeline(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return doc !== undefined && (doc.languageId === 'pipewright' || /\.pipeline\.ya?ml$/.test(doc.fileName));
}

/** Every pipeline file of the workspace, each once (the glob's two extensions may overlap), by path. */
async function pipelineFiles(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(pipelineGlob, '**/node_modules/**', 500);
  const unique = new Map(found.map((u) => [u.toString(), u]));
  return [...unique.values()].sort((a, b) => vscode.workspace.asRelativePath(a).localeCompare(vscode.workspace.asRelativePath(b)));
}

/** The file to run: the argument (a lens passes a URI string), the active pipeline, or a pick. */
async function pickPipeline(arg: unknown): Promise<vscode.Uri | undefined> {
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  if (arg instanceof vscode.Uri) return arg;
  if (arg instanceof RunNode || arg instanceof StageNode) return vscode.Uri.file(arg.model.file);
  const active = vscode.window.activeTextEditor?.document;
  if (isPipeline(active)) return active.uri;
  const files = await pipelineFiles();
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

/** The stage the cursor is in, when `uri` is the active editor's file. */
function stageAtCursor(uri: vscode.Uri): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.uri.toString() !== uri.toString()) return undefined;
  const offset = editor.document.offsetAt(editor.selection.active);
  const { pipeline } = check(editor.document.getText(), { file: uri.fsPath, host: nodeHost() });
  return pipeline.stages.find((s) => s.span.start <= offset && offset <= s.span.end)?.name;
}

/** The stage a command is about: its argument, the tree node it was invoked on, the stage under the cursor (if asked), or a pick. */
async function stageArg(uri: vscode.Uri, arg: unknown, stage: unknown, placeHolder: string, atCursor = false): Promise<string | undefined> {
  if (typeof stage === 'string') return stage;
  if (arg instanceof StageNode) return arg.stage?.name;
  return (atCursor ? stageAtCursor(uri) : undefined) ?? pickStage(uri, placeHolder);
}

/**
 * The run a command is about: the tree node it was invoked on, else the run of the active
 * pipeline file, else the only candidate, else the user picks.
 */
async function pickRun(arg: unknown, among: RunModel[]): Promise<RunModel | undefined> {
  if (arg instanceof RunNode || arg instanceof StageNode) return arg.model;
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const ofActive = among.findLast((m) => m.file === active);
  if (ofActive) return ofActive;
  if (among.length <= 1) return among[0];
  const picked = await vscode.window.showQuickPick(
    [...among]
      .reverse()
      .map((m) => ({ label: m.pipelineName, description: `${m.state} · ${clockTime(m.startedAt)} · ${vscode.workspace.asRelativePath(m.file)}`, m })),
    { placeHolder: 'Which run?' },
  );
  return picked?.m;
}

/** A run named by a tree node or by `{ runId }` (the panel's messages). */
function runOf(store: RunStore, arg: unknown): RunModel | undefined {
  if (arg instanceof RunNode || arg instanceof StageNode) return arg.model;
  const id = (arg as { runId?: unknown } | undefined)?.runId;
  return typeof id === 'number' ? store.find(id) : undefined;
}

/**
 * Stop with several runs going asks which one (or all): a click must never silently cancel
 * a run the user did not mean.
 */
async function pickRunning(running: RunModel[]): Promise<RunModel[]> {
  if (running.length <= 1) return running;
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const ordered = [...running].sort((a, b) => Number(b.file === active) - Number(a.file === active) || b.id - a.id);
  const items: (vscode.QuickPickItem & { runs: RunModel[] })[] = ordered.map((m) => ({
    label: m.to ? `${m.pipelineName} → ${m.to}` : m.pipelineName,
    description: `${plural(m.records, 'record', formatCount(m.records))} · ${formatDuration(m.elapsedMs)} · ${vscode.workspace.asRelativePath(m.file)}`,
    runs: [m],
  }));
  items.push({ label: `Stop all ${running.length} runs`, runs: running });
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Several pipelines are running: which one to stop?' });
  return picked?.runs ?? [];
}

/** Shows a stage's line (found by name in the file as it is now) and, if asked, its log. */
async function revealStage(store: RunStore, model: RunModel, index: number, log: boolean): Promise<vscode.TextEditor | undefined> {
  const stage = model.stages[index];
  if (!stage) return undefined;
  const uri = vscode.Uri.file(model.file);
  const doc = await vscode.workspace.openTextDocument(uri);
  const { pipeline } = check(doc.getText(), { file: uri.fsPath, host: nodeHost() });
  const span = pipeline.stages.find((s) => s.name === stage.name)?.headSpan ?? store.spansOf(model.id)?.heads[index];
  const range = span ? new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end)) : new vscode.Range(0, 0, 0, 0);
  const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn ?? vscode.ViewColumn.One;
  const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, selection: range });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  if (log) store.logChannel(model).show(true);
  return editor;
}

/** A quick pick of ended runs, newest first, the runs of `file` on top. */
async function pickEnded(store: RunStore, placeHolder: string, file: string | undefined, except?: RunModel): Promise<RunModel | undefined> {
  const runs = store
    .runs()
    .filter((m) => !m.running && m !== except)
    .sort((x, y) => Number(y.file === file) - Number(x.file === file) || y.id - x.id);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Pipewright: no other ended run to compare with.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((m) => ({
      label: `${m.pipelineName}: run ${m.id}`,
      description: `${m.state} · ${plural(m.records, 'record', formatCount(m.records))} · ${clockTime(m.startedAt)} · ${vscode.workspace.asRelativePath(m.file)}`,
      m,
    })),
    { placeHolder },
  );
  return picked?.m;
}

/** The two runs to compare, earlier first: the two selected in the tree, `{ a, b }` run ids, one named and one picked, or two picked. */
async function pickPair(store: RunStore, arg: unknown, selected: unknown): Promise<[RunModel, RunModel] | undefined> {
  const chosen = Array.isArray(selected) ? selected.filter((n): n is RunNode => n instanceof RunNode).map((n) => n.model) : [];
  if (chosen.length === 2) return chosen[0]!.id < chosen[1]!.id ? [chosen[0]!, chosen[1]!] : [chosen[1]!, chosen[0]!];
  if (chosen.length > 2) {
    void vscode.window.showInformationMessage(`Pipewright: select two runs to compare, not ${chosen.length}.`);
    return undefined;
  }
  const ids = arg as { a?: unknown; b?: unknown } | undefined;
  if (typeof ids?.a === 'number' && typeof ids.b === 'number') {
    const a = store.find(ids.a);
    const b = store.find(ids.b);
    return a && b ? [a, b] : undefined;
  }
  const first = runOf(store, arg) ?? (await pickEnded(store, 'Compare which run?', vscode.window.activeTextEditor?.document.uri.fsPath));
  const second = first && (await pickEnded(store, `Compare run ${first.id} with…`, first.file, first));
  if (!first || !second) return undefined;
  return first.id < second.id ? [first, second] : [second, first];
}

export function registerCommands(
  store: RunStore,
  panel: RunPanel,
  records: RecordsPanel,
  compare: ComparePanel,
  restartServer: () => Promise<void>,
  /** The run selected in the Stages view, if any. */
  selectedRun: () => RunModel | undefined,
): vscode.Disposable[] {
  const start = async (uri: vscode.Uri, to?: string, tap?: string[]) => {
    if (!mayRun()) return undefined;
    return store.start({ uri, to, tap });
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
      const name = uri && (await stageArg(uri, arg, stage, 'Inspect the records this stage writes', true));
      if (!uri || name === undefined) return undefined;
      // A run that already taps this edge is shown; otherwise the pipeline runs with it tapped, once the user agrees.
      const latest = store.latestOf(uri.fsPath);
      let model = latest?.running && store.isTapped(latest, name) ? latest : undefined;
      if (!model) {
        if (!mayRun()) return undefined;
        const go = 'Run and Inspect';
        const answer = await vscode.window.showInformationMessage(
          `Inspect Edge runs ${path.basename(uri.fsPath)} — every stage, as a normal run — with the records after stage "${name}" counted and sampled.`,
          go,
        );
        if (answer !== go) return undefined;
        model = await start(uri, undefined, [name]);
      }
      if (model) await records.show(model, name);
      return model;
    }),
    vscode.commands.registerCommand(Commands.stop, async (arg?: unknown) => {
      const named = runOf(store, arg);
      const running = store.running();
      if (!named && running.length === 0) {
        void vscode.window.showInformationMessage('Pipewright: no pipeline is running.');
        return undefined;
      }
      const models = named ? [named] : await pickRunning(running);
      for (const m of models) store.stop(m.id);
      return models[0];
    }),
    vscode.commands.registerCommand(Commands.rerun, async (arg?: TreeNode) => {
      // The run it was invoked on; else the active editor's pipeline (as it last ran, or plainly);
      // else the run selected in the Stages view; else the newest.
      const active = vscode.window.activeTextEditor?.document;
      const named = arg instanceof RunNode || arg instanceof StageNode ? arg.model : undefined;
      const ofEditor = !named && isPipeline(active) ? (store.latestOf(active.uri.fsPath) ?? active.uri) : undefined;
      const target = named ?? ofEditor ?? selectedRun() ?? store.newest();
      if (target instanceof vscode.Uri) return start(target);
      const request = target && store.requestOf(target);
      if (!request) {
        void vscode.window.showInformationMessage('Pipewright: nothing has run yet.');
        return undefined;
      }
      return start(request.uri, request.to, request.tap);
    }),
    vscode.commands.registerCommand(Commands.showRecords, async (arg?: unknown) => {
      const model = runOf(store, arg) ?? (await pickRun(arg, store.runs()));
      if (model) await records.show(model);
      return model;
    }),
    vscode.commands.registerCommand(Commands.showOutput, async (arg?: TreeNode) => {
      const model = await pickRun(arg, store.runs());
      if (model) store.recordsChannel(model).show(true);
    }),
    vscode.commands.registerCommand(Commands.showStageLog, async (arg?: TreeNode) => {
      const model = await pickRun(arg, store.runs());
      if (model) store.logChannel(model).show(true);
    }),
    vscode.commands.registerCommand(Commands.showRun, (arg?: unknown) => {
      panel.show(runOf(store, arg));
    }),
    vscode.commands.registerCommand(Commands.revealStage, async (arg?: unknown) => {
      const model = runOf(store, arg);
      const index = arg instanceof StageNode ? arg.index : (arg as { index?: unknown } | undefined)?.index;
      if (!model || typeof index !== 'number') return undefined;
      return revealStage(store, model, index, (arg as { log?: unknown }).log === true);
    }),
    vscode.commands.registerCommand(Commands.exportTrace, async (arg?: unknown, target?: unknown) => {
      // From the palette: the run the panel shows, else the latest of the active file, else a pick.
      const model = runOf(store, arg) ?? (panel.visible ? panel.current() : await pickRun(arg, store.runs()));
      if (!model) return undefined;
      const timeline = store.timelineOf(model);
      if (!timeline) {
        void vscode.window.showInformationMessage(`Pipewright: run ${model.id} is from an earlier window; only its summary was kept. Rerun it to trace it.`);
        return undefined;
      }
      const uri = await saveTarget(model, target, '.trace.json', { 'Chrome trace (Perfetto)': ['json'] }, 'Export Trace');
      if (!uri) return undefined;
      const trace = chromeTrace(timeline, { pipeline: model.pipelineName, file: model.file });
      await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(trace)));
      void vscode.window.showInformationMessage(
        `Pipewright: trace of run ${model.id} saved to ${vscode.workspace.asRelativePath(uri)}; open it in ui.perfetto.dev or chrome://tracing.`,
      );
      return uri;
    }),
    vscode.commands.registerCommand(Commands.removeRun, (arg?: unknown) => {
      const model = runOf(store, arg);
      if (model && !model.running) store.remove([model.id]);
    }),
    vscode.commands.registerCommand(Commands.clearHistory, () => {
      store.remove(
        store
          .runs()
          .filter((m) => !m.running)
          .map((m) => m.id),
      );
    }),
    vscode.commands.registerCommand(Commands.compareWithPrevious, async (arg?: unknown) => {
      const model = runOf(store, arg) ?? (await pickRun(arg, store.runs()));
      if (!model) return undefined;
      const previous = store.previousOf(model);
      if (!previous) {
        void vscode.window.showInformationMessage(
          `Pipewright: run ${model.id} is the earliest run of ${path.basename(model.file)} in the history; run it again to compare, or use Compare Runs… to pick another.`,
        );
        return undefined;
      }
      await compare.show(previous, model);
      return [previous, model];
    }),
    vscode.commands.registerCommand(Commands.compareRuns, async (arg?: unknown, selected?: unknown) => {
      const pair = await pickPair(store, arg, selected);
      if (pair) await compare.show(...pair);
      return pair;
    }),
    vscode.commands.registerCommand(Commands.restartServer, restartServer),
  ];
}
