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

/**
 * The folder a new pipeline goes in: the only workspace folder, or the one the user picks (the
 * active editor's first) when there are several; undefined: none open, or the pick was dismissed.
 */
async function targetFolder(): Promise<{ folder?: vscode.Uri | undefined; dismissed?: boolean }> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return { folder: folders[0]?.uri };
  const active = vscode.window.activeTextEditor?.document.uri;
  const current = active && vscode.workspace.getWorkspaceFolder(active);
  const ordered = current ? [current, ...folders.filter((f) => f !== current)] : folders;
  const picked = await vscode.window.showQuickPick(
    ordered.map((f) => ({ label: f.name, description: f === current ? "the active editor's folder" : f.uri.fsPath, folder: f.uri })),
    { title: 'New Pipeline', placeHolder: 'Which workspace folder should the new pipeline go in?' },
  );
  return picked ? { folder: picked.folder } : { dismissed: true };
}

/**
 * Opens a file for the user to work on. From the walkthrough (or another view that is not a text
 * editor) it opens beside it, kept: replacing the walkthrough would lose the user's place.
 */
async function showBeside(doc: vscode.TextDocument): Promise<void> {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  const overText = !tab || tab.input instanceof vscode.TabInputText;
  await vscode.window.showTextDocument(doc, overText ? {} : { viewColumn: vscode.ViewColumn.Beside, preview: false });
}

export function registerOnboarding(): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.newPipeline, async (folderArg?: unknown, nameArg?: unknown) => {
      const target = folderArg instanceof vscode.Uri ? { folder: folderArg } : await targetFolder();
      if (target.dismissed) return undefined;
      const folder = target.folder;
      const name =
        typeof nameArg === 'string'
          ? nameArg
          : await vscode.window.showInputBox({ title: 'New Pipeline', prompt: 'Its name (also the file name: NAME.pipeline.yaml)', value: 'my-pipeline' });
      if (name === undefined) return undefined;
      const slug = pipelineSlug(name);
      if (!folder) {
        // No folder open: an untitled pipeline, saved wherever the user likes.
        const doc = await vscode.workspace.openTextDocument({ language: 'pipewright', content: pipelineTemplate(slug) });
        await showBeside(doc);
        return doc.uri;
      }
      const uri = await freeFile(folder, slug);
      await vscode.workspace.fs.writeFile(uri, Buffer.from(pipelineTemplate(slug)));
      await showBeside(await vscode.workspace.openTextDocument(uri));
      return uri;
    }),
    vscode.commands.registerCommand(Commands.openExample, async () => {
      const [example] = await vscode.workspace.findFiles('**/products.pipeline.yaml', '**/node_modules/**', 1);
      if (!example) return vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.newPipeline);
      await showBeside(await vscode.workspace.openTextDocument(example));
      return example;
    }),
  ];
}
