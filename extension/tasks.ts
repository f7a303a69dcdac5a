import * as path from 'node:path';
import * as vscode from 'vscode';

/** `tasks.json`: `{ "type": "pipewright", "command": "run", "file": "examples/x.pipeline.yaml" }` */
export interface PipewrightTaskDefinition extends vscode.TaskDefinition {
  type: 'pipewright';
  command: 'run' | 'check';
  /** Pipeline file, relative to the workspace folder. `check` also takes a glob such as `**\/*.pipeline.yaml` (expanded here). */
  file: string;
  to?: string;
  limit?: number;
}

export const taskType = 'pipewright';

/**
 * Runs pipelines and checks from Tasks: Run Task, through the `pipewright` CLI on the extension
 * host's own Node (VS Code's PATH may have none). Check output feeds the `$pipewright` matcher.
 */
export class PipewrightTaskProvider implements vscode.TaskProvider {
  constructor(private readonly cliPath: string) {}

  async provideTasks(): Promise<vscode.Task[]> {
    const files = await vscode.workspace.findFiles('**/*.pipeline.{yaml,yml}', ignored, 100);
    const tasks: vscode.Task[] = [];
    for (const uri of files) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder) continue;
      const file = vscode.workspace.asRelativePath(uri, false);
      tasks.push(this.build({ type: taskType, command: 'run', file }, folder, [file]));
      tasks.push(this.build({ type: taskType, command: 'check', file }, folder, [file]));
    }
    return tasks;
  }

  async resolveTask(task: vscode.Task): Promise<vscode.Task | undefined> {
    const def = task.definition as PipewrightTaskDefinition;
    if (def.type !== taskType || typeof def.file !== 'string') return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const files = def.command === 'check' ? await expandGlob(def.file, folder) : [def.file];
    return this.build(def, folder, files, task.name);
  }

  private build(def: PipewrightTaskDefinition, folder: vscode.WorkspaceFolder, files: string[], name?: string): vscode.Task {
    const args = [this.cliPath, def.command, ...files];
    if (def.command === 'run' && def.to) args.push('--to', def.to);
    if (def.command === 'run' && def.limit !== undefined) args.push('--limit', String(def.limit));
    const execution = new vscode.ProcessExecution(process.execPath, args, { cwd: folder.uri.fsPath, env: { ELECTRON_RUN_AS_NODE: '1' } });
    const task = new vscode.Task(def, folder, name ?? `${def.command} ${def.file}`, 'pipewright', execution, def.command === 'check' ? ['$pipewright'] : []);
    if (def.command === 'check') task.group = vscode.TaskGroup.Test;
    return task;
  }
}

const ignored = '**/node_modules/**';

/**
 * The files a `check` task's glob names, relative to the folder and sorted, as a shell with globstar
 * would expand it (the task runs without a shell). A plain path, or a glob that matches nothing, is
 * passed on as written, so the CLI reports it as unreadable (exit 2).
 */
async function expandGlob(file: string, folder: vscode.WorkspaceFolder): Promise<string[]> {
  if (!/[*?[{]/.test(file)) return [file];
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, file), ignored);
  const files = found.map((uri) => path.relative(folder.uri.fsPath, uri.fsPath)).sort();
  return files.length > 0 ? files : [file];
}
