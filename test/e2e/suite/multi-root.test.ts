// A workspace of two folders (alpha, beta: the multi-root session of test/e2e/run.ts): New Pipeline
// asks which folder, offers the active editor's first, and writes where the user picked.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkpoint } from './checkpoint';
import { workspacePath } from './helpers';

/** Answers the quick input that shows `hasText`; resolves with its rows as shown. */
async function answer(hasText: string, press: string, type?: string): Promise<string[]> {
  const a = await checkpoint(workspacePath(''), 'quick-input', { hasText, press, ...(type !== undefined ? { type } : {}) });
  assert.ok(a.ok, a.error);
  return a.data as string[];
}

const folderOf = (name: string) => vscode.workspace.workspaceFolders!.find((f) => f.name === name)!.uri.fsPath;
const pipelines = (folder: string) => fs.readdirSync(folderOf(folder)).filter((f) => f.endsWith('.pipeline.yaml'));

describe('multi-root workspace', () => {
  beforeEach(async () => {
    assert.deepEqual(
      vscode.workspace.workspaceFolders?.map((f) => f.name),
      ['alpha', 'beta'],
    );
    // The active editor is in the second folder: the one a user working there means.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(path.join(folderOf('beta'), 'beta.pipeline.yaml')));
  });

  it("New Pipeline asks which folder, the active editor's first, and writes the file into the folder picked", async () => {
    const made = vscode.commands.executeCommand<vscode.Uri | undefined>('pipewright.newPipeline');
    const rows = await answer("the active editor's folder", 'Enter', 'alpha');
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /^beta ?the active editor's folder$/);
    assert.match(rows[1]!, /^alpha ?\//);
    await answer('Its name', 'Enter', 'Side Job');
    const uri = await made;
    assert.equal(uri?.fsPath, path.join(folderOf('alpha'), 'side-job.pipeline.yaml'));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath);
    assert.deepEqual(pipelines('beta'), ['beta.pipeline.yaml']);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('New Pipeline, the folder pick dismissed: no file anywhere', async () => {
    const before = [pipelines('alpha'), pipelines('beta')];
    const made = vscode.commands.executeCommand<vscode.Uri | undefined>('pipewright.newPipeline');
    await answer("the active editor's folder", 'Escape');
    assert.equal(await made, undefined);
    assert.deepEqual([pipelines('alpha'), pipelines('beta')], before);
  });
});
