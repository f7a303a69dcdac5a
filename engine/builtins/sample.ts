/** `sample`: every Nth record (1, N+1, 2N+1, …) or each record with probability `fraction`. */
import { randomInt } from 'node:crypto';
import { mulberry32 } from '../random';
import type { Options } from './options';
import { eachLine, StageError, stdinChunks, stdout } from './records';

export const options = ['every', 'fraction', 'seed'] as const;

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
