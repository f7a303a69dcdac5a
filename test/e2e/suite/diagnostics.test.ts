import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { dslDocsUrl } from '../../../extension/docs-link';
import { openPipeline, waitForDiagnostics } from './helpers';

describe('diagnostics', () => {
  it('shows the problems of a broken pipeline file, with codes and exact lines', async () => {
    const doc = await openPipeline('e2e/broken.pipeline.yaml');
    assert.equal(doc.languageId, 'pipewright');
    const diagnostics = await waitForDiagnostics(doc.uri, (d) => d.length >= 3);
    const got = diagnostics.map((d) => `${d.range.start.line + 1} ${typeof d.code === 'object' ? d.code.value : d.code}`).sort();
    assert.deepEqual(got, ['3 unknown-key', '6 unknown-builtin', '8 workers-range']);
    assert.ok(diagnostics.every((d) => d.source === 'pipewright'));
    // Each code links to its section of the rendered reference, not to a markdown file shown as text.
    assert.deepEqual(
      diagnostics.map((d) => (typeof d.code === 'object' ? d.code.target.toString(true) : '')).sort(),
      ['unknown-builtin', 'unknown-key', 'workers-range'].map((code) => `${dslDocsUrl}#problem-${code}`),
    );
  });

  it('clears the problems once an edit fixes them', async () => {
    const doc = await openPipeline('examples/access-log.pipeline.yaml');
    const editor = vscode.window.activeTextEditor!;
    // Break the file, see the problem, then undo and see it go: proves the server checks this file.
    const at = doc.getText().indexOf('  - name: count');
    await editor.edit((e) => e.insert(doc.positionAt(at), '  - name: bad\n    use: haed\n'));
    const broken = await waitForDiagnostics(doc.uri, (d) => d.length > 0);
    assert.deepEqual(
      broken.map((d) => (typeof d.code === 'object' ? d.code.value : d.code)),
      ['unknown-builtin'],
    );
    await vscode.commands.executeCommand('undo');
    assert.deepEqual(await waitForDiagnostics(doc.uri, (d) => d.length === 0), []);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
