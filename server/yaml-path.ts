import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Span } from '../dsl';

/** What the parsed document holds at an offset: the path to it, and whether it is a key or a value. */
export interface NodeAt {
  path: (string | number)[];
  on: 'key' | 'value';
  span: Span;
  /** The scalar's value, for scalars. */
  value?: unknown;
}

function spanOf(node: unknown): Span | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? { start: r[0], end: r[1] } : undefined;
}

const contains = (s: Span | undefined, offset: number): s is Span => s !== undefined && offset >= s.start && offset <= s.end;

/** Finds the innermost key or scalar at `offset` in a (possibly partly broken) document. */
export function nodeAt(doc: Document, offset: number): NodeAt | undefined {
  let node: unknown = doc.contents;
  const path: (string | number)[] = [];
  for (let depth = 0; depth < 100; depth++) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (contains(spanOf(p.key), offset) || contains(spanOf(p.value), offset)));
      if (!pair) return undefined;
      const keySpan = spanOf(pair.key);
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) return undefined;
      if (contains(keySpan, offset)) return { path: [...path, key], on: 'key', span: keySpan };
      path.push(key);
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => contains(spanOf(item), offset));
      if (index < 0) return undefined;
      path.push(index);
      node = node.items[index];
    } else if (isScalar(node)) {
      const span = spanOf(node);
      return span ? { path, on: 'value', span, value: node.value } : undefined;
    } else {
      return undefined;
    }
  }
  return undefined;
}
