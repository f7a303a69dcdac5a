// The records view: one webview showing the records of one run's output (the first, last or a
// sample of the kept records) or of a tapped edge, as a table. It stays on its run when later
// runs start (it says when a newer one exists), until that run leaves the history.
import * as vscode from 'vscode';
import { formatCount, plural } from '../../engine/format';
import { Commands } from '../command-ids';
import { Coalescer } from '../coalescer';
import { settings } from '../config';
import type { RunModel } from '../run-model';
import type { RunStore } from '../run-store';
import { panelViewType } from '../panel/protocol';
import { adoptWebview, viewColumn } from '../webview/host';
import { recordFilter } from './filter';
import type { KeptLine, Selection } from './keeper';
import { recordsPage } from './html';
import { recordsViewType, type FilterResult, type FromRecords, type RecordsState, type RecordsView, type ToRecords } from './protocol';

interface Source {
  runId: number;
  stage?: string | undefined;
  /** A record to show and mark (the Compare view's examples). */
  focus?: number | undefined;
}

export class RecordsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private source: Source | undefined;
  private selection: Selection = 'first';
  /** What the search box holds: it filters the kept records shown and what Save All writes. */
  private query = '';
  private readonly refresh: Coalescer;
  /** The last view sent (tests read it; the webview draws it). */
  lastView: RecordsView | undefined;
  private readonly posted = new vscode.EventEmitter<RecordsView>();
  readonly onDidPost = this.posted.event;
  private readonly copied = new vscode.EventEmitter<string>();
  /** Fires with the text put on the clipboard by "copy as JSON". */
  readonly onDidCopy = this.copied.event;

  constructor(
    private readonly store: RunStore,
    private readonly extensionUri: vscode.Uri,
    /** Coalesces updates while the run goes. */
    refreshMs = 500,
  ) {
    this.refresh = new Coalescer(() => void this.post(), refreshMs);
    this.subscriptions = [
      vscode.window.registerWebviewPanelSerializer(recordsViewType, {
        deserializeWebviewPanel: (panel, state: RecordsState | undefined) => {
          const v = state?.view;
          if (v && store.find(v.runId)) this.source = { runId: v.runId, stage: v.stage };
          if (v) this.selection = v.selection;
          this.adopt(panel);
          return Promise.resolve();
        },
      }),
      store.onDidChange((c) => {
        if (c.model.id === this.source?.runId) this.schedule();
      }),
      store.onDidStart(() => this.schedule()),
      store.onDidEnd((m) => {
        if (m.id === this.source?.runId) void this.post();
      }),
      store.onDidRemove(() => this.schedule()),
    ];
  }

  /** Opens (or brings forward) the view on a run's output, or on the edge after `stage`; `focus`: a record to show and mark. */
  async show(model: RunModel, stage?: string, focus?: number): Promise<void> {
    this.source = { runId: model.id, stage, focus };
    // The kept selection that holds the record: the first ones, the last ones, else the sample (which may hold it).
    if (focus !== undefined) {
      const max = settings().recordsMaxKept;
      this.selection = focus <= max ? 'first' : focus > model.records - max ? 'last' : 'sample';
    }
    if (this.panel) this.panel.reveal(undefined, true);
    else
      this.adopt(
        vscode.window.createWebviewPanel(
          recordsViewType,
          'Records',
          { viewColumn: viewColumn([panelViewType]), preserveFocus: true },
          { retainContextWhenHidden: false },
        ),
      );
    await this.post();
  }

  get visible(): boolean {
    return this.panel?.visible === true;
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    adoptWebview(panel, this.extensionUri, recordsPage, {
      receive: (m: FromRecords) => this.receive(m),
      shown: () => void this.post(),
      disposed: () => {
        this.panel = undefined;
      },
    });
  }

  private receive(m: FromRecords): void {
    const model = this.source && this.store.find(this.source.runId);
    switch (m.type) {
      case 'ready':
        void this.post();
        return;
      case 'select':
        this.selection = m.selection;
        if (this.source) delete this.source.focus;
        void this.post();
        return;
      case 'copy':
        void vscode.env.clipboard.writeText(m.text).then(() => {
          vscode.window.setStatusBarMessage('Pipewright: record copied as JSON', 3000);
          this.copied.fire(m.text);
        });
        return;
      case 'saveAll':
        if (model) void vscode.commands.executeCommand(Commands.saveRecords, { runId: model.id, query: this.query });
        return;
      case 'filter':
        if (m.query === this.query) return;
        this.query = m.query;
        void this.post();
        return;
      case 'showLatest': {
        const latest = model && this.store.latestOf(model.file);
        if (latest) void this.show(latest);
        return;
      }
    }
  }

  private schedule(): void {
    if (!this.panel) return;
    this.refresh.later();
  }

  /** Sends the current view now (tests wait on onDidPost). */
  async post(): Promise<void> {
    this.refresh.cancel();
    if (!this.panel) return;
    const model = this.source && this.store.find(this.source.runId);
    let message: ToRecords;
    if (!model)
      message = { type: 'empty', message: this.source ? 'That run was removed from the history, and its records with it.' : 'No records to show yet.' };
    else {
      const view = await this.viewOf(model, this.source!.stage);
      this.panel.title = view.stage !== undefined ? `Records after ${view.stage}` : `Records: ${model.pipelineName}`;
      this.lastView = view;
      message = { type: 'view', view };
    }
    if (!this.panel?.visible) return;
    await this.panel.webview.postMessage(message);
    if (message.type === 'view') this.posted.fire(message.view);
  }

  /** The filter's result over the lines shown (an expression is matched here, where code may run). */
  private filterOf(lines: readonly KeptLine[]): FilterResult | undefined {
    const f = recordFilter(this.query, vscode.workspace.isTrusted);
    switch (f.kind) {
      case 'none':
        return undefined;
      case 'words':
        return { query: f.query, kind: 'words' };
      case 'invalid':
        return { query: f.query, kind: 'invalid', why: f.why };
      case 'expression':
        return { query: f.query, kind: 'expression', matches: lines.filter((l) => f.test(l.line, l.n)).map((l) => l.n), threw: f.threw() };
    }
  }

  private async viewOf(model: RunModel, stage: string | undefined): Promise<RecordsView> {
    const view = await this.unfilteredViewOf(model, stage);
    const filter = this.filterOf(view.lines);
    return filter ? { ...view, filter } : view;
  }

  private async unfilteredViewOf(model: RunModel, stage: string | undefined): Promise<RecordsView> {
    const newer = this.store.latestOf(model.file) !== model;
    const base = { runId: model.id, state: model.state, newer, max: 0 };
    if (stage !== undefined) {
      const peek = this.store.peek(model, stage);
      const total = peek?.records ?? 0;
      const samples = peek?.samples ?? [];
      return {
        ...base,
        stage,
        title: `${model.pipelineName}: after ${stage}`,
        summary: `run ${model.id} · ${model.state} · ${plural(total, 'record', formatCount(total))} on this edge${model.running ? ' so far' : ''}`,
        total,
        selection: 'last',
        max: samples.length,
        lines: samples.map((line, i) => ({ n: total - samples.length + i + 1, line })),
        note: peek
          ? `The ${plural(samples.length, 'most recent record')} of ${formatCount(total)} that went over the edge after stage ${stage} ` +
            '(a tapped edge keeps the last 20).'
          : `The edge after stage ${stage} was not tapped in run ${model.id}.`,
        save: {
          ok: false,
          why: `A tapped edge keeps only its recent records. To save every record stage ${stage} writes, use Run to Stage on it and save that run's records.`,
        },
      };
    }
    const keeper = await this.store.keeperOf(model);
    const lines = keeper?.lines(this.selection) ?? [];
    const focus = this.source?.focus;
    const total = model.records;
    const what = { first: 'first', last: 'last', sample: 'sampled' }[this.selection];
    const missing = focus !== undefined && keeper !== undefined && !lines.some((l) => l.n === focus);
    const note = !keeper
      ? 'The records of this run were not kept ' +
        '(a run from an earlier window whose output was not saved, or pipewright.records.keepOutput is off). Rerun it to see them.'
      : lines.length === total
        ? `All ${plural(total, 'record', formatCount(total))}${model.running ? ' so far' : ''}.`
        : `The ${what} ${formatCount(lines.length)} of ${plural(total, 'record', formatCount(total))}${model.running ? ' so far' : ''} ` +
          `(pipewright.records.maxKept = ${keeper.max}).`;
    const spill = this.store.spillOf(model);
    return {
      ...base,
      title: model.to ? `${model.pipelineName} → ${model.to}` : model.pipelineName,
      summary: `run ${model.id} · ${model.state} · ${plural(total, 'record', formatCount(total))}`,
      total,
      selection: this.selection,
      max: keeper?.max ?? 0,
      lines,
      note: missing ? `${note} Record ${formatCount(focus)} is not among the kept ones; Save All to read it.` : note,
      ...(focus !== undefined && !missing ? { focus } : {}),
      save: spill
        ? { ok: true }
        : {
            ok: false,
            why: model.running ? 'Save all is possible once the run has ended.' : 'The whole output of this run was not kept; rerun it to save its records.',
          },
    };
  }

  dispose(): void {
    this.refresh.cancel();
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.posted.dispose();
    this.copied.dispose();
  }
}
