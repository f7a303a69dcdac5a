import { Composer, Parser, isMap, isSeq, type CST, type Document, type Node } from 'yaml';
import { composeOptions } from './compose-options';
import { shiftNode } from './recompose';
import { shiftItems } from './reparse';

/**
 * The items of the stages list in a window of the text, read by the `yaml` library: what the quick first read
 * (dsl/quick-read.ts) does not read itself (blank and comment lines, null or scalar items, keys without a value, …),
 * its nodes, data and syntax tokens exactly as a read of the whole text gives them. A window starts where the parser is
 * in the same state after any item that ended with a value and its line (a stand-in item `- x` puts it there), and is
 * followed by the start of the next item (the same `- ` on the same column) or by the real text after the list.
 */

export interface WindowItems {
  nodes: Node[];
  data: unknown[];
  tokens: CST.BlockSequence['items'];
  /** For the items that end the list: the ends (`range[1]`, `range[2]`) of the list, the top-level map and the document. */
  ends?: [list: [number, number], map: [number, number], doc: [number, number]];
}

type SeqItem = CST.BlockSequence['items'][number];

/**
 * Whether an item ends with a value and the newline after it (or the end of the text): then the next line's tokens start
 * a new item, as after the stand-in. An item that ends open (`-` or `key:` alone, trailing comments kept by a map, a block
 * scalar) takes the next line's indentation into its own tokens.
 */
function endsClosed(item: SeqItem, atTextEnd: boolean): boolean {
  let value = item.value;
  while (value?.type === 'block-map' || value?.type === 'block-seq') value = value.items.at(-1)?.value;
  if (!value || value.type === 'block-scalar' || !('end' in value)) return false;
  return value.end?.at(-1)?.type === 'newline' || atTextEnd;
}

/**
 * The items of `text` from `from` (the start of a line after a closed item, or of the first item's line when `first`) to
 * `to` (the end of an item's last line), the list's `-` at column `indent`. `to` is followed by the next item's `-` or, at
 * the end of the list (`last`), by the rest of the text. Returns 'open' when the last item does not end closed (the
 * caller takes in the next item), undefined when the library finds anything wrong or unexpected.
 */
export function libraryItems(text: string, from: number, to: number, indent: number, first: boolean, last: boolean): WindowItems | 'open' | undefined {
  // A merge key's node is the composer's own for its document (compared by identity): read by the library as a whole.
  if (text.slice(from, to).includes('<<')) return undefined;
  const standIn = `${' '.repeat(indent)}- x\n`;
  const prefix = first ? 'stages:\n' : `stages:\n${standIn}`;
  const source = prefix + text.slice(from, to) + (last ? text.slice(to) : standIn);
  const cst = [...new Parser().parse(source)];
  const docs = [...new Composer(composeOptions).compose(cst)] as Document[];
  const doc = docs[0];
  if (docs.length !== 1 || !doc || doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  const root = doc.contents;
  const seq = isMap(root) ? root.items[0]?.value : undefined;
  const seqToken = cst.find((t): t is CST.Document => t.type === 'document')?.value;
  const listToken = seqToken?.type === 'block-map' ? seqToken.items[0]?.value : undefined;
  if (!isSeq(seq) || listToken?.type !== 'block-seq') return undefined;
  const skip = first ? 0 : 1;
  const count = seq.items.length - skip - (last ? 0 : 1);
  const tokens = listToken.items.slice(skip, skip + count);
  const nodes = seq.items.slice(skip, skip + count) as Node[];
  if (count < 1 || tokens.length !== count || tokens.some((t) => !t.start.some((s) => s.type === 'seq-item-ind'))) return undefined;
  // The last item of the text may end open (`- run:` just typed at its end): nothing follows that it would take in.
  const atTextEnd = last && to === text.length;
  if (!endsClosed(tokens.at(-1)!, atTextEnd) && !atTextEnd) return 'open';
  if (!atTextEnd && nodes.at(-1)!.range?.[2] !== prefix.length + to - from) return undefined;
  const data = (doc.toJS({ maxAliasCount: 1000 }) as { stages: unknown[] }).stages.slice(skip, skip + count);
  const delta = from - prefix.length;
  for (const node of nodes) shiftNode(node, delta);
  shiftItems(tokens, delta);
  if (!last) return { nodes, data, tokens };
  // Where the list, the top-level map and the document end, which the last item decides.
  const end = (range: readonly number[] | null | undefined): [number, number] => [range![1]! + delta, range![2]! + delta];
  return { nodes, data, tokens, ends: [end(seq.range), end(root!.range), end(doc.range)] };
}
