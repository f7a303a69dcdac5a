import { isMap, isPair, isSeq, type Node } from 'yaml';
import type { Position, SelectionRange } from 'vscode-languageserver';
import { nodeSpan } from '../dsl/yaml-nodes';
import type { Span } from '../dsl';
import { rangeOf, type Analysis } from './analysis';

/** End of a node's text without the line break (and trailing blank) that block nodes include. */
function trimmed(text: string, span: Span): Span {
  let end = span.end;
  while (end > span.start && /\s/.test(text[end - 1]!)) end--;
  return { start: span.start, end };
}

/**
 * Expand selection: the scalar under the cursor, its `key: value` entry, the mapping or list that
 * holds it, its entry, … up to the whole document, from the parsed YAML.
 */
export function selectionRange(analysis: Analysis, position: Position): SelectionRange {
  const { text } = analysis;
  const offset = analysis.document.offsetAt(position);
  const spans: Span[] = [{ start: 0, end: text.length }];
  const push = (span: Span | undefined) => {
    if (!span) return;
    const t = trimmed(text, span);
    const last = spans[spans.length - 1]!;
    if (t.start >= last.start && t.end <= last.end && (t.start !== last.start || t.end !== last.end)) spans.push(t);
  };
  const inside = (node: unknown) => {
    const s = nodeSpan(node as Node | null);
    return s !== undefined && offset >= s.start && offset <= s.end;
  };
  let node: unknown = analysis.result.parsed.doc.contents;
  for (let depth = 0; depth < 200 && node; depth++) {
    push(nodeSpan(node));
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (inside(p.key) || inside(p.value)));
      if (!pair) break;
      const key = nodeSpan(pair.key as Node);
      const value = nodeSpan(pair.value as Node);
      if (key) push({ start: key.start, end: value?.end ?? key.end });
      node = inside(pair.key) ? pair.key : pair.value;
    } else if (isSeq(node)) {
      node = node.items.find(inside);
    } else {
      break;
    }
  }
  let range: SelectionRange | undefined;
  for (const span of spans) range = { range: rangeOf(analysis.document, span), ...(range ? { parent: range } : {}) };
  return range!;
}
