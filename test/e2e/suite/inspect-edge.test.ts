import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunModel } from '../../../extension/run-model';
import { api, ended } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, workspacePath } from './helpers';
import type { RecordsDom, Toast } from './records-dom';

/** The in-stock products under 100 in the example's CSV, counted here independently of the engine. */
function expectedInStock(): number {
  const [, ...rows] = fs.readFileSync(workspacePath('examples/data/products.csv'), 'utf8').trim().split('\n');
  return rows.map((r) => r.split(',')).filter((c) => c[5] === 'true' && Number(c[3]) < 100).length;
}

describe('inspect edge', () => {
  it("takes the stage under the cursor, says it will run the pipeline, and shows the edge's count and records in a view that survives later runs", async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const doc = await openPipeline('examples/products.pipeline.yaml');
    const editor = vscode.window.activeTextEditor!;
    const at = doc.positionAt(doc.getText().indexOf('r.available'));
    editor.selection = new vscode.Selection(at, at);
    const inspecting = vscode.commands.executeCommand<RunModel | undefined>('pipewright.inspectEdge');
    await vscode.commands.executeCommand('notifications.showList');
    const asked = await checkpoint(workspacePath(''), 'notification', { contains: 'Inspect Edge runs', click: 'Run and Inspect' });
    assert.ok(asked.ok, asked.error);
    assert.deepEqual((asked.data as Toast).buttons, ['Run and Inspect']);
    assert.match(
      (asked.data as Toast).message,
      /^Inspect Edge runs products\.pipeline\.yaml — every stage, as a normal run — with the records after stage "in-stock"/,
    );
    const model = await inspecting;
    assert.ok(model, 'a run started');
    await ended(model);
    assert.equal(model.state, 'succeeded');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
    assert.equal(model.stages.find((s) => s.name === 'in-stock')?.stats?.recordsOut, expectedInStock(), 'the tapped edge has an exact record count');

    const read = async (summary: string) => {
      const answer = await checkpoint(workspacePath(''), 'records-read', { summary });
      assert.ok(answer.ok, answer.error);
      return answer.data as RecordsDom;
    };
    const edge = await read(`run ${model.id} · succeeded · ${expectedInStock()} records on this edge`);
    assert.equal(edge.title, 'cheap-products: after in-stock');
    assert.ok(edge.rows.length > 0 && edge.rows.length <= 20);
    assert.ok(edge.columns.includes('available boolean') && edge.columns.includes('price number'), edge.columns.join(', '));
    assert.equal(edge.saveDisabled, true);
    const n = expectedInStock();
    assert.deepEqual(
      edge.rows.map((r) => Number(r[0])),
      Array.from({ length: edge.rows.length }, (_, i) => n - edge.rows.length + i + 1),
    );

    // A later run of the same pipeline: the view stays on its run's edge, and says a newer run exists.
    const later = await vscode.commands.executeCommand<RunModel>('pipewright.runPipeline', doc.uri.toString());
    await ended(later);
    const { records } = await api();
    await records.post();
    assert.equal(records.lastView?.runId, model.id);
    assert.equal(records.lastView?.stage, 'in-stock');
    assert.equal(records.lastView?.newer, true);
    const after = await read(`run ${model.id} · succeeded · ${n} records on this edge`);
    assert.deepEqual(after.rows, edge.rows);
  });

  it('inspects the edge out of a stage that fans out in a graph: every record its readers got', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const doc = await openPipeline('examples/fan-out.pipeline.yaml');
    const editor = vscode.window.activeTextEditor!;
    const at = doc.positionAt(doc.getText().indexOf('cat data/access.ndjson'));
    editor.selection = new vscode.Selection(at, at);
    const inspecting = vscode.commands.executeCommand<RunModel | undefined>('pipewright.inspectEdge');
    await vscode.commands.executeCommand('notifications.showList');
    const asked = await checkpoint(workspacePath(''), 'notification', { contains: 'Inspect Edge runs', click: 'Run and Inspect' });
    assert.ok(asked.ok, asked.error);
    const model = await inspecting;
    assert.ok(model, 'a run started');
    await ended(model);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
    assert.equal(model.state, 'succeeded');
    const lines = fs.readFileSync(workspacePath('examples/data/access.ndjson'), 'utf8').trim().split('\n');
    assert.equal(model.stages.find((s) => s.name === 'read')?.stats?.recordsOut, lines.length, 'the tapped fan-out has an exact record count');
    const answer = await checkpoint(workspacePath(''), 'records-read', { summary: `run ${model.id} · succeeded · ${lines.length} records on this edge` });
    assert.ok(answer.ok, answer.error);
    const edge = answer.data as RecordsDom;
    assert.equal(edge.title, 'fan-out: after read');
    assert.ok(edge.rows.length > 0 && edge.rows.length <= 20);
  });
});
