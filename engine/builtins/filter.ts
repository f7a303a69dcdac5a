/** `filter`: keeps the records for which a JavaScript expression over `r` is truthy (passed on byte for byte). */
import { compileExpression, type Options } from './options';
import { eachLine, messageOf, notJson, RecordProblems, stdinChunks, stdout } from './records';

export const options = ['expr', 'onError'] as const;

export async function run(opts: Options): Promise<void> {
  const expr = opts.string('expr');
  const test = compileExpression('filter', expr);
  const problems = new RecordProblems(opts.oneOf('onError', ['fail', 'skip']) ?? 'fail');
  const total = await eachLine(stdinChunks(), (buf, start, end, n) => {
    let r: unknown;
    try {
      r = JSON.parse(buf.toString('utf8', start, end));
    } catch (err) {
      problems.report(n, notJson(err), 'fix the stage that writes it');
      return;
    }
    let keep: unknown;
    try {
      keep = test(r);
    } catch (err) {
      problems.report(n, `made the expression throw: ${messageOf(err)}`, 'guard the expression (for example `r.a?.b`)');
      return;
    }
    if (keep) stdout.pushLine(buf, start, end);
  });
  problems.summary(total);
}
