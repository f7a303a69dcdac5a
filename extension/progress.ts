import * as vscode from 'vscode';
import { formatCount, formatHeadline, plural } from '../engine/format';
import type { RunModel } from './run-model';
import type { RunStore } from './run-store';

/** A cancellable progress notification for one run, updated with its record count and rate. */
export function showRunProgress(store: RunStore, model: RunModel): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Pipewright: ${model.pipelineName}`, cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        const subscriptions: vscode.Disposable[] = [];
        let shown = 0;
        const done = () => {
          for (const s of subscriptions) s.dispose();
          resolve();
        };
        subscriptions.push(
          token.onCancellationRequested(() => store.stop(model.id)),
          store.onDidChange((c) => {
            if (c.model !== model || !c.run) return;
            const f = model.frame;
            // pv-like: the share of the source file read, when known (the bar moves by increments).
            const percent = f.progress?.source?.percent;
            const increment = percent !== undefined ? Math.max(0, percent - shown) : undefined;
            if (percent !== undefined) shown = percent;
            progress.report({
              message: f.progress ? formatHeadline(f.progress) : plural(f.records, 'record', formatCount(f.records)),
              ...(increment !== undefined ? { increment } : {}),
            });
          }),
          store.onDidEnd((m) => {
            if (m === model) done();
          }),
        );
        if (!model.running) done();
      }),
  );
}
