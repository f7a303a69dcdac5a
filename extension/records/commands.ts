// "Save all records…": a finished run's whole output, streamed from its spill file to a file the
// user picks, as NDJSON (byte for byte what the last stage wrote) or CSV.
import * as vscode from 'vscode';
import { formatCount, plural } from '../../engine/format';
import { Commands } from '../command-ids';
import type { RunStore } from '../run-store';
import { saveTarget } from '../save-target';
import { RunNode, StageNode } from '../stage-tree';
import { recordFilter } from './filter';
import { formatOf, saveAll } from './spill';

export function registerRecordCommands(store: RunStore): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.saveRecords, async (arg?: unknown, target?: unknown) => {
      const id = arg instanceof RunNode || arg instanceof StageNode ? arg.model.id : (arg as { runId?: unknown } | undefined)?.runId;
      const model = typeof id === 'number' ? store.find(id) : store.runs().at(-1);
      if (!model) return undefined;
      if (model.running) {
        void vscode.window.showInformationMessage(`Pipewright: run ${model.id} is still going; save its records once it has ended.`);
        return undefined;
      }
      const spill = store.spillOf(model);
      if (!spill) {
        void vscode.window.showInformationMessage(
          `Pipewright: the whole output of run ${model.id} was not kept ` +
            '(a run from before pipewright.records.keepOutput, or its file could not be written). Rerun it to save its records.',
        );
        return undefined;
      }
      // From the records view: the records its search box keeps (words or an expression).
      const query = (arg as { query?: unknown } | undefined)?.query;
      const filter = recordFilter(typeof query === 'string' ? query : '', vscode.workspace.isTrusted);
      if (filter.kind === 'invalid') {
        void vscode.window.showErrorMessage(`Pipewright: nothing saved; the filter \`${filter.query}\` is not valid. ${filter.why}`);
        return undefined;
      }
      const matching = filter.kind === 'none' ? '' : ` matching \`${filter.query}\``;
      const uri = await saveTarget(
        model,
        target,
        '.ndjson',
        { 'Newline-delimited JSON': ['ndjson', 'jsonl'], CSV: ['csv'] },
        matching ? 'Save Matching Records' : 'Save All Records',
      );
      if (!uri) return undefined;
      const { records } = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Pipewright: saving ${matching ? `the records${matching} of ` : ''}${plural(model.records, 'record', formatCount(model.records))}…`,
        },
        () => saveAll(spill, uri.fsPath, formatOf(uri.fsPath), filter.kind === 'none' ? undefined : filter.test),
      );
      void vscode.window.showInformationMessage(
        `Pipewright: ${plural(records, 'record', formatCount(records))}${matching} of run ${model.id} saved to ${vscode.workspace.asRelativePath(uri)}.`,
      );
      return uri;
    }),
  ];
}
