import * as vscode from 'vscode';

/**
 * Pipelines run arbitrary commands, so they run only in trusted workspaces; checking, completion
 * and hovers work everywhere. Returns true when running is allowed, else tells the user why.
 */
export function mayRun(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showErrorMessage(
      'Pipewright: pipelines run commands, so they run only in trusted workspaces. Trust this workspace to run it; checking works either way.',
      'Manage Workspace Trust',
    )
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
