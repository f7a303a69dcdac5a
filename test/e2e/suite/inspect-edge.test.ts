import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunModel } from '../../../extension/run-model';
import { ended } from './api';
import { workspacePath } from './helpers';

/** The in-stock products under 100 in the example's CSV, counted here independently of the engine. */
function expectedInStock(): number {
  const [, ...rows] = fs.readFileSync(workspacePath('examples/data/products.csv'), 'utf8').trim().split('\n');
  return rows.map((r) => r.split(',')).filter((c) => c[5] === 'true' && Number(c[3]) < 100).length;
}

describe('inspect edge', () => {
  it('runs with the edge after a stage tapped and shows its count and records', async () => {
    const uri = vscode.Uri.file(workspacePath('examples/products.pipeline.yaml'));
    const model = await vscode.commands.executeCommand<RunModel>('pipewright.inspectEdge', uri.toString(), 'in-stock');
    assert.ok(model, 'a run started');
    await ended(model);
    assert.equal(model.state, 'succeeded');
    const stage = model.stages.find((s) => s.name === 'in-stock');
    assert.equal(stage?.stats?.recordsOut, expectedInStock(), 'the tapped edge has an exact record count');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'pipewright-edge');
    assert.ok(doc, 'the edge document is open');
    // The document follows the run; once it has ended it shows the final count.
    const text = await new Promise<string>((resolve) => {
      const current = () => doc.getText();
      if (current().includes('(succeeded)')) return resolve(current());
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === doc && current().includes('(succeeded)')) {
          sub.dispose();
          resolve(current());
        }
      });
    });
    const [title, count, ...records] = text.trimEnd().split('\n');
    assert.match(title!, /^# Records out of stage `in-stock` — run \d+ of cheap-products \(succeeded\)$/);
    assert.match(count!, new RegExp(`^# ${expectedInStock()} records, `));
    assert.ok(records.length > 0 && records.length <= 20);
    for (const r of records) {
      const rec = JSON.parse(r) as { available: boolean; price: number };
      assert.ok(rec.available && rec.price < 100, r);
    }
  });
});
