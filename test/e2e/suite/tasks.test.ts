import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** Runs a task and resolves with its process's exit code (waits on the task events). */
async function exitCodeOf(task: vscode.Task): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name !== task.name) return;
      sub.dispose();
      resolve(e.exitCode);
    });
    vscode.tasks.executeTask(task).then(undefined, (err: unknown) => {
      sub.dispose();
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

describe('tasks', () => {
  it('offers run and check tasks for every pipeline file, through the CLI', async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: 'pipewright' });
    const names = tasks.map((t) => t.name);
    assert.ok(names.includes('run examples/access-log.pipeline.yaml'), names.join(', '));
    assert.ok(names.includes('check e2e/broken.pipeline.yaml'), names.join(', '));
    const byName = (n: string) => tasks.find((t) => t.name === n)!;
    assert.equal(await exitCodeOf(byName('check e2e/broken.pipeline.yaml')), 1);
    assert.equal(await exitCodeOf(byName('check examples/access-log.pipeline.yaml')), 0);
    assert.equal(await exitCodeOf(byName('run examples/access-log.pipeline.yaml')), 0);
    assert.equal(await exitCodeOf(byName('run e2e/fails.pipeline.yaml')), 1);
  });

  it('expands the glob of a check task from tasks.json, as a shell would', async () => {
    // .vscode/tasks.json in the workspace (test/fixtures/e2e-tasks): a glob passed on unexpanded
    // would be one unreadable file (exit 2).
    const tasks = await vscode.tasks.fetchTasks({ type: 'pipewright' });
    const byName = (n: string) => {
      const task = tasks.find((t) => t.name === n);
      assert.ok(task, `no task "${n}" in ${tasks.map((t) => t.name).join(', ')}`);
      return task;
    };
    assert.equal(await exitCodeOf(byName('check the examples')), 0);
    assert.equal(await exitCodeOf(byName('check every pipeline')), 1); // e2e/broken.pipeline.yaml is among them
  });
});
