// The native program of the engine (engine/native/, docs/engine-protocol.md), compiled with the
// system's C compiler: dist/pw-segment runs every local segment. Used by scripts/build.ts, and by
// scripts/native-sanitized.ts for an AddressSanitizer/UndefinedBehaviorSanitizer build.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const src = (f: string) => path.join(root, 'engine/native', f);

/** Each program and its sources. */
export const nativePrograms: Record<string, string[]> = {
  'pw-segment': [src('segment.c'), src('plan.c'), src('count.c'), src('merge.c')],
};

export const strictFlags = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror'];

/**
 * Compiles every program into `outDir` with `flags` (default: strict and static, so the build
 * runs on any Linux of its architecture). Returns the names it could not build, with why.
 */
export function buildNative(outDir: string, flags: readonly string[] = [...strictFlags, '-static']): string[] {
  const cc = process.env.CC ?? 'gcc';
  mkdirSync(outDir, { recursive: true }); // a fresh clone has no dist/ yet when `npm ci` builds
  const failed: string[] = [];
  for (const [name, sources] of Object.entries(nativePrograms)) {
    const out = path.join(outDir, name);
    rmSync(out, { force: true });
    const r = spawnSync(cc, [...flags, '-o', out, ...sources], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) failed.push(`${name} (\`${cc}\` ${r.error ? 'not found' : 'failed'})`);
  }
  return failed;
}
