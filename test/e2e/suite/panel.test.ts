import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { formatCount } from '../../../engine/format';
import type { ChromeTrace } from '../../../engine/trace';
import type { RunModel } from '../../../extension/run-model';
import type { RunNode, StageNode } from '../../../extension/stage-tree';
import { api, ended, until } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, workspacePath } from './helpers';
import type { PanelDom, PanelReadArgs } from './panel-dom';

async function start(relative: string): Promise<RunModel> {
  const model = await vscode.commands.executeCommand<RunModel | undefined>('pipewright.runPipeline', vscode.Uri.file(workspacePath(relative)).toString());
  assert.ok(model, 'a run started');
  return model;
}

async function read(args: PanelReadArgs): Promise<PanelDom> {
  const answer = await checkpoint(workspacePath(''), 'panel-read', args);
  assert.ok(answer.ok, answer.error);
  return answer.data as PanelDom;
}

/** Resolves when the active editor shows `file` with the cursor on `line` (waits on selection events). */
function cursorOn(file: string, line: number): Promise<vscode.TextEditor> {
  const at = (e: vscode.TextEditor | undefined) => e?.document.uri.fsPath === file && e.selection.start.line === line;
  if (at(vscode.window.activeTextEditor)) return Promise.resolve(vscode.window.activeTextEditor!);
  return new Promise((resolve) => {
    const subs = [vscode.window.onDidChangeTextEditorSelection((e) => check(e.textEditor)), vscode.window.onDidChangeActiveTextEditor((e) => check(e))];
    const check = (e: vscode.TextEditor | undefined) => {
      if (!at(e)) return;
      for (const s of subs) s.dispose();
      resolve(e!);
    };
  });
}

const lineOf = (doc: vscode.TextDocument, text: string) => doc.positionAt(doc.getText().indexOf(text)).line;

