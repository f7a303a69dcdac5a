import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');
export const cliPath = path.join(repoRoot, 'dist/cli.cjs');

/** Runs the built CLI to completion, as a user would from the repository root. */
export function pipewright(args: string[], options: { cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: options.cwd ?? repoRoot, input: options.input ?? '', encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
