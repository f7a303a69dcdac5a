// Where to save something of a run (its trace, its records): the URI a caller passed (tests, other
// extensions), else what the user picks in a save dialog that starts next to the pipeline file.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunModel } from './run-model';

/** `suffix` ends the proposed name `<pipeline>-run-<id><suffix>`. */
export async function saveTarget(
  model: RunModel,
  target: unknown,
  suffix: string,
  filters: Record<string, string[]>,
  saveLabel: string,
): Promise<vscode.Uri | undefined> {
  if (target instanceof vscode.Uri) return target;
  const base = path.basename(model.file).replace(/\.pipeline\.ya?ml$/, '');
  const defaultUri = vscode.Uri.file(path.join(path.dirname(model.file), `${base}-run-${model.id}${suffix}`));
  return await vscode.window.showSaveDialog({ defaultUri, filters, saveLabel });
}
