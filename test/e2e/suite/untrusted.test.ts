import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api } from './api';
import { openPipeline, waitForDiagnostics, workspacePath } from './helpers';

// Runs in a session whose workspace is not trusted (test/e2e/run.ts).
describe('untrusted workspace', () => {
  it('still checks pipeline files', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const doc = await openPipeline('examples/access-log.pipeline.yaml');
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.insert(doc.positionAt(doc.getText().indexOf('stages:')), 'wrong: 1\n'));
    const diagnostics = await waitForDiagnostics(doc.uri, (d) => d.length > 0);
    assert.deepEqual(
      diagnostics.map((d) => (typeof d.code === 'object' ? d.code.value : d.code)),
      ['unknown-key'],
    );
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('refuses to run a pipeline', async () => {
    const result = await vscode.commands.executeCommand(
      'pipewright.runPipeline',
      vscode.Uri.file(workspacePath('examples/access-log.pipeline.yaml')).toString(),
    );
    assert.equal(result, undefined);
    assert.deepEqual((await api()).runs(), [], 'nothing ran');
  });
});
