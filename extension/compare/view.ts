// The Compare view: one webview comparing two runs — their stages' numbers side by side with the
// changes, their edges, and (when both outputs were kept) their records, whole lines or by a key.
// The comparing is engine/compare's; this is the host side that feeds it and the webview.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { compareRecords } from '../../engine/compare/records-diff';
import { compareStats } from '../../engine/compare/stats-diff';
import { Commands } from '../command-ids';
import { settings } from '../config';
import { parseRecord, textColumn, valueColumn } from '../records/model';
import type { RecordsPanel } from '../records/view';
import type { RunModel } from '../run-model';
import type { RunStore } from '../run-store';
import { adoptWebview } from '../webview/host';
import { comparePage } from './html';
import { runHead, statsPart, type CompareView, type RecordsPart, type StatsPart } from './model';
import { compareViewType, type CompareState, type FromCompare, type ToCompare } from './protocol';

/** Examples the records diff keeps of each kind. */
const examples = 20;

export class ComparePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private pair: { a: number; b: number } | undefined;
  private key = '';
  private records: RecordsPart = { state: 'unavailable', why: '' };
  /** Counts records diffs started, so a late answer for an earlier pair or key is dropped. */
  private generation = 0;
  /** The last view sent (tests read it; the webview draws it). */
  lastView: CompareView | undefined;
  private readonly posted = new vscode.EventEmitter<CompareView>();
  readonly onDidPost = this.posted.event;

  constructor(
    private readonly store: RunStore,
    private readonly extensionUri: vscode.Uri,
    private readonly recordsView: RecordsPanel,
  ) {
    this.subscriptions = [
      vscode.window.registerWebviewPanelSerializer(compareViewType, {
        deserializeWebviewPanel: (panel, state: CompareState | undefined) => {
          const v = state?.view;
          const a = v && store.find(v.a.id);
          const b = v && store.find(v.b.id);
          this.adopt(panel);
          if (a && b) void this.show(a, b, v.records.state === 'done' ? (v.records.comparison.key ?? '') : '');
          else void this.post();
          return Promise.resolve();
        },
      }),
      store.onDidRemove((ids) => {
        if (this.pair && (ids.includes(this.pair.a) || ids.includes(this.pair.b))) void this.post();
      }),
    ];
  }

  /** Opens (or brings forward) the view comparing run `a` (before) with run `b` (after). */
  async show(a: RunModel, b: RunModel, key = ''): Promise<void> {
    this.pair = { a: a.id, b: b.id };
    this.key = key.trim();
    if (this.panel) this.panel.reveal(undefined, true);
    else
      this.adopt(
        vscode.window.createWebviewPanel(compareViewType, 'Compare Runs', { viewColumn: vscode.ViewColumn.Active }, { retainContextWhenHidden: false }),
      );
    this.compareRecords(a, b);
    await this.post();
  }

  get visible(): boolean {
    return this.panel?.visible === true;
  }

  /** Resolves with the view once the records diff has an answer (tests wait on it). */
  settled(): Promise<CompareView> {
    const done = (v: CompareView | undefined) => v !== undefined && v.records.state !== 'comparing';
    if (done(this.lastView)) return Promise.resolve(this.lastView!);
    return new Promise((resolve) => {
      const sub = this.onDidPost((v) => {
        if (!done(v)) return;
        sub.dispose();
        resolve(v);
      });
    });
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    adoptWebview(panel, this.extensionUri, comparePage, {
      receive: (m: FromCompare) => this.receive(m),
      shown: () => void this.post(),
      disposed: () => {
        this.panel = undefined;
        this.generation++;
      },
    });
  }

  private runs(): { a: RunModel; b: RunModel } | undefined {
    const a = this.pair && this.store.find(this.pair.a);
    const b = this.pair && this.store.find(this.pair.b);
    return a && b ? { a, b } : undefined;
  }

  private receive(m: FromCompare): void {
    const runs = this.runs();
    switch (m.type) {
      case 'ready':
        void this.post();
        return;
      case 'key':
        if (runs) void this.show(runs.a, runs.b, m.key);
        return;
      case 'swap':
        if (runs) void this.show(runs.b, runs.a, this.key);
        return;
      case 'openRecord':
        if (runs) void this.recordsView.show(runs[m.run], undefined, m.n);
        return;
      case 'showRun':
        if (runs) void vscode.commands.executeCommand(Commands.showRun, { runId: runs[m.run].id });
        return;
    }
  }

  /** Starts the records diff of the two kept outputs, if both were kept. */
  private compareRecords(a: RunModel, b: RunModel): void {
    const generation = ++this.generation;
    const key = this.key || undefined;
    const spills = [a, b].map((m) => this.store.spillOf(m));
    const missing = [a, b].find((_, i) => !spills[i]);
    if (missing) {
      this.records = {
        state: 'unavailable',
        why: missing.running
          ? `Run ${missing.id} is still going; its records compare once it has ended.`
          : `The whole output of run ${missing.id} was not kept (pipewright.records.keepOutput, or a run from before it), so only the numbers compare. Rerun it to compare records.`,
      };
      return;
    }
    this.records = { state: 'comparing', key };
    compareRecords(spills[0]!, spills[1]!, { key, examples }).then(
      (comparison) => this.settle(generation, { state: 'done', comparison }),
      (e: unknown) => this.settle(generation, { state: 'failed', key, why: (e as Error).message }),
    );
  }

  private settle(generation: number, records: RecordsPart): void {
    if (generation !== this.generation) return;
    this.records = records;
    void this.post();
  }

  private statsOf(a: RunModel, b: RunModel): StatsPart {
    const sa = this.store.statsOf(a);
    const sb = this.store.statsOf(b);
    const without = [a, b].find((_, i) => !(i === 0 ? sa : sb));
    if (!sa || !sb)
      return {
        ok: false,
        why: without?.running
          ? `Run ${without.id} is still going; its numbers compare once it has ended.`
          : `Run ${without?.id} has no stage numbers (it was refused, or kept by an older version), so only the records compare.`,
      };
    return statsPart(compareStats(sa, sb, settings().compareThreshold / 100));
  }

  /** Field names of the second run's first record (read from its kept output): the keys offered for the records diff. */
  private keysOf(b: RunModel): string[] {
    const spill = this.store.spillOf(b);
    if (!spill) return [];
    const fd = fs.openSync(spill, 'r');
    try {
      const head = Buffer.alloc(64 * 1024);
      const line =
        head
          .subarray(0, fs.readSync(fd, head, 0, head.length, 0))
          .toString('utf8')
          .split('\n')[0] ?? '';
      return Object.keys(parseRecord(line, 1).cells).filter((k) => k !== textColumn && k !== valueColumn);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Sends the current view now. */
  async post(): Promise<void> {
    if (!this.panel) return;
    const runs = this.runs();
    let message: ToCompare;
    if (!runs) message = { type: 'empty', message: this.pair ? 'One of the two runs was removed from the history.' : 'Nothing to compare yet.' };
    else {
      const { a, b } = runs;
      const view: CompareView = {
        title: a.pipelineName === b.pipelineName ? a.pipelineName : `${a.pipelineName} → ${b.pipelineName}`,
        a: runHead(a),
        b: runHead(b),
        stats: this.statsOf(a, b),
        records: this.records,
        keys: this.keysOf(b),
      };
      this.panel.title = `Compare: run ${a.id} → run ${b.id}`;
      this.lastView = view;
      message = { type: 'view', view };
    }
    if (!this.panel?.visible) return;
    await this.panel.webview.postMessage(message);
    if (message.type === 'view') this.posted.fire(message.view);
  }

  dispose(): void {
    this.generation++;
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.posted.dispose();
  }
}
