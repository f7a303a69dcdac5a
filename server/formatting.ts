import type { Range, TextEdit } from 'vscode-languageserver';
import { formatEdits } from '../dsl/format';
import { isSafeEdit } from '../dsl/verify';
import { rangeOf, spanOf, type Analysis } from './analysis';

/**
 * Format Document / Selection: whitespace only (dsl/format.ts), and for a selection only the
 * changes inside it. Either is checked like every other edit: if it would bring a problem (a
 * partial re-indent can), nothing is changed.
 */
export function formatting(analysis: Analysis, range?: Range): TextEdit[] {
  const all = formatEdits(analysis.result.parsed) ?? [];
  const within = range ? spanOf(analysis.document, range) : undefined;
  const edits = within ? all.filter((e) => e.start >= within.start && e.end <= within.end) : all;
  if (edits.length === 0 || !isSafeEdit(analysis.result, analysis.options, edits)) return [];
  return edits.map((e) => ({ range: rangeOf(analysis.document, e), newText: e.newText }));
}
