import type { FoldingRange } from 'vscode-languageserver';
import type { Span } from '../dsl';
import type { Analysis } from './analysis';

/**
 * Folds the `env` and `stages` blocks and each stage (for editors that do not fold YAML by
 * indentation): at most `limit` ranges, the client's `rangeLimit` (VS Code's is 5,000), the blocks first.
 */
export function foldingRanges(analysis: Analysis, limit = Infinity): FoldingRange[] {
  const { pipeline } = analysis.result;
  const { text } = analysis;
  const spans: Span[] = [];
  for (const key of ['env', 'stages'] as const) {
    const at = pipeline.keys[key];
    if (at) spans.push({ start: at.key.start, end: at.value.end });
  }
  for (const s of pipeline.stages) spans.push(s.span);
  const ranges: FoldingRange[] = [];
  for (const span of spans) {
    if (ranges.length >= limit) break;
    let end = span.end;
    while (end > span.start && /\s/.test(text[end - 1]!)) end--;
    const startLine = analysis.document.positionAt(span.start).line;
    const endLine = analysis.document.positionAt(end).line;
    if (endLine > startLine) ranges.push({ startLine, endLine });
  }
  return ranges;
}
