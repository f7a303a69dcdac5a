import { execFileSync } from 'node:child_process';

/** Tests run the real bundles (dist/), so build them first; esbuild takes well under a second. */
export default function setup(): void {
  execFileSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
}
