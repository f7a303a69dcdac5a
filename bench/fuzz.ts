// Builds and runs a libFuzzer harness of pw-segment's parsers (bench/fuzz-plan.ts, bench/fuzz-hello.ts)
// with Debian's clang and libclang-rt-14-dev (installed by scripts/setup-system.sh), under
// AddressSanitizer and UndefinedBehaviorSanitizer. The corpus grows in bench/data/NAME/ (gitignored),
// from the seeds given; exits non-zero on a finding (libFuzzer writes the input as crash-* there).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

/** Fuzzes bench/NAME.c, linked with `sources` (under engine/native/), for `seconds`; exits with the fuzzer's status. */
export function fuzz(name: string, sources: string[], seeds: Record<string, string>, seconds: number, maxLen: number): never {
  const work = path.join(root, 'bench/data', name);
  const corpus = path.join(work, 'corpus');
  mkdirSync(corpus, { recursive: true });
  for (const [seed, text] of Object.entries(seeds)) writeFileSync(path.join(corpus, `seed-${seed}`), text);
  const fuzzer = path.join(work, name);
  const flags = ['-g', '-O1', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all', '-std=c11', '-Wall', '-Wextra', '-Werror'];
  const files = [path.join(root, `bench/${name}.c`), ...sources.map((s) => path.join(root, 'engine/native', s))];
  const cc = spawnSync('clang', [...flags, '-o', fuzzer, ...files], { stdio: 'inherit' });
  if (cc.status !== 0) {
    console.error(`${name}: clang could not build the fuzzer (scripts/setup-system.sh installs clang and libclang-rt-14-dev)`);
    process.exit(1);
  }
  const r = spawnSync(fuzzer, [`-max_total_time=${seconds}`, `-max_len=${maxLen}`, '-print_final_stats=1', `-artifact_prefix=${work}/`, corpus], {
    stdio: 'inherit',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' },
  });
  console.log(`${name}: ${r.status === 0 ? 'no finding' : 'FINDING (see the crash-* file above)'} in ${seconds} s`);
  process.exit(r.status ?? 1);
}
