// "What changed since last time?" as a new user asks it: run the access-log example, lower
// SLOW_MS, run it again, and Compare with Previous Run — the stages whose counts changed and the
// records that appeared, checked against `diff` of the two saved outputs and against the CLI.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareView } from '../../../extension/compare/model';
import type { RunModel } from '../../../extension/run-model';
import { api, ended } from './api';
import { checkpoint } from './checkpoint';
import type { CompareDom, CompareReadArgs } from './compare-dom';
import { openPipeline, workspacePath } from './helpers';
import type { RecordsDom } from './records-dom';

const file = 'examples/access-log.pipeline.yaml';

async function read(args: CompareReadArgs): Promise<CompareDom> {
  const answer = await checkpoint(workspacePath(''), 'compare-read', args);
  assert.ok(answer.ok, answer.error);
  return answer.data as CompareDom;
}

async function run(): Promise<RunModel> {
  const model = await vscode.commands.executeCommand<RunModel>('pipewright.runPipeline', vscode.Uri.file(workspacePath(file)).toString());
  assert.ok(model, 'a run started');
  await ended(model);
  assert.equal(model.state, 'succeeded');
  return model;
}

/** Changes the pipeline file on disk, as an edit in any editor would. */
async function change(from: string, to: string): Promise<void> {
  const uri = vscode.Uri.file(workspacePath(file));
  const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  assert.ok(text.includes(from), `${from} is in ${file}`);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text.replace(from, to)));
}

/** A run's whole output, saved as the user would (Save All Records…). */
async function saved(model: RunModel, name: string): Promise<string> {
  const target = vscode.Uri.file(workspacePath(name));
  await vscode.commands.executeCommand('pipewright.saveRecords', { runId: model.id }, target);
  return target.fsPath;
}

