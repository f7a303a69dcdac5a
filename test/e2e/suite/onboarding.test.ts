import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { check } from '../../../dsl';
import { nodeHost } from '../../../dsl/host-node';
import type { RunModel } from '../../../extension/run-model';
import { pipelineTemplate } from '../../../extension/template';
import { api, ended } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, workspacePath } from './helpers';
import type { Toast } from './records-dom';

/** Resolves with the next run that ends. */
async function nextEndedRun(): Promise<RunModel> {
  const { onDidEndRun } = await api();
  return new Promise((resolve) => {
    const sub = onDidEndRun((m) => {
      sub.dispose();
      resolve(m);
    });
  });
}

describe('first minutes', () => {
  it('contributes a Get Started walkthrough that opens in the editor', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'pipewright.pipewright#getStarted', false);
    const answer = await checkpoint(workspacePath(''), 'walkthrough', { title: 'Get Started with Pipewright' });
    assert.ok(answer.ok, answer.error);
    assert.deepEqual(answer.data, ['Open an example', 'Run it', 'Watch the stats', 'Break a line', 'Inspect an edge']);
    // Its first step's "Open the Example" opens the file beside the walkthrough, which stays open.
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
    const before = tabs();
    const example = await vscode.commands.executeCommand<vscode.Uri>('pipewright.openExample');
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, example.fsPath);
    assert.deepEqual(
      before.filter((label) => !tabs().includes(label)),
      [],
      'the walkthrough tab is still open',
    );
    assert.equal(vscode.window.tabGroups.all.length, 2, 'the example is beside the walkthrough');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("starts code-server (npm start, these tests) without port auto-forwarding: a stage's ssh test server pops no toast", () => {
    assert.equal(vscode.workspace.getConfiguration('remote').get('autoForwardPorts'), false);
  });

  it('creates a new pipeline from a template that checks clean and runs, and runs it with Ctrl+F5', async () => {
    const folder = vscode.Uri.file(workspacePath(''));
    const uri = await vscode.commands.executeCommand<vscode.Uri>('pipewright.newPipeline', folder, 'My First');
    assert.equal(uri.fsPath, workspacePath('my-first.pipeline.yaml'));
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.uri.fsPath, uri.fsPath);
    assert.equal(doc.getText(), pipelineTemplate('my-first'));
    assert.equal(doc.languageId, 'pipewright');
    assert.deepEqual(check(doc.getText(), { file: uri.fsPath, host: nodeHost() }).problems, []);
    const running = nextEndedRun();
    const pressed = await checkpoint(workspacePath(''), 'keys', { press: 'Control+F5' });
    assert.ok(pressed.ok, pressed.error);
    const model = await running;
    assert.equal(model.file, uri.fsPath);
    assert.equal(model.state, 'succeeded');
    assert.equal(model.records, 10);
  });

  it('says which stage failed, how, and its last stderr lines in a notification with Show Log and Go to Stage', async () => {
    await openPipeline('e2e/fails.pipeline.yaml');
    const model = await vscode.commands.executeCommand<RunModel>(
      'pipewright.runPipeline',
      vscode.Uri.file(workspacePath('e2e/fails.pipeline.yaml')).toString(),
    );
    await ended(model);
    await vscode.commands.executeCommand('notifications.showList');
    const answer = await checkpoint(workspacePath(''), 'notification', { contains: 'failed: stage "breaks"' });
    assert.ok(answer.ok, answer.error);
    const toast = answer.data as Toast;
    assert.match(toast.message, /^Pipewright: \S+ failed: stage "breaks" exited with code 3: .*boom: the input was not what I wanted/);
    assert.deepEqual(toast.buttons, ['Show Log', 'Go to Stage']);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
  });
});
