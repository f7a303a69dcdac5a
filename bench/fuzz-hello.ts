// Fuzzes the hello line of a Slurm segment's local end (engine/native/slurm-hello.c: what anyone
// connecting to its port sends first) with libFuzzer under AddressSanitizer and
// UndefinedBehaviorSanitizer (bench/fuzz.ts): `npx tsx bench/fuzz-hello.ts [SECONDS]` (default 180).
// The seeds are the step's own lines and refusals the contract test sends (test/unit/native/slurm.test.ts),
// each behind the byte that sets the size of the reads; the corpus grows in bench/data/fuzz-hello/.
import { fuzz } from './fuzz';

const token = '0123456789abcdef0123456789abcdef';
const seeds = {
  input: `\x07${token} i 12 0 node1\n`,
  output: `\x3f${token} o 12 0 node1\n`,
  control: `\x00${token} c 12 0 node1\n`,
  missing: `\x10${token} c - - -\n`,
  stranger: `\x05${'0'.repeat(32)} i 1 0 evil\n`,
  kind: `\x20${token} x 1 0 n\n`,
  long: `\x3f${'A'.repeat(300)}`,
};
fuzz('fuzz-hello', ['slurm-hello.c'], seeds, Number(process.argv[2] ?? 180), 1024);
