import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunModel } from '../../../extension/run-model';
import { api, ended, until } from './api';
import { checkpoint } from './checkpoint';
import { openPipeline, workspacePath } from './helpers';
import type { PanelDom, PanelReadArgs } from './panel-dom';

const pipeline = 'e2e/file-progress.pipeline.yaml';
/** A duration as formatDuration writes it: "963 ms", "31.0 s", "1 min 4 s" (which one depends on the machine's speed). */
const duration = '(\\d+ ms|[\\d.]+ s|\\d+ min \\d+ s)';

/** 60 MiB of records: about 30 s at the pipeline's 2 MiB/s. */
function writeBigFile(): void {
  const line = `{"id":0,"text":"${'x'.repeat(88)}"}\n`; // 100 bytes
  const block = line.repeat(10_486); // ~1 MiB
  const fd = fs.openSync(workspacePath('e2e/big.ndjson'), 'w');
  for (let i = 0; i < 60; i++) fs.writeSync(fd, block);
  fs.closeSync(fd);
}

async function ask<T>(name: string, args: unknown): Promise<T> {
  const answer = await checkpoint(workspacePath(''), name, args);
  assert.ok(answer.ok, answer.error);
  return answer.data as T;
}

describe('file progress', () => {
  afterEach(async () => {
    for (const m of (await api()).runs().filter((r) => r.running)) {
      await vscode.commands.executeCommand('pipewright.stop', { runId: m.id });
      await ended(m);
    }
    fs.rmSync(workspacePath('e2e/big.ndjson'), { force: true });
  });

  it('a run whose first stage reads a file (`command: [cat, FILE]`) shows % and ETA in the status bar and the run panel', async () => {
    writeBigFile();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await openPipeline(pipeline);
    const model = await vscode.commands.executeCommand<RunModel | undefined>('pipewright.runPipeline', vscode.Uri.file(workspacePath(pipeline)).toString());
    assert.ok(model, 'a run started');
    await vscode.commands.executeCommand('pipewright.showRun', { runId: model.id });
    // An ETA needs two samples of the file's offset, some time apart: wait for it on the run's changes.
    await until(model, (m) => m.progress?.source?.etaMs !== undefined && m.progress.source.percent >= 2);
    const source = model.progress!.source!;
    assert.equal(source.file, workspacePath('e2e/big.ndjson'));
    assert.equal(source.size, fs.statSync(source.file).size);

    const panel = await ask<PanelDom>('panel-read', {
      state: 'running',
      summaryMatches: '\\d+% · ETA ',
      screenshot: 'screenshot-progress.png',
    } satisfies PanelReadArgs);
    assert.match(panel.summary, new RegExp(`^running · [\\d.]+k? records · [\\d.]+k? rec/s · ${duration} · \\d+% · ETA ${duration}$`));
    const status = await ask<string>('statusbar-read', { hasText: 'file-progress:' });
    assert.match(status, new RegExp(`^file-progress: [\\d.]+[kM]? rec · [\\d.]+[kM]? rec/s · [\\d.]+ (B|KiB|MiB)/s · \\d+% · ETA ${duration}$`));
  });
});
