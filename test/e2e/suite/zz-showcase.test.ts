import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunModel } from '../../../extension/run-model';
import { ended } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, workspacePath } from './helpers';

// Last (files run in name order): puts a finished run on screen — the editor with its inline
// stats, the stage tree and the records panel — and has the harness check it in the DOM and
// take the README's screenshot.
describe('showcase', () => {
  it('leaves a finished run on screen', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Only this run in the Stages view: the suite's earlier runs would fill it.
    await vscode.commands.executeCommand('pipewright.clearHistory');
    await openPipeline('examples/access-log.pipeline.yaml');
    await vscode.commands.executeCommand('workbench.view.extension.pipewright');
    const model = await vscode.commands.executeCommand<RunModel>(
      'pipewright.runPipeline',
      vscode.Uri.file(workspacePath('examples/access-log.pipeline.yaml')).toString(),
    );
    await ended(model);
    assert.equal(model.state, 'succeeded');
    await vscode.commands.executeCommand('pipewright.showOutput');
    const answer = await checkpoint(workspacePath(''), 'showcase');
    assert.ok(answer.ok, answer.error);
  });
});
