/** `filter`: keeps the records for which a JavaScript expression over `r` is truthy (passed on byte for byte). */
import { compileExpression, type Options } from './options';
import { eachRecord, RecordProblems, messageOf, stdout } from './records';

export const options = ['expr', 'onError'] as const;

export async function run(opts: Options): Promise<void> {
  const expr = opts.string('expr');
  const test = compileExpression('filter', expr);
  await eachRecord(new RecordProblems(opts.oneOf('onError', ['fail', 'skip']) ?? 'fail'), (r, n, problems, buf, start, end) => {
    let keep: unknown;
    try {
      keep = test(r);
    } catch (err) {
      problems.report(n, `made the expression throw: ${messageOf(err)}`, 'guard the expression (for example `r.a?.b`)');
      return;
    }
    if (keep) stdout.pushLine(buf, start, end);
  });
}
