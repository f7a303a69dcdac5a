// Fuzzes pw-segment's plan parser (engine/native/plan.c) with libFuzzer (Debian's clang and
// libclang-rt-14-dev, installed by scripts/setup-system.sh), under AddressSanitizer and
// UndefinedBehaviorSanitizer: `npx tsx bench/fuzz-plan.ts [SECONDS]` (default 180). The seeds are
// the engine's own plans (engine/segment-plan.ts: a straight segment with counts, a diamond with
// a relayed stage); the corpus grows in bench/data/fuzz-plan/ (gitignored). Exits non-zero on a
// finding (libFuzzer writes the input as crash-*); the result goes into bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { segmentPlan, straight } from '../engine/segment-plan';

const root = path.resolve(__dirname, '..');
const seconds = Number(process.argv[2] ?? 180);
const work = path.join(root, 'bench/data/fuzz-plan');
const corpus = path.join(work, 'corpus');
mkdirSync(corpus, { recursive: true });

const stage = (argv: string[]) => ({ argv, dir: '/tmp', env: { PATH: '/usr/bin:/bin', X: 'a\nb' } });
const seeds = {
  straight: segmentPlan([stage(['seq', '3']), stage(['cat']), stage(['wc', '-l'])], straight(3, { counted: true, into: true, out: true })),
  diamond: segmentPlan([stage(['seq', '4']), stage(['grep', '1']), stage(['grep', '2']), { ...stage(['sort']), commit: true }], {
    inputs: [[], [0], [0], [1, 2]],
    counted: true,
    holes: new Map([[2, { input: 20, output: 21 }]]),
  }),
};
for (const [name, text] of Object.entries(seeds)) writeFileSync(path.join(corpus, `seed-${name}`), text);

const fuzzer = path.join(work, 'fuzz-plan');
const flags = ['-g', '-O1', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all', '-std=c11', '-Wall', '-Wextra', '-Werror'];
const cc = spawnSync('clang', [...flags, '-o', fuzzer, path.join(root, 'bench/fuzz-plan.c'), path.join(root, 'engine/native/plan.c')], { stdio: 'inherit' });
if (cc.status !== 0) {
  console.error('fuzz-plan: clang could not build the fuzzer (scripts/setup-system.sh installs clang and libclang-rt-14-dev)');
  process.exit(1);
}
const r = spawnSync(fuzzer, [`-max_total_time=${seconds}`, '-max_len=65536', '-print_final_stats=1', `-artifact_prefix=${work}/`, corpus], {
  stdio: 'inherit',
  env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' },
});
console.log(`fuzz-plan: ${r.status === 0 ? 'no finding' : 'FINDING (see the crash-* file above)'} in ${seconds} s`);
process.exit(r.status ?? 1);
