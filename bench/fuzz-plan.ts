// Fuzzes pw-segment's plan parser (engine/native/plan.c) with libFuzzer under AddressSanitizer and
// UndefinedBehaviorSanitizer (bench/fuzz.ts): `npx tsx bench/fuzz-plan.ts [SECONDS]` (default 180).
// The seeds are the engine's own plans (engine/segment-plan.ts: a straight segment with counts, a
// diamond with a relayed stage); the corpus grows in bench/data/fuzz-plan/ (gitignored). Exits
// non-zero on a finding (libFuzzer writes the input as crash-*); the result goes into bench/README.md.
import { segmentPlan, straight } from '../engine/segment-plan';
import { fuzz } from './fuzz';

const stage = (argv: string[]) => ({ argv, dir: '/tmp', env: { PATH: '/usr/bin:/bin', X: 'a\nb' } });
const seeds = {
  straight: segmentPlan([stage(['seq', '3']), stage(['cat']), stage(['wc', '-l'])], straight(3, { counted: true, into: true, out: true })),
  diamond: segmentPlan([stage(['seq', '4']), stage(['grep', '1']), stage(['grep', '2']), { ...stage(['sort']), commit: true }], {
    inputs: [[], [0], [0], [1, 2]],
    counted: true,
    holes: new Map([[2, { input: 20, output: 21 }]]),
  }),
};
fuzz('fuzz-plan', ['plan.c'], seeds, Number(process.argv[2] ?? 180), 65536);
