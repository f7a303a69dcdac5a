/**
 * The expression language of `filter` and `map`: one JavaScript expression over the record `r`,
 * compiled once. The records view's filter compiles with this too, so an expression means the
 * same in a pipeline and in the editor.
 */
export type Compiled = { ok: true; fn: (r: unknown) => unknown } | { ok: false; why: string };

export function compileRecordExpression(expr: string): Compiled {
  try {
    // oxlint-disable-next-line typescript/no-implied-eval -- compiling the user's expression is what `filter`/`map` are for
    return { ok: true, fn: new Function('r', `return (${expr}\n);`) as (r: unknown) => unknown };
  } catch (err) {
    return { ok: false, why: err instanceof Error ? err.message : String(err) };
  }
}
