import * as vscode from 'vscode';

/** `tasks.json`: `{ "type": "pipewright", "command": "run", "file": "examples/x.pipeline.yaml" }` */
export interface PipewrightTaskDefinition extends vscode.TaskDefinition {
  type: 'pipewright';
  command: 'run' | 'check';
  /** Pipeline file, relative to the workspace folder. `check` also accepts a glob such as `**\/*.pipeline.yaml`. */
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
    const files = await vscode.workspace.findFiles('**/*.pipeline.{yaml,yml}', '**/node_modules/**', 100);
    const tasks: vscode.Task[] = [];
    for (const uri of files) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder) continue;
      const file = vscode.workspace.asRelativePath(uri, false);
      tasks.push(this.build({ type: taskType, command: 'run', file }, folder));
      tasks.push(this.build({ type: taskType, command: 'check', file }, folder));
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as PipewrightTaskDefinition;
    if (def.type !== taskType || typeof def.file !== 'string') return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    return folder ? this.build(def, folder, task.name) : undefined;
  }

  private build(def: PipewrightTaskDefinition, folder: vscode.WorkspaceFolder, name?: string): vscode.Task {
    const args = [this.cliPath, def.command, def.file];
    if (def.command === 'run' && def.to) args.push('--to', def.to);
    if (def.command === 'run' && def.limit !== undefined) args.push('--limit', String(def.limit));
    const execution = new vscode.ProcessExecution(process.execPath, args, { cwd: folder.uri.fsPath, env: { ELECTRON_RUN_AS_NODE: '1' } });
    const task = new vscode.Task(def, folder, name ?? `${def.command} ${def.file}`, 'pipewright', execution, def.command === 'check' ? ['$pipewright'] : []);
    if (def.command === 'check') task.group = vscode.TaskGroup.Test;
    return task;
  }
}
