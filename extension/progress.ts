import * as vscode from 'vscode';
import { formatCount, plural } from '../engine/format';
import type { RunModel } from './run-model';
import type { RunStore } from './run-store';

/** A cancellable progress notification for one run, updated with its record count and rate. */
export function showRunProgress(store: RunStore, model: RunModel): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Pipewright: ${model.pipelineName}`, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        const subscriptions: vscode.Disposable[] = [];
        const done = () => {
          for (const s of subscriptions) s.dispose();
          resolve();
        };
        subscriptions.push(
          token.onCancellationRequested(() => store.stop(model.id)),
          store.onDidChange((c) => {
            if (c.model === model && c.run)
              progress.report({ message: `${plural(model.records, 'record', formatCount(model.records))} · ${formatCount(model.recordRate)}/s` });
          }),
          store.onDidEnd((m) => {
            if (m === model) done();
          }),
        );
        if (!model.running) done();
      }),
  );
}
