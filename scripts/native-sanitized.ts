// pw-segment built with AddressSanitizer and UndefinedBehaviorSanitizer (any finding aborts the
// program) into dist/sanitized/, then the contract tests of pw-segment (test/unit/native) run
// against that build: `npm run test:native-sanitized`.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildNative, strictFlags } from './native';

const root = path.resolve(__dirname, '..');
const program = path.join(root, 'dist/sanitized/pw-segment');
// Not static: the sanitizers' runtimes are shared libraries.
const failed = buildNative(program, process.env.CC ?? 'gcc', [
  ...strictFlags,
  '-g',
  '-fno-omit-frame-pointer',
  '-fsanitize=address,undefined',
  '-fno-sanitize-recover=all',
]);
if (failed) {
  console.error(`native-sanitized: could not build pw-segment: ${failed}`);
  process.exit(1);
}
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', 'test/unit/native'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PIPEWRIGHT_SEGMENT_PROGRAM: program, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:exitcode=86' },
});
process.exit(r.status ?? 1);
