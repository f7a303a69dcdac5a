// The VSIX as users get it: made by `npm run package`, read with unzip (Debian's), checked against
// the allow-list (vsix-contents.ts), then installed into code-server by the `vsix` session (run.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { elfMachine, vsixProblems, type VsixEntry } from './vsix-contents';

/** The VSIX's target platform from its manifest (`vsce package --target`), undefined for a universal one. */
export function vsixTarget(file: string): string | undefined {
  const manifest = execFileSync('unzip', ['-p', file, 'extension.vsixmanifest'], { encoding: 'utf8' });
  return /<Identity\b[^>]*\bTargetPlatform="([^"]+)"/.exec(manifest)?.[1];
}

/** Every entry of the VSIX; extensionless files anywhere under dist/ (the engine programs) with the architecture of their ELF header. */
export function vsixEntries(file: string): VsixEntry[] {
  const paths = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
  return paths.map((p) => {
    if (!/^extension\/dist\/(?:[\w-]+\/)*[\w-]+$/.test(p)) return { path: p };
    return { path: p, machine: elfMachine(execFileSync('unzip', ['-p', file, p], { maxBuffer: 64 * 1024 * 1024 }).subarray(0, 20)) };
  });
}

/**
 * Runs `npm run package` in `root` and returns the VSIX it made for this machine: the one whose
 * target is linux-<arch>, else the universal one. Throws with npm's output when packaging fails.
 */
export function packageVsix(root: string): string {
  const started = Date.now();
  const r = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}${r.stderr}`);
  const made = fs
    .readdirSync(root)
    .filter((f) => f.endsWith('.vsix') && fs.statSync(path.join(root, f)).mtimeMs >= started - 1000)
    .map((f) => path.join(root, f));
  const mine = made.find((f) => vsixTarget(f) === `linux-${process.arch}`) ?? made.find((f) => vsixTarget(f) === undefined);
  if (!mine) throw new Error(`npm run package made no VSIX for linux-${process.arch} (made: ${made.join(', ') || 'none'})`);
  return mine;
}

/** The VSIX's contents against the allow-list: what is wrong, in words ([] when right). */
export function checkVsix(file: string): string[] {
  return vsixProblems(vsixEntries(file), vsixTarget(file));
}
