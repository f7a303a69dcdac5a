import * as vscode from 'vscode';
import type { PipewrightApi } from '../../../extension/extension';
import type { RunModel } from '../../../extension/run-model';

export async function api(): Promise<PipewrightApi> {
  const ext = vscode.extensions.getExtension<PipewrightApi>('pipewright.pipewright');
  if (!ext) throw new Error('the Pipewright extension is not loaded');
  return ext.activate();
}

/** Resolves when the run has ended and its processes are gone (waits on the extension's event). */
export async function ended(model: RunModel): Promise<RunModel> {
  const { onDidEndRun } = await api();
  if (!model.running) return model;
  return new Promise((resolve) => {
    const sub = onDidEndRun((m) => {
      if (m === model) {
        sub.dispose();
        resolve(m);
      }
    });
  });
}

/** Resolves once `accept(model)` holds after one of the run's changes (the store's, not a view's: views pace themselves). */
export async function until(model: RunModel, accept: (m: RunModel) => boolean): Promise<RunModel> {
  const { onDidChangeRun } = await api();
  if (accept(model)) return model;
  return new Promise((resolve) => {
    const sub = onDidChangeRun(() => {
      if (accept(model)) {
        sub.dispose();
        resolve(model);
      }
    });
  });
}
