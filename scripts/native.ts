// The native program of the engine (engine/native/, docs/engine-protocol.md): dist/pw-segment,
// which runs every local segment, compiled static for each target a C compiler is there for,
// into dist/native/TARGET/pw-segment (docs/engine.md, "Platforms"). Used by scripts/build.ts, by
// scripts/native-sanitized.ts (AddressSanitizer/UndefinedBehaviorSanitizer) and
// scripts/native-platforms.ts (the arm64 build under qemu, the portable build), and by
// scripts/package.ts (one VSIX per target).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { nativeProgramPath } from '../engine/native-programs';

const root = path.resolve(__dirname, '..');
const src = (f: string) => path.join(root, 'engine/native', f);

export const nativeSources = [
  'segment.c',
  'plan.c',
  'count.c',
  'merge.c',
  'host.c',
  'launch.c',
  'proc.c',
  'spawn.c',
  'relay.c',
  'slurm-local.c',
  'slurm-hello.c',
  'slurm-step.c',
].map(src);

export const strictFlags = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror'];

/**
 * Without the Linux-only calls (splice and tee, /proc, close_range): the POSIX code a port starts
 * from, compiled and tested on Linux (npm run test:native-platforms; docs/engine.md, "Porting").
 */
export const portableFlags = ['-DPIPEWRIGHT_PORTABLE'];

/** The programs built for each target, as packages carry them (dist/native/TARGET/NAME). */
export const nativeProgramNames: readonly string[] = ['pw-segment'];

/** Each target (as VS Code names platforms) and the Debian cross compiler that builds it elsewhere. */
export const targets: Record<string, { arch: string; cross: string }> = {
  'linux-x64': { arch: 'x64', cross: 'x86_64-linux-gnu-gcc' },
  'linux-arm64': { arch: 'arm64', cross: 'aarch64-linux-gnu-gcc' },
};

/** The compiler of `target` here: CC (or gcc) for this machine's own, the cross compiler for another. */
export function compilerOf(target: string): string {
  const t = targets[target]!;
  return t.arch === process.arch ? (process.env.CC ?? 'gcc') : t.cross;
}

/**
 * Compiles pw-segment into `out` with `cc` and `flags`; undefined, or why not. Written next to it
 * and renamed over it, so a run started meanwhile (another build in a test's set-up) never finds
 * it missing; a failed build removes the old one (it would be stale).
 */
export function buildNative(out: string, cc: string, flags: readonly string[]): string | undefined {
  mkdirSync(path.dirname(out), { recursive: true }); // a fresh clone has no dist/ yet when `npm ci` builds
  const next = `${out}.${process.pid}.tmp`;
  const r = spawnSync(cc, [...flags, '-o', next, ...nativeSources], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status === 0) {
    renameSync(next, out);
    return undefined;
  }
  rmSync(next, { force: true });
  rmSync(out, { force: true });
  return `\`${cc}\` ${r.error ? 'not found' : 'failed'}`;
}

/** Builds every target, strict and static (it runs on any Linux of its architecture); returns what failed, by target. */
export function buildTargets(dist: string): Map<string, string> {
  const failed = new Map<string, string>();
  for (const target of Object.keys(targets)) {
    const why = buildNative(nativeProgramPath(dist, target), compilerOf(target), [...strictFlags, '-static']);
    if (why) failed.set(target, why);
  }
  return failed;
}
