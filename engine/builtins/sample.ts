/** `sample`: every Nth record (1, N+1, 2N+1, …) or each record with probability `fraction`. */
import { randomInt } from 'node:crypto';
import type { Options } from './options';
import { eachLine, StageError, stdinChunks, stdout } from './records';

export const options = ['every', 'fraction', 'seed'] as const;

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function run(opts: Options): Promise<void> {
  let keep: (n: number) => boolean;
  if (opts.has('every')) {
    if (opts.has('fraction')) throw new StageError('`sample` takes `every` or `fraction`, not both', 2);
    const every = opts.integer('every', 1);
    keep = (n) => (n - 1) % every === 0;
  } else {
    if (!opts.has('fraction')) throw new StageError('`sample` needs `every: N` (every Nth record) or `fraction: F` (each record with probability F)', 2);
    const fraction = opts.number('fraction', 0, 1);
    const seed = opts.has('seed') ? opts.integer('seed', Number.MIN_SAFE_INTEGER) : randomInt(2 ** 32);
    const random = mulberry32(seed);
    keep = () => random() < fraction;
  }
  await eachLine(stdinChunks(), (buf, start, end, n) => {
    if (keep(n)) stdout.pushLine(buf, start, end);
  });
}
