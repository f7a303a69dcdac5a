import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunModel } from '../../../extension/run-model';
import { ended } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, workspacePath } from './helpers';
import type { StagesRow } from './stages-dom';

// A pipeline that runs until stopped, beside test/fixtures/e2e/long.pipeline.yaml: two runs going.
const ticker = `name: ticker
stages:
  - name: clock
    run: "while :; do date +'{\\"at\\":\\"%T\\"}'; sleep 0.1; done"
  - name: seconds
    command: [jq, --unbuffered, -c, "{at}"]
  - name: copy
    run: cat
`;

async function start(relative: string): Promise<RunModel> {
  const model = await vscode.commands.executeCommand<RunModel | undefined>('pipewright.runPipeline', vscode.Uri.file(workspacePath(relative)).toString());
  assert.ok(model, `no run of ${relative}`);
  return model;
}

describe('Stages view', () => {
  const tickerFile = workspacePath('e2e/ticker.pipeline.yaml');
  after(() => fs.rmSync(tickerFile, { force: true }));

  it('puts a new run on top at once, open, with the earlier runs folded, while two runs go', async () => {
    fs.writeFileSync(tickerFile, ticker);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.extension.pipewright');
    // The suite's earlier runs stay: a view with a history, as a user has.
    const long = await start('e2e/long.pipeline.yaml');
    const tick = await start('e2e/ticker.pipeline.yaml');
    try {
      const answer = await checkpoint(workspacePath(''), 'stages-read', {
        top: ['ticker', 'long'],
        open: true,
        counted: true,
        screenshot: 'screenshot-stages.png',
      });
      assert.ok(answer.ok, answer.error);
      const rows = answer.data as StagesRow[];
      const roots = rows.filter((r) => r.level === 1);
      // The newest run is open and shows its stages right under it; every other run is folded.
      assert.deepEqual(
        rows.slice(0, 4).map((r) => [r.level, r.label]),
        [
          [1, 'ticker'],
          [2, 'clock'],
          [2, 'seconds'],
          [2, 'copy'],
        ],
      );
      assert.equal(roots[0]?.expanded, true);
      assert.deepEqual(
        roots.slice(1).filter((r) => r.expanded),
        [],
        'earlier runs are folded',
      );
      // Both runs listed as running (the run's row never says otherwise than its stages): the
      // icon on screen, the words for a screen reader; the row leads with the records.
      assert.deepEqual(
        roots.slice(0, 2).map((r) => r.aria.split(', ').slice(0, 2)),
        [
          ['ticker', 'running'],
          ['long', 'running'],
        ],
      );
      assert.match(roots[0].description, /^\d[\d.]*k? rec · /);
      assert.ok(roots.length > 2, 'the earlier runs of the suite are listed too');
    } finally {
      for (const m of [tick, long]) await vscode.commands.executeCommand('pipewright.stop', { runId: m.id });
      await Promise.all([ended(tick), ended(long)]);
    }
    assert.equal(tick.state, 'cancelled');
  });

  it("reruns the active editor's pipeline from the view's title, not the newest run", async () => {
    const early = await ended(await start('e2e/early-stop.pipeline.yaml'));
    await ended(await start('e2e/fails.pipeline.yaml')); // the newest run is another pipeline's
    await openPipeline('e2e/early-stop.pipeline.yaml');
    const again = await vscode.commands.executeCommand<RunModel | undefined>('pipewright.rerun');
    assert.ok(again, 'Rerun started a run');
    assert.equal(again.file, early.file);
    await ended(again);
  });

  it("opens the records view from the run panel in the panel's column, not in a new one beside it", async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await openPipeline('e2e/early-stop.pipeline.yaml');
    const model = await ended(await start('e2e/early-stop.pipeline.yaml'));
    await vscode.commands.executeCommand('pipewright.showRun', { runId: model.id });
    // The user is in the panel (a key on a stage's box gives it the focus), then asks for the
    // records: beside the panel would be a third column.
    const pressed = await checkpoint(workspacePath(''), 'panel-press', { key: 'stage-0', press: 'Shift' });
    assert.ok(pressed.ok, pressed.error);
    await vscode.commands.executeCommand('pipewright.showRecords', { runId: model.id });
    assert.equal(vscode.window.tabGroups.all.length, 2, vscode.window.tabGroups.all.map((g) => g.tabs.map((t) => t.label).join(', ')).join(' | '));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
