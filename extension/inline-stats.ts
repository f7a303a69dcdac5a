import * as vscode from 'vscode';
import type { RunModel } from './run-model';
import type { RunStore } from './run-store';
import { stageRow } from './stage-row';

/** Each stage's live stats after its line in the editor, while the run goes on and after. */
export class InlineStats implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[];
  private readonly pending = new Set<RunModel>();
  /** Files edited since their latest run started: their stats stay off until the next run. */
  private readonly edited = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly enabled: () => boolean,
  ) {
    this.subscriptions = [
      store.onDidChange((c) => this.schedule(c.model)),
      store.onDidEnd((m) => this.schedule(m)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.store.runs().forEach((m) => this.schedule(m))),
      store.onDidStart((m) => this.edited.delete(m.file)),
      // An edit moves lines: stale positions would mislead, so the stats go until the next run —
      // and are not drawn again meanwhile (each draw while the user types re-lays the lines out).
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || e.document.uri.scheme !== 'file' || this.edited.has(e.document.uri.fsPath)) return;
        this.edited.add(e.document.uri.fsPath);
        for (const editor of vscode.window.visibleTextEditors) if (editor.document === e.document) editor.setDecorations(this.decoration, []);
      }),
    ];
  }

  /** The store already refreshes at its own pace (one frame per refresh): draw on the next turn. */
  private schedule(model: RunModel): void {
    this.pending.add(model);
    this.timer ??= setTimeout(() => this.flush(), 0);
  }

  private flush(): void {
    this.timer = undefined;
    for (const model of this.pending) this.render(model);
    this.pending.clear();
  }

  private render(model: RunModel): void {
    const spans = this.store.spansOf(model.id);
    const editors = vscode.window.visibleTextEditors.filter((e) => e.document.uri.fsPath === model.file);
    if (editors.length === 0 || this.edited.has(model.file)) return;
    const stages = model.frame.stages;
    if (!spans || !this.enabled() || stages.length === 0 || this.store.latestOf(model.file) !== model) return;
    for (const editor of editors) {
      const options = stages.map((s) => {
        const head = spans.heads[s.index] ?? { start: 0, end: 0 };
        const line = editor.document.positionAt(head.start).line;
        const end = editor.document.lineAt(line).range.end;
        return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: `  ${stageRow(s).line}` } } };
      });
      editor.setDecorations(this.decoration, options);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.decoration.dispose();
  }
}
