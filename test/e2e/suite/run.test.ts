import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunModel } from '../../../extension/run-model';
import type { RunNode } from '../../../extension/stage-tree';
import { api, ended, until } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, waitForDiagnostics, workspacePath } from './helpers';

async function run(relative: string, command = 'pipewright.runPipeline', ...args: unknown[]): Promise<RunModel> {
  const uri = vscode.Uri.file(workspacePath(relative));
  const model = await vscode.commands.executeCommand<RunModel | undefined>(command, uri.toString(), ...args);
  assert.ok(model, `${command} started no run`);
  return model;
}

async function treeOf(model: RunModel): Promise<{ root: vscode.TreeItem; stages: vscode.TreeItem[] }> {
  const { tree } = await api();
  tree.flush();
  const roots = tree.getChildren() as RunNode[];
  const node = roots.find((r) => r.model === model);
  assert.ok(node, 'the run has a root in the stage tree');
  const stages = tree.getChildren(node);
  return { root: tree.getTreeItem(node), stages: stages.map((s) => tree.getTreeItem(s)) };
}

/** Each stage's detail rows in the tree (label → text), read as the view shows them. */
async function detailsOf(model: RunModel): Promise<Map<string, string>[]> {
  const { tree } = await api();
  tree.flush();
  const node = tree.getChildren().find((r) => 'model' in r && r.model === model)!;
  return tree.getChildren(node).map((stage) => {
    tree.getTreeItem(stage);
    return new Map(
      tree.getChildren(stage).map((d) => {
        const item = tree.getTreeItem(d);
        return [typeof item.label === 'string' ? item.label : '', typeof item.description === 'string' ? item.description : ''];
      }),
    );
  });
}

function iconId(item: vscode.TreeItem): string {
  return (item.iconPath as vscode.ThemeIcon).id;
}

