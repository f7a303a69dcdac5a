import type { Range, TextEdit } from 'vscode-languageserver';
import { formatEdits } from '../dsl/format';
import { isSafeEdit } from '../dsl/verify';
import type { Edit } from '../dsl';
import { rangeOf, spanOf, type Analysis } from './analysis';

/**
 * Format Document / Selection: whitespace only (dsl/format.ts), and for a selection only the
 * changes inside it. Either is checked like every other edit: if it would bring a problem (a
 * partial re-indent can), a selection keeps what changes no indentation (blanks inside and at the
 * ends of lines), and otherwise nothing is changed.
 */
export function formatting(analysis: Analysis, range?: Range): TextEdit[] {
  const all = formatEdits(analysis.result.parsed) ?? [];
  const within = range ? spanOf(analysis.document, range) : undefined;
  const edits = within ? all.filter((e) => e.start >= within.start && e.end <= within.end) : all;
  const text = analysis.text;
  const indents = (e: Edit) => e.start === 0 || text[e.start - 1] === '\n' || text[e.start - 1] === '\r';
  const choices = within ? [edits, edits.filter((e) => !indents(e))] : [edits];
  const safe = choices.find((c) => c.length > 0 && isSafeEdit(analysis.result.problems, analysis.checkEdited, c)) ?? [];
  return safe.map((e) => ({ range: rangeOf(analysis.document, e), newText: e.newText }));
}
