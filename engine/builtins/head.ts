/** `head`: passes the first `count` records, then exits at once, so upstream stops (like `head -n`). */
import type { Options } from './options';
import { eachLine, stdinChunks, stdout } from './records';

export const options = ['count'] as const;

export async function run(opts: Options): Promise<void> {
  const count = opts.integer('count', 0, 10);
  if (count === 0) return; // reads nothing: upstream gets SIGPIPE on its first write
  await eachLine(stdinChunks(), (buf, start, end, n) => {
    stdout.pushLine(buf, start, end);
    return n < count;
  });
}
