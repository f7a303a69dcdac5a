// "Inspect Edge": the records flowing out of a stage — their count and the most recent ones —
// as a read-only document that follows the run live.
import * as vscode from 'vscode';
import { formatBytes } from '../engine/format';
import type { EdgePeek } from '../engine';
import type { RunModel } from './run-model';
import type { RunStore } from './run-store';

export const edgeScheme = 'pipewright-edge';

/** `pipewright-edge:/<pipeline>/after <stage>.ndjson?<run id>&<stage>` */
export function edgeUri(model: RunModel, stage: string): vscode.Uri {
  return vscode.Uri.from({ scheme: edgeScheme, path: `/${model.pipelineName}/after ${stage}.ndjson`, query: new URLSearchParams({ run: String(model.id), stage }).toString() });
}

export function edgeText(model: RunModel, stage: string, peek: EdgePeek | undefined): string {
  const state = model.running ? 'running' : model.state;
  if (!peek) return `# The edge after stage \`${stage}\` was not tapped in run ${model.id} (${state}); use Inspect Edge to run with it tapped.\n`;
  const header = [
    `# Records out of stage \`${stage}\` — run ${model.id} of ${model.pipelineName} (${state})`,
    `# ${peek.records} record${peek.records === 1 ? '' : 's'}, ${formatBytes(peek.bytes)}${model.running ? ' so far' : ''}; the ${peek.samples.length} most recent:`,
  ];
  return `${[...header, ...peek.samples].join('\n')}\n`;
}

export class EdgeDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly open = new Set<string>();
  private readonly subscriptions: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: RunStore) {
    const refresh = () => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        for (const uri of this.open) this.emitter.fire(vscode.Uri.parse(uri));
      }, 250);
    };
    this.subscriptions = [
      store.onDidChange(refresh),
      store.onDidEnd(refresh),
      vscode.workspace.onDidCloseTextDocument((d) => this.open.delete(d.uri.toString())),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    this.open.add(uri.toString());
    const q = new URLSearchParams(uri.query);
    const model = this.store.find(Number(q.get('run')));
    const stage = q.get('stage') ?? '';
    if (!model) return `# That run is gone: a newer run of the same pipeline replaced it.\n`;
    return edgeText(model, stage, this.store.peek(model, stage));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
