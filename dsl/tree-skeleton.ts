import { isMap, isScalar, isSeq, type CST, type Document } from 'yaml';
import { mayHaveAliases } from './recompose';

/**
 * What is kept of a syntax tree between versions (Parsed.cst): the whole tree but the insides of the items of the
 * lists at the top level (the stages). Of each of those only its first tokens stay (its `-` and what comes before it
 * on the line), which is all that incremental parsing (dsl/reparse.ts: where items start) and the checks (the `-` a
 * problem points at) read; the item after an edit is read again from the previous text when it must be compared.
 * The whole tree was ~80 bytes of heap per byte of YAML, half of a version of a big file.
 *
 * A pruned tree cannot be composed again as a whole: when composing only the part an edit changed is not possible,
 * the whole text is parsed again. A text that may hold anchors or aliases never takes that path (dsl/recompose.ts),
 * so its tree is kept whole, to be composed as a whole after each edit without the parser's pass.
 */
export const prunable = (text: string) => !mayHaveAliases(text);

type SeqItem = CST.BlockSequence['items'][number];

/**
 * A kept item of the commonest kind, `  - key…` right after the item before: its first tokens (the spaces before its
 * `-`, the `-`, one space) follow from where its line starts and its indent, and are made when asked for. ~40 bytes of
 * heap instead of ~270 for the tokens and their list, for each of a big file's stages. The tokens are made anew at each
 * `start`: moving the item is moving `lineStart` (dsl/reparse.ts, `shiftItems`).
 */
export class DashItem {
  constructor(
    public lineStart: number,
    readonly indent: number,
  ) {}

  get start(): CST.SourceToken[] {
    const dash = this.lineStart + this.indent;
    return [
      { type: 'space', offset: this.lineStart, indent: 0, source: ' '.repeat(this.indent) },
      { type: 'seq-item-ind', offset: dash, indent: this.indent, source: '-' },
      { type: 'space', offset: dash + 1, indent: this.indent + 1, source: ' ' },
    ];
  }

  /** As the tokens it stands for would be written (a tree compared or logged as JSON). */
  toJSON(): SeqItem {
    return { start: this.start };
  }
}

/** An item reduced to its first tokens; one without any (so no known start) is left whole. */
function pruneItem(item: SeqItem): void {
  if (item.start.length === 0) return;
  delete item.key;
  delete item.sep;
  delete item.value;
}

/** An item kept with its first tokens only. */
export function isPruned(item: SeqItem): boolean {
  return item.start.length > 0 && item.key === undefined && item.sep === undefined && item.value === undefined;
}

/** Whether any item of a list at the top level of the tree is pruned: then the tree cannot be composed whole. */
export function hasPruned(tokens: readonly CST.Token[]): boolean {
  return (topMap(tokens)?.items ?? []).some((item) => item.value?.type === 'block-seq' && item.value.items.some(isPruned));
}

/** The document token of a tree and its top-level mapping, when it is a block mapping. */
function topMap(tokens: readonly CST.Token[]): CST.BlockMap | undefined {
  const value = tokens.find((t): t is CST.Document => t.type === 'document')?.value;
  return value?.type === 'block-map' ? value : undefined;
}

/** Prunes items `from` up to `to` of the list under top-level entry `top` (all of its items by default), in place. */
export function pruneList(tokens: readonly CST.Token[], top: number, from = 0, to = Infinity): void {
  const seq = topMap(tokens)?.items[top]?.value;
  if (seq?.type !== 'block-seq') return;
  for (let i = from; i < Math.min(to, seq.items.length); i++) pruneItem(seq.items[i]!);
}

/** Prunes every list at the top level of the tree of `text`, in place, when it is `prunable`; returns the tree. */
export function pruneTree<T extends readonly CST.Token[]>(tokens: T, text: string): T {
  const map = prunable(text) ? topMap(tokens) : undefined;
  if (map) for (let top = 0; top < map.items.length; top++) pruneList(tokens, top);
  return tokens;
}

/**
 * The kept tree's tokens on the document's top-level mapping and on each list at its top level (their `srcToken`, as
 * the composer sets it with `keepSourceTokens`, which is off: on every node it would keep the whole tree alive).
 */
export function attachTokens(doc: Document, tokens: readonly CST.Token[]): void {
  const map = topMap(tokens);
  const root = doc.contents;
  if (!map || !isMap(root) || root.flow) return;
  root.srcToken = map;
  const lists = new Map<number, CST.BlockSequence>();
  for (const item of map.items) if (item.key && item.value?.type === 'block-seq') lists.set(item.key.offset, item.value);
  for (const pair of root.items) {
    const token = isScalar(pair.key) && pair.key.range ? lists.get(pair.key.range[0]) : undefined;
    if (token && isSeq(pair.value)) pair.value.srcToken = token;
  }
}