describe('run panel', () => {
  // A failed test must not leave a run going: later tests would find two runs where they expect one.
  afterEach(async () => {
    for (const m of (await api()).runs().filter((r) => r.running)) {
      await vscode.commands.executeCommand('pipewright.stop', { runId: m.id });
      await ended(m);
    }
  });

  it("draws a live run (graph, rates, bottleneck, table, sparklines) and ends with the run's records per stage", async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const doc = await openPipeline('e2e/paced.pipeline.yaml');
    // Open first, on the latest earlier run: the panel then follows the new run as it starts.
    await vscode.commands.executeCommand('pipewright.showRun');
    await read({});
    const model = await start('e2e/paced.pipeline.yaml');
    await until(model, (m) => m.records >= 60);

    const first = await read({ state: 'running' });
    assert.deepEqual(
      first.nodes.map((n) => [n.id, n.texts[0]?.replace(/^⚠ /, '')]),
      [
        ['stage-0', 'numbers'],
        ['stage-1', 'squares'],
        ['stage-2', 'copy'],
        ['output', 'output'],
      ],
    );
    assert.deepEqual(
      first.edges.map((e) => [e.from, e.to]),
      [
        ['stage-0', 'stage-1'],
        ['stage-1', 'stage-2'],
        ['stage-2', 'output'],
      ],
    );
    assert.ok(
      first.nodes.slice(0, 3).every((n) => n.classes.includes('status-running')),
      JSON.stringify(first.nodes),
    );
    assert.match(first.edges[2]!.label, /^\d+ rec\/s · [\d.]+ (B|KiB)\/s$/, 'the edge into the output carries records/s and bytes/s');
    assert.deepEqual(
      first.rows.map((r) => r[0]),
      ['numbers', 'squares', 'copy'],
    );
    assert.deepEqual(first.columns.slice(0, 6), ['Stage ▲', 'Status', 'Rate over time', 'CPU over time', 'Records in', 'Records out']);
    assert.ok(first.sparklines >= 6, 'a rate and a CPU sparkline per stage');

    // A later frame, with the panel alone on screen for its picture: the numbers moved, and the
    // paced source is lit as the bottleneck, with why.
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
    await vscode.commands.executeCommand('workbench.action.toggleMaximizeEditorGroup');
    const second = await read({ state: 'running', changedFrom: first.rows, screenshot: 'screenshot-panel.png' });
    await vscode.commands.executeCommand('workbench.action.toggleMaximizeEditorGroup');
    const out = first.columns.indexOf('Records out');
    assert.ok(Number(second.rows[2]![out]) > Number(first.rows[2]![out]), `records out grew: ${first.rows[2]![out]} → ${second.rows[2]![out]}`);
    assert.match(second.bottleneck, /^Bottleneck: numbers — working \d+% of the time \(busy \d+%\); squares waits to read \d+%\.$/);
    assert.ok(second.nodes[0]!.classes.includes('bottleneck'));
    assert.equal(second.nodes[0]!.texts[0], '⚠ numbers');

    await ended(model);
    assert.equal(model.state, 'succeeded');
    const final = await read({ state: 'succeeded' });
    assert.equal(model.records, 600);
    model.stages.forEach((s, i) =>
      assert.equal(final.rows[i]![out], s.stats?.recordsOut === undefined ? '—' : formatCount(s.stats.recordsOut), `records out of ${s.name}`),
    );
    assert.equal(final.rows[2]![out], '600');
    assert.deepEqual(final.nodes[3]!.texts.slice(-1), ['600 rec']);
    assert.match(final.summary, /^succeeded · 600 records · /);
    assert.ok(final.nodes.slice(0, 3).every((n) => n.classes.includes('status-succeeded')));
    assert.match(final.history[0] ?? '', /succeeded · 600 rec/);

    // Enter on a box reveals the stage's line.
    const shown = cursorOn(doc.uri.fsPath, lineOf(doc, 'name: squares'));
    const pressed = await checkpoint(workspacePath(''), 'panel-press', { key: 'stage-1', press: 'Enter' });
    assert.ok(pressed.ok, pressed.error);
    await shown;

    // Hidden (another editor over it) and shown again: drawn from its kept state, then current.
    const other = await vscode.workspace.openTextDocument(workspacePath('e2e/long.pipeline.yaml'));
    await vscode.window.showTextDocument(other, { viewColumn: vscode.ViewColumn.Two });
    const { panel } = await api();
    assert.equal(panel.visible, false);
    await vscode.commands.executeCommand('pipewright.showRun');
    const again = await read({ state: 'succeeded' });
    assert.deepEqual(again.rows, final.rows);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('keeps earlier runs in the tree, newest first, and removes one on request', async () => {
    const { tree } = await api();
    const a = await ended(await start('e2e/early-stop.pipeline.yaml'));
    const b = await ended(await start('e2e/early-stop.pipeline.yaml'));
    tree.flush();
    const roots = (tree.getChildren() as RunNode[]).filter((r) => r.model.file === a.file);
    assert.deepEqual(
      roots.slice(0, 2).map((r) => r.model),
      [b, a],
    );
    const [newest, older] = roots.map((r) => tree.getTreeItem(r));
    assert.equal(newest?.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    assert.equal(older?.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    await vscode.commands.executeCommand('pipewright.removeRun', roots[1]);
    tree.flush();
    assert.ok(!(tree.getChildren() as RunNode[]).some((r) => r.model === a), 'the removed run left the tree');
  });

  it('exports a run as a Chrome trace: a lifetime per stage and its counters', async () => {
    const model = await ended(await start('e2e/early-stop.pipeline.yaml'));
    const target = vscode.Uri.file(workspacePath('early-stop.trace.json'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('pipewright.exportTrace', { runId: model.id }, target);
    assert.equal(written?.fsPath, target.fsPath);
    const trace = JSON.parse(fs.readFileSync(target.fsPath, 'utf8')) as ChromeTrace;
    const lifetimes = trace.traceEvents.flatMap((e) => (e.ph === 'X' && e.cat === 'stage' ? [[e.name, e.args.status]] : []));
    assert.deepEqual(lifetimes, [
      ['endless', 'stopped-early'],
      ['pass', 'stopped-early'],
      ['first-five', 'succeeded'],
    ]);
    assert.ok(trace.traceEvents.some((e) => e.ph === 'C' && e.name === 'first-five: records/s'));
  });

  it("reveals a stage's line when its tree row is clicked", async () => {
    const { tree } = await api();
    const model = await ended(await start('e2e/early-stop.pipeline.yaml'));
    const root = (tree.getChildren() as RunNode[]).find((r) => r.model === model)!;
    const stage = (tree.getChildren(root) as StageNode[])[1]!;
    const command = tree.getTreeItem(stage).command!;
    assert.strictEqual(command.command, 'pipewright.revealStage');
    const doc = await vscode.workspace.openTextDocument(workspacePath('e2e/early-stop.pipeline.yaml'));
    const shown = cursorOn(doc.uri.fsPath, lineOf(doc, 'name: pass'));
    await vscode.commands.executeCommand(command.command, ...((command.arguments ?? []) as unknown[]));
    await shown;
  });

  it('asks which run to stop when several are running, and stops only that one', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const long = await start('e2e/long.pipeline.yaml');
    const paced = await start('e2e/paced.pipeline.yaml');
    const stopping = vscode.commands.executeCommand<RunModel | undefined>('pipewright.stop');
    const picked = await checkpoint(workspacePath(''), 'quick-pick', { choose: 'long' });
    assert.ok(picked.ok, picked.error);
    const rows = picked.data as string[];
    assert.ok(rows.some((t) => t.includes('paced')) && rows.some((t) => t.includes('Stop all 2 runs')), JSON.stringify(rows));
    assert.equal(await stopping, long);
    await ended(long);
    assert.equal(long.state, 'cancelled');
    assert.equal(paced.running, true, 'the other run goes on');
    await vscode.commands.executeCommand('pipewright.stop', { runId: paced.id });
    await ended(paced);
    assert.equal(paced.state, 'cancelled');
  });
});
