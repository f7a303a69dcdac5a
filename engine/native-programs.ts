/**
 * The engine's native program (engine/native/, built by scripts/build.ts into dist/ next to the
 * bundles, or prebuilt per platform in a package): dist/pw-segment, which runs every local
 * segment. A copy built elsewhere may not run here, so it is started once per process with
 * `probe` arguments that make it exit 0 at once.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const found = new Map<string, string | undefined>();

/** The path of dist/NAME when it runs on this machine (checked once per process). */
export function nativeProgram(name: 'pw-segment', probe: readonly string[]): string | undefined {
  if (found.has(name)) return found.get(name);
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const file = [path.join(here, name), path.join(here, '..', 'dist', name)].find((p) => fs.existsSync(p));
  const runs = file !== undefined && spawnSync(file, probe, { stdio: 'ignore', timeout: 5000 }).status === 0;
  found.set(name, runs ? file : undefined);
  return found.get(name);
}
