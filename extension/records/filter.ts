// The records view's filter on the host side: words (as the webview matches them), or an
// expression in `use: filter`'s language, compiled by the same code the built-in uses. It picks
// the kept records the view shows and the records Save All writes. No vscode here.
import { compileRecordExpression } from '../../engine/builtins/expression';
import { isExpression, parseRecord, wordMatcher } from './model';

export type RecordFilter =
  | { kind: 'none' }
  | { kind: 'words'; query: string; test: (line: string, n: number) => boolean }
  | { kind: 'expression'; query: string; test: (line: string, n: number) => boolean; threw: () => number }
  | { kind: 'invalid'; query: string; why: string };

/** The filter for what is in the search box; expressions only where code may run (a trusted workspace). */
export function recordFilter(query: string, mayRunCode: boolean): RecordFilter {
  const q = query.trim();
  if (q === '') return { kind: 'none' };
  if (!isExpression(q)) {
    const words = wordMatcher(q);
    return { kind: 'words', query: q, test: (line, n) => words(parseRecord(line, n)) };
  }
  if (!mayRunCode) return { kind: 'invalid', query: q, why: 'An expression runs JavaScript: trust this workspace to filter with one. Words work anyway.' };
  const compiled = compileRecordExpression(q);
  if (!compiled.ok)
    return {
      kind: 'invalid',
      query: q,
      why: `Not a valid expression: ${compiled.why}. Write one JavaScript expression over the record r, e.g. r.status >= 500.`,
    };
  let threw = 0;
  return {
    kind: 'expression',
    query: q,
    // As `use: filter` does: the record parsed, kept when the expression is truthy; a line that is not JSON or makes it throw is not kept.
    test: (line) => {
      try {
        return Boolean(compiled.fn(JSON.parse(line)));
      } catch {
        threw++;
        return false;
      }
    },
    threw: () => threw,
  };
}