/** Lines `diff` marks with `<` (only before) and `>` (only after). */
function diffLines(a: string, b: string): { removed: string[]; added: string[] } {
  let out = '';
  try {
    execFileSync('diff', [a, b], { encoding: 'utf8' });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  const lines = out.split('\n');
  return { removed: lines.filter((l) => l.startsWith('< ')).map((l) => l.slice(2)), added: lines.filter((l) => l.startsWith('> ')).map((l) => l.slice(2)) };
}

const cli = () => path.join(vscode.extensions.getExtension('pipewright.pipewright')!.extensionPath, 'dist/cli.cjs');

describe('compare runs', () => {
  // The later suites run the example as it is in the repository.
  after(async () => {
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(workspacePath(file)))).toString('utf8');
    if (text.includes('SLOW_MS: 500')) await change('SLOW_MS: 500', 'SLOW_MS: 1000');
  });

  it('Compare with Previous Run shows the stages whose counts changed and the records that appeared, as diff and the CLI do', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openPipeline(file);
    const before = await run();
    await change('SLOW_MS: 1000', 'SLOW_MS: 500');
    const after = await run();
    const { compare } = await api();
    const pair = await vscode.commands.executeCommand<RunModel[]>('pipewright.compareWithPrevious', { runId: after.id });
    assert.deepEqual(
      pair?.map((m) => m.id),
      [before.id, after.id],
    );
    const view: CompareView = await compare.settled();
    // Room for the screenshot; the sidebar comes back after it.
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');

    // The numbers: the stages after the filter changed their counts, by what each run counted.
    assert.ok(view.stats.ok, 'both runs have their numbers');
    const outOf = (m: RunModel, stage: string) => m.result!.stages.find((s) => s.name === stage)!.stats.recordsOut!;
    assert.ok(outOf(after, 'slow-or-failing') > outOf(before, 'slow-or-failing'));
    const dom = await read({ records: 'whole lines', screenshot: 'screenshot-compare.png' });
    await vscode.commands.executeCommand('workbench.view.explorer');
    assert.deepEqual(
      dom.stages.filter((s) => s.countsChanged).map((s) => s.name),
      ['slow-or-failing', 'per-path', 'count'],
    );
    const filter = dom.stages.find((s) => s.name === 'slow-or-failing')!;
    assert.match(filter.cells[2]!, new RegExp(`^${outOf(before, 'slow-or-failing')} → ${outOf(after, 'slow-or-failing')} \\+\\d+ %$`));
    assert.equal(dom.stages.find((s) => s.name === 'read')!.countsChanged, false);
    assert.match(dom.headline[0]!, /^Counts changed in 3 stages: slow-or-failing, per-path, count\.$/);

    // The records: exactly the lines diff shows on each side.
    const a = await saved(before, 'compare-before.ndjson');
    const b = await saved(after, 'compare-after.ndjson');
    const { removed, added } = diffLines(a, b);
    assert.ok(added.length > 0, 'lowering SLOW_MS changes the output');
    const kind = (title: RegExp) => dom.kinds.find((k) => title.test(k.title))?.examples ?? [];
    assert.deepEqual(
      kind(new RegExp(`^Only in run ${after.id}: ${added.length}`))
        .map((e) => e.line)
        .sort(),
      [...added].sort(),
    );
    assert.deepEqual(
      kind(new RegExp(`^Only in run ${before.id}: ${removed.length}`))
        .map((e) => e.line)
        .sort(),
      [...removed].sort(),
    );

    // The terminal says the same.
    const fromCli = JSON.parse(execFileSync(process.execPath, [cli(), 'compare', '--records', '--json', a, b], { encoding: 'utf8' })) as {
      onlyInA: number;
      onlyInB: number;
    };
    assert.deepEqual([fromCli.onlyInA, fromCli.onlyInB], [removed.length, added.length]);

    // An example opens the records view on that record.
    const example = kind(/^Only in run/)[0]!;
    const pressed = await checkpoint(workspacePath(''), 'compare-press', { key: example.key, press: 'Enter' });
    assert.ok(pressed.ok, pressed.error);
    const n = example.key.split('-').at(-1)!;
    const records = await checkpoint(workspacePath(''), 'records-read', { summary: `run ${example.key.startsWith('open-b') ? after.id : before.id}` });
    assert.ok(records.ok, records.error);
    assert.equal((records.data as RecordsDom).focused, n);
    const row = (records.data as RecordsDom).rows.find((r) => r[0] === n);
    assert.ok(row?.join(' ').includes((JSON.parse(example.line) as { path: string }).path), 'the focused row is the example');
  });

  it('matches records by a key: which paths changed their count', async () => {
    const { compare, tree } = await api();
    const runs = (await api()).runs().filter((m) => m.file === workspacePath(file));
    const [before, after] = runs.slice(-2) as [RunModel, RunModel];
    // Two runs selected in the Stages view: VS Code passes the clicked node and the selection.
    const nodes = [tree.runNode(after), tree.runNode(before)];
    await vscode.commands.executeCommand('pipewright.compareRuns', nodes[0], nodes);
    const dom = await read({ key: 'path', records: 'matched by path' });
    const view = await compare.settled();
    assert.equal(view.a.id, before.id, 'the earlier run comes first');
    assert.ok(view.records.state === 'done' && view.records.comparison.key === 'path');
    const changed = dom.kinds.find((k) => k.title.startsWith('Changed (by path)'));
    assert.ok(changed, `a changed kind: ${JSON.stringify(dom.kinds.map((k) => k.title))}`);
    assert.match(dom.recordsStatus, /\d+ changed, \d+ the same; fields: count \(\d+\)\.$/);
    assert.equal(view.records.comparison.changedFields[0]?.field, 'count');
  });

  it('the run panel compares the run it shows with another run of its pipeline', async () => {
    const { compare } = await api();
    const runs = (await api()).runs().filter((m) => m.file === workspacePath(file));
    const [before, after] = runs.slice(-2) as [RunModel, RunModel];
    await vscode.commands.executeCommand('pipewright.showRun', { runId: after.id });
    const panel = await checkpoint(workspacePath(''), 'panel-read', {});
    assert.ok(panel.ok, panel.error);
    // The next settled view after the press: the panel asks for the pair.
    const posted = new Promise<CompareView>((resolve) => {
      const sub = compare.onDidPost((v) => {
        if (v.records.state === 'comparing') return;
        sub.dispose();
        resolve(v);
      });
    });
    const pressed = await checkpoint(workspacePath(''), 'panel-press', { key: `compare-${before.id}`, press: 'Enter' });
    assert.ok(pressed.ok, pressed.error);
    const view = await posted;
    assert.deepEqual([view.a.id, view.b.id], [before.id, after.id]);
    assert.ok(view.stats.ok && view.stats.stages.some((s) => s.name === 'slow-or-failing' && s.countsChanged));
  });
});
