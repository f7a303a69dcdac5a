// The first minutes: New Pipeline (a file from a template that checks clean) and Open Example
// (the walkthrough's first step).
import * as vscode from 'vscode';
import { Commands } from './command-ids';
import { pipelineSlug, pipelineTemplate } from './template';

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

/** `<folder>/<slug>.pipeline.yaml`, or `<slug>-2…` when taken. */
async function freeFile(folder: vscode.Uri, slug: string): Promise<vscode.Uri> {
  for (let i = 1; ; i++) {
    const uri = vscode.Uri.joinPath(folder, `${slug}${i === 1 ? '' : `-${i}`}.pipeline.yaml`);
    if (!(await exists(uri))) return uri;
  }
}

export function registerOnboarding(): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.newPipeline, async (folderArg?: unknown, nameArg?: unknown) => {
      const active = vscode.window.activeTextEditor?.document.uri;
      const folder =
        folderArg instanceof vscode.Uri
          ? folderArg
          : ((active && vscode.workspace.getWorkspaceFolder(active)?.uri) ?? vscode.workspace.workspaceFolders?.[0]?.uri);
      const name =
        typeof nameArg === 'string'
          ? nameArg
          : await vscode.window.showInputBox({ title: 'New Pipeline', prompt: 'Its name (also the file name: NAME.pipeline.yaml)', value: 'my-pipeline' });
      if (name === undefined) return undefined;
      const slug = pipelineSlug(name);
      if (!folder) {
        // No folder open: an untitled pipeline, saved wherever the user likes.
        const doc = await vscode.workspace.openTextDocument({ language: 'pipewright', content: pipelineTemplate(slug) });
        await vscode.window.showTextDocument(doc);
        return doc.uri;
      }
      const uri = await freeFile(folder, slug);
      await vscode.workspace.fs.writeFile(uri, Buffer.from(pipelineTemplate(slug)));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      return uri;
    }),
    vscode.commands.registerCommand(Commands.openExample, async () => {
      const [example] = await vscode.workspace.findFiles('**/products.pipeline.yaml', '**/node_modules/**', 1);
      if (!example) return vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.newPipeline);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(example));
      return example;
    }),
  ];
}
