// The run panel: one webview that follows the latest run, or stays pinned on one run. It sends
// the webview a view model a few times a second while its run changes; the webview keeps the
// last one in its state, and a serializer brings the panel back after a window reload.
import * as vscode from 'vscode';
import { Commands } from '../command-ids';
import { Coalescer } from '../coalescer';
import type { RunModel } from '../run-model';
import type { RunStore } from '../run-store';
import { recordsViewType } from '../records/protocol';
import { adoptWebview, viewColumn } from '../webview/host';
import { panelPage } from './html';
import { layoutInput, panelView, type PanelView } from './model';
import { panelViewType, type FromPanel, type PanelState, type ToPanel } from './protocol';

export class RunPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private runId: number | undefined;
  private pinned = false;
  private readonly refresh: Coalescer;
  /** The last view sent (tests read it; the webview draws it). */
  lastView: PanelView | undefined;
  private readonly posted = new vscode.EventEmitter<PanelView>();
  /** Fires after each view sent to the webview. */
  readonly onDidPost = this.posted.event;

  constructor(
    private readonly store: RunStore,
    private readonly extensionUri: vscode.Uri,
    /** Coalesces updates: a few per second, whatever the event rate. */
    refreshMs = 250,
  ) {
    this.refresh = new Coalescer(() => this.post(), refreshMs);
    this.subscriptions = [
      vscode.window.registerWebviewPanelSerializer(panelViewType, {
        deserializeWebviewPanel: (panel, state: PanelState | undefined) => {
          const id = state?.view?.runId;
          this.pinned = state?.view?.pinned === true && id !== undefined && store.find(id) !== undefined;
          this.runId = this.pinned ? id : undefined;
          this.adopt(panel);
          return Promise.resolve();
        },
      }),
      store.onDidStart((m) => {
        if (this.panel && !this.pinned) this.follow(m);
      }),
      store.onDidChange((c) => {
        if (c.model.id === this.current()?.id) this.schedule();
      }),
      store.onDidEnd((m) => {
        if (m.id === this.current()?.id) this.schedule();
      }),
      store.onDidRemove(() => {
        if (this.runId !== undefined && !store.find(this.runId)) this.pinned = false;
        this.schedule();
      }),
    ];
  }

  /** The run shown: the pinned one, else the latest. */
  current(): RunModel | undefined {
    const pinned = this.runId !== undefined ? this.store.find(this.runId) : undefined;
    if (this.pinned && pinned) return pinned;
    return this.store.runs().at(-1);
  }

  get visible(): boolean {
    return this.panel?.visible === true;
  }

  /** Opens (or brings forward) the panel on `model` (pinned to it unless it is the latest run), or following the latest run. */
  show(model?: RunModel): void {
    if (model) {
      this.runId = model.id;
      this.pinned = model !== this.store.runs().at(-1);
    }
    if (this.panel) this.panel.reveal(undefined, true);
    else {
      const panel = vscode.window.createWebviewPanel(panelViewType, 'Pipewright Run', { viewColumn: viewColumn([recordsViewType]), preserveFocus: true }, {});
      this.adopt(panel);
    }
    this.post();
  }

  private follow(model: RunModel): void {
    this.runId = model.id;
    this.schedule();
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    adoptWebview(panel, this.extensionUri, panelPage, {
      receive: (m: FromPanel) => this.receive(m),
      shown: () => this.post(),
      disposed: () => {
        this.panel = undefined;
        this.pinned = false;
      },
    });
  }

  private receive(m: FromPanel): void {
    const model = this.current();
    switch (m.type) {
      case 'ready':
        return this.post();
      case 'reveal':
        if (model) void vscode.commands.executeCommand(Commands.revealStage, { runId: model.id, index: m.index, log: true });
        return;
      case 'pin':
        this.pinned = m.pinned;
        this.runId = model?.id;
        return this.post();
      case 'showRun': {
        const target = this.store.find(m.runId);
        if (target) this.show(target);
        return;
      }
      case 'stop':
        if (model) this.store.stop(model.id);
        return;
      case 'records':
        if (model) void vscode.commands.executeCommand(Commands.showRecords, { runId: model.id });
        return;
      case 'exportTrace':
        if (model) void vscode.commands.executeCommand(Commands.exportTrace, { runId: model.id });
        return;
      case 'compare':
        if (!model) return;
        if (m.runId === undefined) void vscode.commands.executeCommand(Commands.compareWithPrevious, { runId: model.id });
        else void vscode.commands.executeCommand(Commands.compareRuns, { a: Math.min(m.runId, model.id), b: Math.max(m.runId, model.id) });
        return;
    }
  }

  private schedule(): void {
    if (!this.panel) return;
    this.refresh.later();
  }

  /** Sends the current view now (also used by tests to wait for the webview). */
  post(): void {
    this.refresh.cancel();
    if (!this.panel) return;
    const model = this.current();
    let message: ToPanel;
    if (!model) message = { type: 'empty', message: 'No run to show yet: run a pipeline (▶ Run pipeline above `stages:`).' };
    else {
      const view = panelView({
        model,
        timeline: this.store.timelineOf(model)?.stages,
        history: this.store.historyOf(model.file),
        pinned: this.pinned,
        restored: this.store.isRestored(model),
      });
      this.panel.title = `Run: ${view.title}`;
      this.lastView = view;
      message = { type: 'view', view, layout: layoutInput(view) };
    }
    // Messages to a hidden webview are dropped; it asks again ('ready') when it is shown.
    if (!this.panel.visible) return;
    void this.panel.webview.postMessage(message).then(() => {
      if (message.type === 'view') this.posted.fire(message.view);
    });
  }

  dispose(): void {
    this.refresh.cancel();
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.posted.dispose();
  }
}
