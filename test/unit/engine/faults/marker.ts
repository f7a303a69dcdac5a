import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Every process of a run inherits the environment it was started with (segment bash, wrappers,
 * stages, worker copies, their children and grandchildren), so a variable unique to one test
 * finds all of them in /proc, wherever they were reparented and whatever group they joined.
 */
export const markerVariable = 'PIPEWRIGHT_TEST_MARK';

let next = 0;
export function newMarker(): string {
  return `${process.pid}-${++next}-${Math.random().toString(36).slice(2)}`;
}

export function envWith(marker: string): Record<string, string | undefined> {
  return { ...process.env, [markerVariable]: marker };
}

/** Live processes carrying `marker` (zombies have no environment left: see `zombiesOf`). */
export function marked(marker: string): string[] {
  const needle = `${markerVariable}=${marker}\0`;
  const found: string[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!fs.readFileSync(`/proc/${name}/environ`, 'latin1').includes(needle)) continue;
      found.push(`${name} ${fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 80)}`);
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}

/**
 * Waits until no process carries `marker`: polls /proc on each turn of the event loop, bounded
 * only by the test's timeout (the processes are on their way out; how long that takes on a
 * shared machine is not what the test is about).
 */
export async function waitUntilGone(marker: string): Promise<void> {
  while (marked(marker).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Waits until the processes carrying `marker` satisfy `ready` (processes start in their own time: a grandchild after its parent). */
export async function waitUntilMarked(marker: string, ready: (processes: string[]) => boolean): Promise<string[]> {
  for (;;) {
    const found = marked(marker);
    if (ready(found)) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The built CLI running `file` in the background (`env` carries the marker), once its stderr has said
 * `[announce] started` (a stage of the pipeline says so when it runs); `exit` resolves with how it ended.
 */
export async function cliAnnounced(
  cliPath: string,
  file: string,
  env: Record<string, string | undefined>,
): Promise<{ child: ChildProcess; exit: Promise<unknown> }> {
  const child = spawn(process.execPath, [cliPath, 'run', '-q', file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = new Promise((resolve) => child.on('exit', (code, sig) => resolve({ code, sig })));
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes('[announce] started')) resolve();
    });
  });
  return { child, exit };
}

/** Temporary files `write` leaves next to its target if it fails to clean up. */
export function temporaryFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.pipewright-tmp'));
}

export function scratchDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-faults-'));
}
