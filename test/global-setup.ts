import { execFileSync } from 'node:child_process';

/** Tests run the real bundles (dist/), so build them first; esbuild takes well under a second. */
export default function setup(): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
}
