// `npm run package`: one VSIX per target, `pipewright-TARGET-VERSION.vsix` (vsce package --target TARGET),
// each carrying only its own prebuilt pw-segment (dist/native/TARGET/pw-segment; docs/engine.md,
// "Platforms"), from minified bundles; then the development bundles again. A target without a
// build (its compiler was missing) gets no VSIX, and the script says so and fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nativeProgramPath } from '../engine/native-programs';
import { build } from './build';
import { targets } from './native';
import { vsixPath } from './vsix-name';

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const vsce = path.join(root, 'node_modules/.bin/vsce');

/** Runs `fn` with every target's folder but `keep`'s moved out of dist/native/ (vsce takes what the allow-list matches). */
function withOnly(keep: string, fn: () => void): void {
  const aside = mkdtempSync(path.join(os.tmpdir(), 'pipewright-package-'));
  const moved = Object.keys(targets).filter((t) => t !== keep && existsSync(path.dirname(nativeProgramPath(dist, t))));
  for (const t of moved) renameSync(path.dirname(nativeProgramPath(dist, t)), path.join(aside, t));
  try {
    fn();
  } finally {
    for (const t of moved) renameSync(path.join(aside, t), path.dirname(nativeProgramPath(dist, t)));
    rmSync(aside, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  await build(true);
  let failed = 0;
  try {
    for (const target of Object.keys(targets)) {
      if (!existsSync(nativeProgramPath(dist, target))) {
        console.error(`package: no VSIX for ${target}: pw-segment was not built for it (see the build's warning)`);
        failed++;
        continue;
      }
      const out = vsixPath(root, target);
      withOnly(target, () => {
        const r = spawnSync(vsce, ['package', '--no-dependencies', '--target', target, '--out', out], { cwd: root, stdio: 'inherit' });
        if (r.status !== 0) failed++;
      });
    }
  } finally {
    await build(false);
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
