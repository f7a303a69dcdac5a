// The `vsix` session (test/e2e/run.ts): the extension installed from `npm run package`'s VSIX with
// --install-extension, as a user installs it; nothing is loaded from the development folder.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunModel } from '../../../extension/run-model';
import { api, ended, until } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, workspacePath } from './helpers';
import type { PanelDom } from './panel-dom';
import type { RecordsDom } from './records-dom';

/** The next run to start, from the store's changes (a key press starts it, not this code). */
async function nextRun(): Promise<RunModel> {
  const pipewright = await api();
  const before = new Set(pipewright.runs());
  return new Promise((resolve) => {
    const sub = pipewright.onDidChangeRun((m) => {
      if (before.has(m)) return;
      sub.dispose();
      resolve(m);
    });
  });
}

async function ask<T>(name: string, args: unknown): Promise<T> {
  const answer = await checkpoint(workspacePath(''), name, args);
  assert.ok(answer.ok, answer.error);
  return answer.data as T;
}

describe('vsix: the packaged extension, installed', () => {
  it('is the installed copy: its folder holds the bundles and no sources', () => {
    const ext = vscode.extensions.getExtension('pipewright.pipewright');
    assert.ok(ext, 'the extension is installed');
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
    const files = fs.readdirSync(ext.extensionPath);
    assert.ok(files.includes('dist') && !files.includes('engine') && !files.includes('test') && !files.includes('node_modules'), files.join(', '));
    assert.ok(!fs.readdirSync(path.join(ext.extensionPath, 'dist')).some((f) => f.endsWith('.map') || f === 'e2e'));
    const version = (ext.packageJSON as { version: string }).version;
    assert.equal(path.basename(ext.extensionPath), `pipewright.pipewright-${version}`, 'installed into the extensions folder');
  });

  it('F5 in a pipeline runs it, with live stats in the run panel', async function () {
    this.timeout(180_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The run's source waits on this FIFO after its records: the run is live until the test has seen it so.
    const gate = workspacePath('e2e/gate.fifo');
    fs.rmSync(gate, { force: true });
    execFileSync('mkfifo', [gate]);
    await openPipeline('e2e/gated.pipeline.yaml');
    await (
      await api()
    ).serverReady;
    const started = nextRun();
    await ask('keys', { press: 'F5' });
    const model = await started;
    assert.equal(model.file, workspacePath('e2e/gated.pipeline.yaml'));
    // Live: records counted on every edge while the run goes.
    await until(model, (m) => m.running && m.stages.every((s) => (s.stats?.recordsOut ?? 0) > 0));
    await vscode.commands.executeCommand('pipewright.showRun');
    const live = await ask<PanelDom>('panel-read', { state: 'running' });
    assert.deepEqual(
      live.rows.map((r) => r[0]),
      ['numbers', 'squares', 'copy'],
    );
    await fs.promises.writeFile(gate, 'go\n');
    await ended(model);
    assert.equal(model.state, 'succeeded');
    assert.equal(model.records, 600);
  });

  it('runs an example to its end; the run panel and the records view show it', async function () {
    this.timeout(180_000);
    await openPipeline('examples/products.pipeline.yaml');
    const products = await vscode.commands.executeCommand<RunModel>(
      'pipewright.runPipeline',
      vscode.Uri.file(workspacePath('examples/products.pipeline.yaml')).toString(),
    );
    await ended(products);
    assert.equal(products.state, 'succeeded');
    const panel = await ask<PanelDom>('panel-read', { state: 'succeeded', summaryMatches: '\\b10 records\\b' });
    assert.deepEqual(
      panel.rows.map((r) => r[0]),
      ['read', 'in-stock', 'fields', 'cheapest-first', 'first'],
    );
    await vscode.commands.executeCommand('pipewright.showRecords', { runId: products.id });
    const records = await ask<RecordsDom>('records-read', { summary: `run ${products.id} · succeeded` });
    assert.deepEqual(records.columns, ['#', 'Copy', 'id number', 'name string', 'price number', 'stock number']);
    assert.equal(records.rows.length, 10);
  });
});