describe('running pipelines', () => {
  it('streams the records of an example into the output and shows final stats in the tree', async () => {
    await openPipeline('examples/access-log.pipeline.yaml');
    const model = await ended(await run('examples/access-log.pipeline.yaml'));
    assert.equal(model.state, 'succeeded');
    // The same pipeline in bash, in the same folder: the records must be byte-identical.
    const expected = execFileSync(
      'bash',
      [
        '-c',
        `cat data/access.ndjson | SLOW_MS=1000 jq -c 'select(.ms > (env.SLOW_MS | tonumber) or .status >= 500)' | jq -r .path | sort | uniq -c | sort -rn | awk '{ printf "{\\"path\\":\\"%s\\",\\"count\\":%d}\\n", $2, $1 }'`,
      ],
      {
        cwd: workspacePath('examples'),
        encoding: 'utf8',
      },
    );
    const { shownRecords } = await api();
    assert.equal(shownRecords(model), expected);
    assert.equal(model.records, expected.trimEnd().split('\n').length);
    const { root, stages } = await treeOf(model);
    // The icon says succeeded; the row leads with the records (the state in words for screen readers).
    assert.match(String(root.description), new RegExp(`^${model.records} rec · `));
    assert.match(String(root.accessibilityInformation?.label), /^slow-requests, succeeded, /);
    assert.deepEqual(
      stages.map((s) => [s.label, iconId(s)]),
      ['read', 'slow-or-failing', 'per-path', 'count', 'as-records'].map((n) => [n, 'pass']),
    );
    assert.ok(
      model.stages.every((s) => s.stats?.exact && (s.stats.bytesOut ?? 0) > 0),
      'every stage has exact final byte counts',
    );
    // Records in and out of every stage, as the tree's detail rows show them, against bash's counts of each prefix.
    const prefixes = [
      'cat data/access.ndjson',
      `SLOW_MS=1000 jq -c 'select(.ms > (env.SLOW_MS | tonumber) or .status >= 500)'`,
      'jq -r .path',
      'sort | uniq -c | sort -rn',
      `awk '{ printf "{\\"path\\":\\"%s\\",\\"count\\":%d}\\n", $2, $1 }'`,
    ];
    const lines = (n: number) =>
      Number(execFileSync('bash', ['-c', `${prefixes.slice(0, n).join(' | ')} | wc -l`], { cwd: workspacePath('examples'), encoding: 'utf8' }).trim());
    const shown = await detailsOf(model);
    const records = (row: string | undefined) => (row === undefined ? undefined : Number(/^([\d,]+) records/.exec(row)?.[1]?.replace(/,/g, '')));
    prefixes.forEach((_, i) => {
      const rows = shown[i]!;
      assert.equal(records(rows.get('out')), lines(i + 1), `records out of stage ${i}`);
      if (i > 0) assert.equal(records(rows.get('in')), lines(i), `records in of stage ${i}`);
    });
  });

  it('runs the fan-out example: both branches, the file kept, what each stage reads in the tree', async () => {
    await openPipeline('examples/fan-out.pipeline.yaml');
    const model = await ended(await run('examples/fan-out.pipeline.yaml'));
    assert.equal(model.state, 'succeeded');
    const examples = workspacePath('examples');
    const expected = execFileSync(
      'bash',
      ['-c', "cat data/access.ndjson | tee >(cat > /dev/null) | jq -c 'select(.status >= 500)' | jq -r .path | sort | uniq -c | sort -rn"],
      {
        cwd: examples,
        encoding: 'utf8',
      },
    );
    const { shownRecords } = await api();
    assert.equal(shownRecords(model), expected);
    assert.equal(fs.readFileSync(`${examples}/out/requests.ndjson`, 'utf8'), fs.readFileSync(`${examples}/data/access.ndjson`, 'utf8'));
    const shown = await detailsOf(model);
    assert.deepEqual(
      shown.map((rows) => rows.get('input')),
      [undefined, 'read', 'read', 'failing', 'per-path'],
    );
    // Both readers of `read` got all 400 records.
    assert.equal(shown[1]!.get('in'), shown[2]!.get('in'));
    assert.match(String(shown[2]!.get('in')), /^400 records/);
  });

  it('shows upstream stages as stopped early when a head-like stage finishes', async () => {
    const model = await ended(await run('e2e/early-stop.pipeline.yaml'));
    assert.equal(model.state, 'succeeded');
    assert.deepEqual(
      model.stages.map((s) => [s.name, s.status]),
      [
        ['endless', 'stopped-early'],
        ['pass', 'stopped-early'],
        ['first-five', 'succeeded'],
      ],
    );
    assert.equal(model.records, 5);
    const { stages } = await treeOf(model);
    assert.deepEqual(stages.map(iconId), ['debug-step-out', 'debug-step-out', 'pass']);
    assert.match(String(stages[0]?.description), /^stopped early/);
  });

  it('names a failed stage, and puts its exit code and stderr on its line as a diagnostic', async () => {
    const model = await ended(await run('e2e/fails.pipeline.yaml'));
    assert.equal(model.state, 'failed');
    assert.equal(model.result?.failedStage, 'breaks');
    const breaks = model.stages.find((s) => s.name === 'breaks');
    assert.equal(breaks?.status, 'failed');
    assert.equal(breaks?.exitCode, 3);
    const uri = vscode.Uri.file(workspacePath('e2e/fails.pipeline.yaml'));
    const diagnostics = await waitForDiagnostics(uri, (d) => d.some((x) => x.source === 'pipewright run'));
    const failed = diagnostics.find((d) => d.source === 'pipewright run')!;
    assert.equal(failed.range.start.line, 4);
    assert.match(failed.message, /Stage `breaks` exited with code 3[\s\S]*boom: the input was not what I wanted/);
    // The tree's failed stage says why on its own row.
    const { stages } = await treeOf(model);
    assert.match(String(stages[1]?.description), /^exit 3 · boom: the input was not what I wanted/);
  });

  it('stops a long run with Stop and leaves no process behind', async () => {
    const model = await run('e2e/long.pipeline.yaml');
    await until(model, (m) => m.stages.length === 2 && m.stages.every((s) => s.status === 'running' && s.stats?.pid !== undefined));
    const pids = model.stages.map((s) => s.stats!.pid!);
    assert.ok(pids.every((pid) => fs.existsSync(`/proc/${pid}`)));
    await vscode.commands.executeCommand('pipewright.stop');
    await ended(model);
    assert.equal(model.state, 'cancelled');
    assert.deepEqual(
      model.stages.map((s) => s.status),
      ['cancelled', 'cancelled'],
    );
    assert.deepEqual(
      pids.filter((pid) => fs.existsSync(`/proc/${pid}`)),
      [],
      'no stage process is left',
    );
  });

  it('inline stats follow the run until the user edits the file, then stay off until the next run', async () => {
    const changes = async (model: RunModel, n: number) => {
      let seen = 0;
      await until(model, () => ++seen > n);
    };
    const marker = vscode.window.createTextEditorDecorationType({});
    let reads = 0;
    const inline = async () => {
      // A decoration of the test's own, sent after the stats so far: the harness reads once it is drawn.
      const tag = `e2e-marker-${++reads}`;
      const editor = vscode.window.activeTextEditor!;
      const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
      editor.setDecorations(marker, [{ range: new vscode.Range(end, end), renderOptions: { after: { contentText: tag } } }]);
      const a = await checkpoint(workspacePath(''), 'inline-stats-read', { marker: tag });
      assert.ok(a.ok, a.error);
      return a.data as string[];
    };
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openPipeline('e2e/long.pipeline.yaml');
    const model = await run('e2e/long.pipeline.yaml');
    await until(model, (m) => m.stages.every((s) => s.status === 'running'));
    await changes(model, 2);
    assert.equal((await inline()).length, 2, 'a line of stats after each stage');
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# edited during the run\n'));
    // The run goes on; its next refreshes must not draw the stats back (on lines the edit moved).
    await changes(model, 4);
    assert.deepEqual(await inline(), []);
    await vscode.commands.executeCommand('pipewright.stop');
    await ended(model);
    await editor.edit((e) => e.delete(new vscode.Range(0, 0, 1, 0))); // the file as it was: the next run saves it
    const again = await run('e2e/long.pipeline.yaml');
    await until(again, (m) => m.stages.every((s) => s.status === 'running'));
    await changes(again, 4);
    assert.equal((await inline()).length, 2, 'the next run draws them again');
    await vscode.commands.executeCommand('pipewright.stop');
    await ended(again);
    marker.dispose();
  });

  it('runs up to a chosen stage ("Run to here"), leaving out the failing stage after it', async () => {
    const model = await ended(await run('e2e/fails.pipeline.yaml', 'pipewright.runToStage', 'source'));
    assert.equal(model.to, 'source');
    assert.equal(model.state, 'succeeded');
    assert.deepEqual(
      model.stages.map((s) => [s.name, s.status]),
      [['source', 'succeeded']],
    );
    const { shownRecords } = await api();
    assert.equal(shownRecords(model), '{"a":1}\n{"a":2}\n');
  });
});
