import type { FoldingRange } from 'vscode-languageserver';
import type { Span } from '../dsl';
import type { Analysis } from './analysis';

/** Folds each stage and the `env` and `stages` blocks (for editors that do not fold YAML by indentation). */
export function foldingRanges(analysis: Analysis): FoldingRange[] {
  const { pipeline } = analysis.result;
  const { text } = analysis;
  const spans: Span[] = pipeline.stages.map((s) => s.span);
  for (const key of ['env', 'stages'] as const) {
    const at = pipeline.keys[key];
    if (at) spans.push({ start: at.key.start, end: at.value.end });
  }
  const ranges: FoldingRange[] = [];
  for (const span of spans) {
    let end = span.end;
    while (end > span.start && /\s/.test(text[end - 1]!)) end--;
    const startLine = analysis.document.positionAt(span.start).line;
    const endLine = analysis.document.positionAt(end).line;
    if (endLine > startLine) ranges.push({ startLine, endLine });
  }
  return ranges;
}
