// The contract tests of pw-segment (test/unit/native) against the builds this machine does not
// run by default: `npm run test:native-platforms`.
// - the portable build (-DPIPEWRIGHT_PORTABLE: no splice/tee, no /proc, no close_range), the
//   POSIX path a port starts from (docs/engine.md, "Porting"), into dist/portable/pw-segment;
// - every other target's static build (dist/native/TARGET/pw-segment) under qemu-user-static
//   (Debian's qemu-user-static, installed by scripts/setup-system.sh). Without qemu, or without
//   that build, it says SKIPPED and why, and the rest still runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { hostTarget, nativeProgramPath } from '../engine/native-programs';
import { buildNative, compilerOf, portableFlags, strictFlags, targets } from './native';

const root = path.resolve(__dirname, '..');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const qemu: Record<string, string> = { arm64: 'qemu-aarch64-static', x64: 'qemu-x86_64-static' };

function contractTests(label: string, env: Record<string, string>): boolean {
  console.log(`native-platforms: ${label}`);
  const r = spawnSync(process.execPath, [vitest, 'run', 'test/unit/native'], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

let ok = true;
const portable = path.join(root, 'dist/portable/pw-segment');
const failed = buildNative(portable, compilerOf(hostTarget), [...strictFlags, ...portableFlags]);
if (failed) {
  console.error(`native-platforms: could not build the portable pw-segment: ${failed}`);
  ok = false;
} else
  ok =
    contractTests('the portable build (no splice/tee, no /proc, no close_range)', { PIPEWRIGHT_SEGMENT_PROGRAM: portable, PIPEWRIGHT_SEGMENT_PORTABLE: '1' }) &&
    ok;

for (const [target, { arch }] of Object.entries(targets)) {
  if (target === hostTarget) continue;
  const program = nativeProgramPath(path.join(root, 'dist'), target);
  const emulator = qemu[arch]!;
  const hasQemu = spawnSync(emulator, ['--version'], { stdio: 'ignore' }).status === 0;
  if (!existsSync(program))
    console.log(`native-platforms: SKIPPED: ${target}: no build (npm run build needs ${compilerOf(target)}; scripts/setup-system.sh installs it)`);
  else if (!hasQemu) console.log(`native-platforms: SKIPPED: ${target}: ${emulator} is missing (scripts/setup-system.sh installs qemu-user-static)`);
  else ok = contractTests(`${target} under ${emulator}`, { PIPEWRIGHT_SEGMENT_PROGRAM: program, PIPEWRIGHT_SEGMENT_LAUNCHER: emulator }) && ok;
}
process.exit(ok ? 0 : 1);
