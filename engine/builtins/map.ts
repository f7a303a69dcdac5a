/** `map`: replaces each record by a JavaScript expression over `r`; `undefined` drops the record. */
import { compileExpression, type Options } from './options';
import { eachRecord, RecordProblems, messageOf, stdout } from './records';

export const options = ['expr', 'onError'] as const;

export async function run(opts: Options): Promise<void> {
  const expr = opts.string('expr');
  const fn = compileExpression('map', expr);
  await eachRecord(new RecordProblems(opts.oneOf('onError', ['fail', 'skip']) ?? 'fail'), (r, n, problems) => {
    let json: string | undefined;
    try {
      const value = fn(r);
      if (value === undefined) return; // dropped on purpose
      json = JSON.stringify(value) as string | undefined;
      if (json === undefined) {
        problems.report(
          n,
          `made the expression return a ${typeof value}, which is not a JSON value`,
          'return an object, array, string, number, boolean or null',
        );
        return;
      }
    } catch (err) {
      problems.report(n, `made the expression throw: ${messageOf(err)}`, 'guard the expression (for example `r.a?.b`)');
      return;
    }
    stdout.push(json);
    stdout.push('\n');
  });
}
