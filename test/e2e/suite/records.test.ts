import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunModel } from '../../../extension/run-model';
import { api, ended } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, workspacePath } from './helpers';
import type { RecordsDom, RecordsReadArgs } from './records-dom';

async function read(args: RecordsReadArgs): Promise<RecordsDom> {
  const answer = await checkpoint(workspacePath(''), 'records-read', args);
  assert.ok(answer.ok, answer.error);
  return answer.data as RecordsDom;
}

async function runProducts(): Promise<RunModel> {
  const model = await vscode.commands.executeCommand<RunModel>(
    'pipewright.runPipeline',
    vscode.Uri.file(workspacePath('examples/products.pipeline.yaml')).toString(),
  );
  assert.ok(model, 'a run started');
  return ended(model);
}

/** The same pipeline through the CLI, in the same folder: what "save all" must write. */
function cliOutput(file: string): string {
  const cli = path.join(vscode.extensions.getExtension('pipewright.pipewright')!.extensionPath, 'dist/cli.cjs');
  return execFileSync(process.execPath, [cli, 'run', file], { cwd: path.dirname(file), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

describe('records view', () => {
  it('shows the products example as a table with typed columns, narrows it by search, and saves all records as the CLI writes them', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openPipeline('examples/products.pipeline.yaml');
    const model = await runProducts();
    assert.equal(model.state, 'succeeded');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('pipewright.showRecords', { runId: model.id });
    const dom = await read({ summary: `run ${model.id} · succeeded`, screenshot: 'screenshot-records.png' });
    assert.deepEqual(dom.columns, ['#', 'Copy', 'id number', 'name string', 'price number', 'stock number']);
    assert.equal(dom.rows.length, 10);
    assert.match(dom.summary, /· 10 records$/);
    assert.equal(dom.note, 'All 10 records.');
    const prices = dom.rows.map((r) => Number(r[4]));
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
      'the example writes the cheapest first',
    );

    const word = dom.rows[0]![3]!.split(' ')[1]!; // a word of the first product's name
    const searched = await read({ query: word.toLowerCase() });
    assert.ok(searched.rows.length >= 1 && searched.rows.length < 10, `"${word}" narrows the rows: ${searched.rows.length}`);
    assert.ok(searched.rows.every((r) => r.join(' ').toLowerCase().includes(word.toLowerCase())));
    assert.match(searched.count, new RegExp(`^${searched.rows.length} of 10 kept records match$`));
    await read({ query: '' });

    // Copy a row as JSON: exactly the line the pipeline wrote.
    const expected = cliOutput(model.file);
    await vscode.env.clipboard.writeText('');
    const copied = new Promise<string>((resolve) => {
      const { records } = vscode.extensions.getExtension('pipewright.pipewright')!.exports as Awaited<ReturnType<typeof api>>;
      const sub = records.onDidCopy((text) => {
        sub.dispose();
        resolve(text);
      });
    });
    const pressed = await checkpoint(workspacePath(''), 'records-press', { key: `copy-${dom.rows[0]![0]}`, press: 'Enter' });
    assert.ok(pressed.ok, pressed.error);
    assert.equal(await copied, expected.split('\n')[0]);
    assert.equal(await vscode.env.clipboard.readText(), expected.split('\n')[0]);

    assert.equal(dom.saveDisabled, false);
    const target = vscode.Uri.file(workspacePath('saved-products.ndjson'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('pipewright.saveRecords', { runId: model.id }, target);
    assert.equal(written?.fsPath, target.fsPath);
    assert.equal(fs.readFileSync(target.fsPath, 'utf8'), expected, 'save all writes what the CLI writes');
    const csv = vscode.Uri.file(workspacePath('saved-products.csv'));
    await vscode.commands.executeCommand('pipewright.saveRecords', { runId: model.id }, csv);
    const [header, ...lines] = fs.readFileSync(csv.fsPath, 'utf8').trimEnd().split('\n');
    assert.equal(header, 'id,name,price,stock');
    assert.equal(lines.length, 10);
  });

  it("filters with use: filter's expressions as well as words, says why a bad one is bad, and saves only the matching records", async () => {
    const model = await runProducts();
    await vscode.commands.executeCommand('pipewright.showRecords', { runId: model.id });
    const all = await read({ summary: `run ${model.id} · succeeded`, query: '' });
    const expensive = all.rows.filter((r) => Number(r[4]) > 30 && Number(r[5]) >= 10);
    assert.ok(expensive.length > 0 && expensive.length < all.rows.length, 'the example has products on both sides');
    const filtered = await read({ query: 'r.price > 30 && r.stock >= 10' });
    assert.deepEqual(
      filtered.rows.map((r) => r[0]),
      expensive.map((r) => r[0]),
    );
    assert.equal(filtered.count, `${expensive.length} of 10 kept records match`);
    assert.equal(filtered.saveLabel, 'Save matching records…');

    const bad = await read({ query: 'r.price >', invalid: true });
    assert.match(bad.filterError, /^Not a valid expression: .+\. Write one JavaScript expression over the record r/);
    assert.equal(bad.saveDisabled, true);

    // Save All from the view saves what its filter keeps: as the built-in `filter` would write it.
    const target = vscode.Uri.file(workspacePath('saved-expensive.ndjson'));
    await vscode.commands.executeCommand('pipewright.saveRecords', { runId: model.id, query: 'r.price > 30' }, target);
    const expected = cliOutput(model.file)
      .split('\n')
      .filter((l) => l && (JSON.parse(l) as { price: number }).price > 30);
    assert.deepEqual(fs.readFileSync(target.fsPath, 'utf8').trimEnd().split('\n'), expected);
    await read({ query: '' });
  });

  it('keeps the records of a finished run viewable until the run leaves the history', async () => {
    const { records } = await api();
    const first = await runProducts();
    const second = await runProducts();
    await vscode.commands.executeCommand('pipewright.showRecords', { runId: first.id });
    const older = await read({ summary: `run ${first.id} · succeeded` });
    assert.equal(older.rows.length, 10, 'an older run reads its records back from its kept output');
    assert.equal(records.lastView?.newer, true);
    await vscode.commands.executeCommand('pipewright.removeRun', { runId: first.id });
    await vscode.commands.executeCommand('pipewright.showRecords', { runId: second.id });
    assert.equal(records.lastView?.runId, second.id);
    const saved = await vscode.commands.executeCommand('pipewright.saveRecords', { runId: first.id }, vscode.Uri.file(workspacePath('gone.ndjson')));
    assert.equal(saved, undefined, 'a removed run has nothing left to save');
  });
});
