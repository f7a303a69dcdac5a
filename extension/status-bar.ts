import * as vscode from 'vscode';
import { formatCount, formatHeadline } from '../engine/format';
import { Commands } from './command-ids';
import type { RunStore } from './run-store';

/** While pipelines run: their live record rate; a click shows the run panel. Hidden otherwise. */
export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pipewright.run', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: RunStore) {
    this.item.name = 'Pipewright run';
    this.item.command = Commands.showRun;
    this.subscriptions = [store.onDidChange(() => this.update()), store.onDidEnd(() => this.update())];
  }

  private update(): void {
    const running = this.store.running();
    if (running.length === 0) {
      this.item.hide();
      return;
    }
    const [first] = running;
    this.item.text =
      running.length === 1 && first
        ? `$(sync~spin) ${first.pipelineName}: ${first.frame.progress ? formatHeadline(first.frame.progress) : `${formatCount(first.frame.records)} rec`}`
        : `$(sync~spin) ${running.length} pipelines running`;
    this.item.tooltip = 'Pipewright: show the run (graph, stage table, rates over time)';
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
