// The stage-stats tree: one root per run, one node per stage, detail rows under each stage.
// Node objects are kept per run and stage, so a change refreshes just that node.
import * as vscode from 'vscode';
import { fileRead, formatBusy, formatBytes, formatCount, formatDuration, formatExact, plural, statusText } from '../engine/format';
import type { StageStatus } from '../engine';
import { Commands } from './command-ids';
import { inputRow, type RunModel, type RunState, type StageView } from './run-model';
import { newestFirst, runRow, runRowId, shownState } from './run-rows';
import type { RunStore } from './run-store';
import { stageRow } from './stage-row';
import { ViewPace } from './view-pace';

const stageIcons: Record<StageStatus, [string, string?]> = {
  pending: ['circle-outline'],
  queued: ['clock'],
  running: ['loading~spin'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  'stopped-early': ['debug-step-out', 'testing.iconSkipped'],
  cancelled: ['circle-slash', 'testing.iconSkipped'],
  'timed-out': ['watch', 'testing.iconFailed'],
};

const runIcons: Record<RunState, [string, string?]> = {
  running: ['sync~spin'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', 'testing.iconSkipped'],
  refused: ['warning', 'problemsWarningIcon.foreground'],
  interrupted: ['debug-disconnect', 'testing.iconSkipped'],
};

const { Expanded, Collapsed } = vscode.TreeItemCollapsibleState;

function icon([id, color]: [string, string?]): vscode.ThemeIcon {
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

export class RunNode {
  constructor(
    readonly model: RunModel,
    private readonly store: RunStore,
  ) {}

  item(): vscode.TreeItem {
    const m = this.model;
    const newest = this.store.newest() === m;
    const item = new vscode.TreeItem(m.to ? `${m.pipelineName} → ${m.to}` : m.pipelineName, newest ? Expanded : Collapsed);
    item.id = runRowId(m, this.store.newest());
    const row = runRow(m, this.store.isRestored(m));
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.accessibilityInformation = { label: row.accessible };
    item.iconPath = icon(runIcons[shownState(m.frame)]);
    item.contextValue = m.running ? 'pipewright.run.running' : 'pipewright.run.ended';
    return item;
  }
}

export class StageNode {
  /** The stage as its row was last drawn: its detail rows are drawn from the same frame. */
  private shown: StageView | undefined;

  constructor(
    readonly model: RunModel,
    readonly index: number,
  ) {}

  get stage(): StageView | undefined {
    return this.shown ?? this.model.frame.stages[this.index];
  }

  item(): vscode.TreeItem {
    this.shown = this.model.frame.stages[this.index];
    const s = this.stage!;
    const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `stage:${this.model.id}:${this.index}`;
    item.iconPath = icon(stageIcons[s.status]);
    const row = stageRow(s);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.accessibilityInformation = { label: row.accessible };
    item.contextValue = 'pipewright.stage';
    item.command = { command: Commands.revealStage, title: 'Show the stage in the file', arguments: [this] };
    return item;
  }
}

export class DetailNode {
  constructor(
    /** Short, so the value is in sight at the view's default width. */
    readonly label: string,
    readonly value: string,
    /** What the row measures, in the tooltip. */
    readonly explain?: string,
  ) {}

  item(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.description = this.value;
    item.tooltip = `${this.label}: ${this.value}${this.explain ? `\n${this.explain}` : ''}`;
    return item;
  }
}

export type TreeNode = RunNode | StageNode | DetailNode;

/** The rows under a stage; `stages`: the run's, to name the stages it reads. */
export function stageDetails(s: StageView, stages: readonly StageView[] = []): DetailNode[] {
  const rows: DetailNode[] = [new DetailNode('status', statusText[s.status])];
  const reads = inputRow(s, stages);
  if (reads) rows.push(new DetailNode(reads.label, reads.value));
  const st = s.stats;
  if (st) {
    const edge = (records: number | undefined, bytes: number | undefined) =>
      records === undefined || bytes === undefined ? 'not counted' : `${formatExact(records)} records, ${formatBytes(bytes)}`;
    rows.push(
      st.index === 0 && st.recordsIn === undefined
        ? new DetailNode('in', 'not an edge', 'The first stage: it reads no other stage.')
        : new DetailNode('in', edge(st.recordsIn, st.bytesIn), 'Records and bytes on the edge into this stage.'),
      new DetailNode('out', edge(st.recordsOut, st.bytesOut), 'Records and bytes on the edge to the next stage.'),
      new DetailNode('rate out', `${st.recordsPerSec !== undefined ? `${formatCount(st.recordsPerSec)} rec/s, ` : ''}${formatBytes(st.rateOut)}/s`),
      ...(st.source ? [new DetailNode('file read', fileRead(st.source), "How far the stage is into the file it reads (its open file's offset).")] : []),
      ...(st.wrote ? [new DetailNode('file written', `${st.wrote.file}, ${plural(st.wrote.bytes, 'byte', formatExact(st.wrote.bytes))}`)] : []),
      new DetailNode(
        'process I/O',
        `read ${formatBytes(st.procBytesRead)}, written ${formatBytes(st.procBytesWritten)}`,
        "All the process read and wrote: every file, its stderr, its start-up reads; not the stage's edges.",
      ),
      new DetailNode('CPU', `user ${formatDuration(st.cpuUserMs)}, sys ${formatDuration(st.cpuSysMs)}, busy ${formatBusy(st.busy)}`),
      new DetailNode('waiting', `to read ${Math.round(st.waitingRead * 100)}%, to write ${Math.round(st.waitingWrite * 100)}%`),
      new DetailNode('memory', `${s.status === 'running' ? `RSS ${formatBytes(st.rssKb * 1024)}, ` : ''}peak ${formatBytes(st.maxRssKb * 1024)}`),
      new DetailNode('duration', formatDuration(st.durationMs)),
    );
    if (st.bottleneck) rows.push(new DetailNode('bottleneck', 'this stage limits the throughput'));
    st.workers?.forEach((w, i) =>
      rows.push(
        new DetailNode(
          `worker ${i + 1}`,
          [
            statusText[w.status],
            w.step,
            w.recordsIn !== undefined ? `${formatCount(w.recordsIn)} rec in` : undefined,
            w.recordsOut !== undefined ? `${formatCount(w.recordsOut)} rec out` : undefined,
            `read ${formatBytes(w.procBytesRead)}`,
            `written ${formatBytes(w.procBytesWritten)}`,
            `busy ${formatBusy(w.busy)}`,
          ]
            .filter(Boolean)
            .join(' · '),
        ),
      ),
    );
    if (st.host) rows.push(new DetailNode('host', st.host));
    if (st.step) rows.push(new DetailNode('Slurm', st.step, 'The job step it runs as, and the node Slurm placed it on (its job while it waits).'));
    if (st.pid !== undefined) rows.push(new DetailNode('pid', st.host ? `${st.pid} (on ${st.host})` : String(st.pid)));
  }
  if (s.exitCode !== undefined) rows.push(new DetailNode('exit code', String(s.exitCode)));
  if (s.signal !== undefined) rows.push(new DetailNode('signal', s.signal));
  // The stderr tail first: the engine's message for a failed stage refers to it as "above".
  s.stderrTail.forEach((line, i) => rows.push(new DetailNode(i === 0 ? 'stderr' : '', line)));
  if (s.message) rows.push(new DetailNode('message', s.message));
  return rows;
}

export class StageTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly runNodes = new Map<number, RunNode>();
  private readonly stageNodes = new Map<string, StageNode>();
  private readonly dirty = new Set<TreeNode>();
  private structural = false;
  /** One refresh in flight at a time (see ViewPace): the view never falls behind the runs. */
  private readonly pace = new ViewPace(() => this.flush(), 1000);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: RunStore) {
    const structural = () => {
      this.structural = true;
      this.pace.request();
    };
    this.subscriptions = [
      store.onDidChange((c) => {
        const known = this.runNodes.get(c.model.id);
        if (!known) this.structural = true;
        else {
          // The run's row says a state derived from its stages: it changes with them.
          if (c.run || c.stages.length > 0) this.dirty.add(known);
          for (const i of c.stages) this.dirty.add(this.stageNode(c.model, i));
        }
        this.pace.request();
      }),
      // A new run goes on top, open, and folds the one before; removed runs leave.
      store.onDidStart(structural),
      store.onDidRemove(structural),
    ];
  }

  /** Fires the pending refreshes now (also used by tests to read the view as it will be drawn). */
  flush(): void {
    if (this.structural) {
      this.structural = false;
      this.dirty.clear();
      this.emitter.fire(undefined);
      return;
    }
    // One event for all: VS Code refreshes them together (each event would be a refresh of its own).
    if (this.dirty.size > 0) this.emitter.fire([...this.dirty]);
    this.dirty.clear();
  }

  /** The node of a run (the same object for the run's lifetime, so it can be revealed). */
  runNode(model: RunModel): RunNode {
    let node = this.runNodes.get(model.id);
    if (!node) {
      node = new RunNode(model, this.store);
      this.runNodes.set(model.id, node);
    }
    return node;
  }

  private stageNode(model: RunModel, index: number): StageNode {
    const key = `${model.id}:${index}`;
    let node = this.stageNodes.get(key);
    if (!node) {
      node = new StageNode(model, index);
      this.stageNodes.set(key, node);
    }
    return node;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    this.pace.taken();
    return node.item();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    this.pace.taken();
    if (!node) {
      // Forget nodes of runs that left the history.
      const runs = this.store.runs();
      const current = new Set(runs.map((m) => m.id));
      for (const [id] of this.runNodes) if (!current.has(id)) this.runNodes.delete(id);
      for (const [key, n] of this.stageNodes) if (!current.has(n.model.id)) this.stageNodes.delete(key);
      return newestFirst(runs).map((m) => this.runNode(m));
    }
    if (node instanceof RunNode) return node.model.stages.map((s) => this.stageNode(node.model, s.index));
    if (node instanceof StageNode) return node.stage ? stageDetails(node.stage, node.model.frame.stages) : [];
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node instanceof StageNode ? this.runNode(node.model) : undefined;
  }

  dispose(): void {
    this.pace.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
