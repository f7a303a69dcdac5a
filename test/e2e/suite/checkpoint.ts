// A test inside the extension host cannot see the rendered workbench; at a checkpoint it asks
// the harness (which drives the browser) to check the DOM, and waits for the answer. Both sides
// meet through files in the workspace and wait on fs.watch events, not on time.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const checkpointDir = '.e2e-checkpoints';

export interface CheckpointAnswer {
  ok: boolean;
  error?: string;
  /** What the check read from the page (JSON), for the suite to assert on. */
  data?: unknown;
}

export function checkpointFiles(workspace: string, name: string): { ask: string; answer: string } {
  const dir = path.join(workspace, checkpointDir);
  return { ask: path.join(dir, `${name}.ask`), answer: path.join(dir, `${name}.answer`) };
}

/** Resolves when `file` exists (or rejects after `timeoutMs`). */
export function waitForFile(file: string, timeoutMs: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return new Promise((resolve, reject) => {
    const watcher = fs.watch(path.dirname(file), () => {
      if (fs.existsSync(file)) done();
    });
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${path.basename(file)} did not appear within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      watcher.close();
      resolve();
    };
    if (fs.existsSync(file)) done();
  });
}

/**
 * From the suite: asks the harness to run checkpoint `name` with `args` (JSON) and returns its
 * answer. The ask file is written aside and renamed, so the harness never reads half of it.
 */
export async function checkpoint(workspace: string, name: string, args: unknown = null, timeoutMs = 60_000): Promise<CheckpointAnswer> {
  const { ask, answer } = checkpointFiles(workspace, name);
  fs.mkdirSync(path.dirname(ask), { recursive: true });
  fs.rmSync(answer, { force: true });
  fs.writeFileSync(`${ask}.tmp`, JSON.stringify(args));
  fs.renameSync(`${ask}.tmp`, ask);
  await waitForFile(answer, timeoutMs);
  const reply = JSON.parse(fs.readFileSync(answer, 'utf8')) as CheckpointAnswer;
  fs.rmSync(answer, { force: true });
  return reply;
}
