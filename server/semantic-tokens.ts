import { isScalar, visit } from 'yaml';
import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensLegend } from 'vscode-languageserver';
import { stageNameSites } from '../dsl/stage-refs';
import { variableReferences, type Span } from '../dsl';
import { nodeSpan } from '../dsl/yaml-nodes';
import type { Analysis } from './analysis';

/** Token types and modifiers, by index, as the server announces them. */
export const semanticTokensLegend: SemanticTokensLegend = { tokenTypes: ['variable', 'function'], tokenModifiers: ['declaration'] };
const variable = 0;
const stageName = 1;
const declaration = 1 << 0;

/**
 * Above this many lines VS Code colors nothing of a file (it turns tokenization off for files of
 * 300,000 lines or 20 MB), yet still asks for its semantic tokens after each edit: ~4 s of the
 * server's time at 20 MB, which the diagnostics of the next keystroke waited for.
 */
export const semanticTokensMaxLines = 300_000;

/**
 * `${VAR}` references in values (variables) and stage names, where they are written (functions,
 * declarations) and where they are referred to. From the source text of each scalar value, so
 * positions are exact however the value is quoted; a reference split over lines is left out.
 */
export function semanticTokens(analysis: Analysis, maxLines = semanticTokensMaxLines): SemanticTokens {
  const { text, document } = analysis;
  if (document.lineCount > maxLines) return { data: [] };
  const tokens: { span: Span; type: number; modifiers: number }[] = [];
  const addReferences = (node: unknown) => {
    const span = isScalar(node) && typeof node.value === 'string' ? nodeSpan(node) : undefined;
    if (!span) return;
    for (const ref of variableReferences(text.slice(span.start, span.end)))
      tokens.push({ span: { start: span.start + ref.start, end: span.start + ref.end }, type: variable, modifiers: 0 });
  };
  // Values only (of mappings and lists): keys hold no references.
  visit(analysis.result.parsed.doc, { Pair: (_key, pair) => addReferences(pair.value), Seq: (_key, seq) => seq.items.forEach(addReferences) });
  for (const site of stageNameSites(analysis.result.parsed, analysis.result.pipeline)) {
    tokens.push({ span: site.span, type: stageName, modifiers: site.kind === 'definition' ? declaration : 0 });
  }
  tokens.sort((a, b) => a.span.start - b.span.start);
  const builder = new SemanticTokensBuilder();
  for (const t of tokens) {
    const start = document.positionAt(t.span.start);
    const end = document.positionAt(t.span.end);
    if (start.line === end.line && end.character > start.character)
      builder.push(start.line, start.character, end.character - start.character, t.type, t.modifiers);
  }
  return builder.build();
}
