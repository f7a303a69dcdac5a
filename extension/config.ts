import * as vscode from 'vscode';

/** The extension's settings (package.json `contributes.configuration` describes them). */
export function settings() {
  const c = vscode.workspace.getConfiguration('pipewright');
  return {
    maxRecords: Math.max(0, c.get<number>('output.maxRecords', 1000)),
    statsIntervalMs: Math.min(5000, Math.max(50, c.get<number>('stats.intervalMs', 250))),
    inlineStats: c.get<boolean>('stats.inline', true),
    countRecords: c.get<boolean>('stats.countRecords', true),
    revealOutput: c.get<'always' | 'never'>('output.reveal', 'always'),
    historyMaxRuns: Math.min(100, Math.max(1, c.get<number>('history.maxRuns', 10))),
    recordsMaxKept: Math.min(100_000, Math.max(1, c.get<number>('records.maxKept', 1000))),
    keepOutput: c.get<boolean>('records.keepOutput', true),
    /** Percent: a rate down, or memory or time up, by more than this is a regression in Compare. */
    compareThreshold: Math.min(1000, Math.max(0, c.get<number>('compare.threshold', 20))),
  };
}
