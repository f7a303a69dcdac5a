import { Composer, CST, isMap, isNode, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
import { composeOptions } from './compose-options';
import { describes, LazyMap } from './quick-nodes';
import type { EntryChange, ItemChange, LeadChange, Reparsed } from './reparse';
import { entriesChanged } from './yaml-nodes';

/** What `recompose` needs of the previous version: a clean parse of it (its document and data). */
interface Base {
  text: string;
  doc: Document;
  data: unknown;
}

/** Moves a range by `delta`, in place. */
function shiftRange(range: number[] | null | undefined, delta: number): void {
  if (!range) return;
  range[0]! += delta;
  range[1]! += delta;
  range[2]! += delta;
}

/**
 * Moves the ranges of a node and of everything in it by `delta`, in place. This runs for every node after a keystroke
 * (half a big file's): the library's classes are told apart with `instanceof`, so that each branch reads the fields of
 * one class (reading `range`, `items`, `key` and `value` of every kind of node in one place was twice as slow), not
 * with `isPair`/`isNode` (a symbol property read each); anything else (an alias) by its fields.
 */
export function shiftNode(node: unknown, delta: number): void {
  if (node instanceof Scalar) shiftRange(node.range, delta);
  else if (node instanceof Pair) {
    shiftNode(node.key, delta);
    shiftNode(node.value, delta);
  } else if (node instanceof YAMLMap || node instanceof YAMLSeq) {
    shiftRange(node.range, delta);
    // A stage not read yet is only its range (dsl/quick-nodes.ts).
    const items = (node instanceof LazyMap ? node.read : node.items) as unknown[] | undefined;
    if (items) for (let i = 0; i < items.length; i++) shiftNode(items[i], delta);
  } else if (typeof node === 'object' && node !== null) shiftRange((node as { range?: number[] }).range, delta);
}

/** Anchors and aliases tie parts of a document together (`<<: *defaults`): a stage cannot be composed alone then. */
export const mayHaveAliases = (text: string) => text.includes('&') || text.includes('*');

/**
 * The previous document's top-level mapping and data when a part of it can be composed alone: no anchors or aliases
 * in either text, and every top-level key a plain string (no `<<` merge), so the data has exactly these entries.
 */
function plainRoot(previous: Base, text: string): { root: YAMLMap<Scalar, unknown>; data: Record<string, unknown> } | undefined {
  const { doc, data } = previous;
  const root = doc.contents;
  if (mayHaveAliases(previous.text) || mayHaveAliases(text) || !isMap(root) || typeof data !== 'object' || data === null || Array.isArray(data))
    return undefined;
  if (root.items.some((p) => !isScalar(p.key) || typeof p.key.value !== 'string')) return undefined;
  return { root: root as YAMLMap<Scalar, unknown>, data: data as Record<string, unknown> };
}

/** Items of a list re-parsed (dsl/reparse.ts), composed alone in a stand-in document; undefined when one does not start with its `-`. */
function composedFresh(fresh: CST.BlockSequence['items'], indent: number): Document | undefined {
  const offset = fresh[0]?.start[0]?.offset;
  if (offset === undefined || fresh.some((item) => item.start.every((t) => t.type !== 'seq-item-ind'))) return undefined;
  return composedAlone({ type: 'document', offset, start: [], value: { type: 'block-seq', offset, indent, items: fresh } });
}

/** A stand-in document of re-parsed tokens, composed alone. */
function composedAlone(stand: CST.Document): Document | undefined {
  const composed = [...new Composer(composeOptions).compose([stand])] as Document[];
  return composed.length === 1 ? composed[0] : undefined;
}

/** The contents of a stand-in document of re-parsed tokens, composed alone; undefined on any error or warning. */
function composeAlone(stand: CST.Document): Node | undefined {
  const doc = composedAlone(stand);
  return doc && doc.errors.length === 0 && doc.warnings.length === 0 ? (doc.contents ?? undefined) : undefined;
}

/**
 * Whether the errors and warnings of the previous document all lie around the `removed` items of `seq` from `index` on
 * (between the items before and after them): a stage typed half-way, re-parsed alone (dsl/reparse.ts). Then composing
 * those items again gives all the errors the document has.
 */
function errorsOnlyAround(doc: Document, seq: YAMLSeq, index: number, removed: number): boolean {
  const all = [...doc.errors, ...doc.warnings];
  if (all.length === 0) return true;
  const before = index > 0 ? (seq.items[index - 1] as Node).range?.[2] : seq.range?.[0];
  const after = index + removed < seq.items.length ? (seq.items[index + removed] as Node).range?.[0] : seq.range?.[2];
  return before !== undefined && after !== undefined && all.every((e) => e.pos[0] >= before && e.pos[1] <= after);
}

/** Plain data of composed nodes, as the whole document's `toJS` makes it; undefined when that fails. */
function dataOf(doc: Document, nodes: unknown[]): unknown[] | undefined {
  try {
    return nodes.map((node): unknown => (isNode(node) ? (node.toJS(doc, { maxAliasCount: 1000 }) as unknown) : node));
  } catch {
    return undefined;
  }
}

/**
 * A collection or the document ends where its last part ends (as the composer reckons it: the end of a trailing empty
 * value does not move with blanks typed after it), or where the comments after it end, which moved by `delta`.
 */
function ends(range: [number, number, number], last: number, delta: number): void {
  range[2] = range[2] === range[1] ? last : range[2] + delta;
  range[1] = last;
}

/**
 * The document ends where its contents end, and its range's last offset is that plus the length of the tokens after
 * them (the composer's `resolveEnd` adds them up), which an edit before them does not change. Not their offset: when
 * the contents end early (a stage that fails to compose ends before its last line), the two differ.
 */
function docEnds(range: [number, number, number], contentEnd: number): void {
  range[2] = contentEnd + range[2] - range[1];
  range[1] = contentEnd;
}

/**
 * The document and data of a new text from the previous version's, after an edit that re-parsed one stage
 * (`change`, from dsl/reparse.ts; `tokens` is the new tree): only that stage is composed, its node and data
 * replace the old ones, and the ranges of everything after it move by the edit's length, so a keystroke in a
 * big file does not compose and convert the whole document again. The previous document is taken over
 * (changed in place); its data is left as it was. Undefined when the result could differ from composing the
 * whole text (anchors or aliases in either text, merge keys at the top, an item that is not one node, errors or
 * warnings outside the edited stage): the caller composes everything then. Errors inside it (a stage typed half-way)
 * become the document's errors.
 */
export function recompose(
  previous: Base,
  tokens: readonly CST.Token[],
  change: ItemChange,
  text: string,
): { doc: Document; data: unknown; key: string } | undefined {
  const { doc } = previous;
  const plain = plainRoot(previous, text);
  if (!plain) return undefined;
  const { root, data } = plain;
  const pair = root.items[change.top];
  const seq = pair?.value;
  const key = pair ? String(pair.key.value) : undefined;
  const list: unknown = key === undefined ? undefined : data[key];
  if (!isSeq(seq) || !Array.isArray(list) || list.length !== seq.items.length) return undefined;
  const items = list as unknown[];
  const docToken = tokens.find((t): t is CST.Document => t.type === 'document');
  const mapToken = docToken?.value;
  const seqToken = mapToken?.type === 'block-map' ? mapToken.items[change.top]?.value : undefined;
  // One node per item of the list, before and after (an item that is only a comment makes none).
  if (seqToken?.type !== 'block-seq' || seqToken.items.length - change.count + change.removed !== seq.items.length) return undefined;
  const fresh = seqToken.items.slice(change.index, change.index + change.count);
  // A stage deleted whole leaves nothing to compose (but another stage in the list: it does not become empty).
  const alone =
    fresh.length > 0
      ? composedFresh(fresh, seqToken.indent)
      : seq.items.length > change.removed
        ? { contents: new YAMLSeq(), errors: [], warnings: [] }
        : undefined;
  const part = alone?.contents;
  if (!alone || !isSeq(part) || part.items.length !== fresh.length || !errorsOnlyAround(doc, seq, change.index, change.removed)) return undefined;
  const nodes = part.items;
  const fromNodes = dataOf(doc, nodes);
  if (!fromNodes) return undefined;
  const [seqRange, rootRange, docRange] = [seq.range, root.range, doc.range];
  if (!seqRange || !rootRange || !docRange) return undefined;
  // Everything after the stage moves with the edit.
  for (let i = change.index + change.removed; i < seq.items.length; i++) shiftNode(seq.items[i], change.delta);
  for (const p of root.items.slice(change.top + 1)) shiftNode(p, change.delta);
  seq.items.splice(change.index, change.removed, ...nodes);
  // The document's errors are the edited stage's (`errorsOnlyAround`), as composing the whole text would find them.
  doc.errors = alone.errors;
  doc.warnings = alone.warnings;
  seqRange[0] = seqToken.offset;
  ends(seqRange, (seq.items[seq.items.length - 1] as Node).range![2], change.delta);
  ends(rootRange, change.top === root.items.length - 1 ? seqRange[2] : rootRange[1] + change.delta, change.delta);
  docEnds(docRange, rootRange[2]);
  // A copy with the item replaced (spreading two slices of 400,000 items copied them twice).
  const newList = items.slice();
  newList.splice(change.index, change.removed, ...fromNodes);
  return { doc, data: { ...data, [key!]: newList }, key: key! };
}

/**
 * `recompose` for an edit that re-parsed one top-level entry (`change`, from dsl/reparse.ts) other than a list of
 * stages edited inside one stage: only that entry is composed, its node and value replace the old ones (the key stays
 * the same), and what follows it moves. Undefined when the result could differ from composing the whole text (as for
 * `recompose`, and when the entry became another key or more than one).
 */
export function recomposeEntry(
  previous: Base,
  tokens: readonly CST.Token[],
  change: EntryChange,
  text: string,
): { doc: Document; data: unknown; moved: number | undefined } | undefined {
  const { doc } = previous;
  const plain = plainRoot(previous, text);
  const mapToken = tokens.find((t): t is CST.Document => t.type === 'document')?.value;
  if (!plain || change.count !== 1 || mapToken?.type !== 'block-map' || mapToken.items.length !== plain.root.items.length) return undefined;
  const { root, data } = plain;
  const pair = root.items[change.top]!;
  const fresh = mapToken.items[change.top]!;
  const offset = (fresh.start[0] ?? fresh.key)?.offset;
  if (offset === undefined) return undefined;
  const part = composeAlone({ type: 'document', offset, start: [], value: { type: 'block-map', offset, indent: 0, items: [fresh] } });
  const now = isMap(part) && part.items.length === 1 ? part.items[0] : undefined;
  const key = String(pair.key.value);
  if (!now || !isScalar(now.key) || now.key.value !== pair.key.value) return undefined;
  // The first key also carries the comment of the lines before the document (see `prelude`).
  const lead =
    change.top === 0
      ? prelude(
          tokens.slice(
            0,
            tokens.findIndex((t) => t.type === 'document'),
          ),
        ).first
      : undefined;
  if (lead !== undefined) now.key.commentBefore = now.key.commentBefore ? `${lead}\n${now.key.commentBefore}` : lead;
  const value = dataOf(doc, [now.value])?.[0];
  const [rootRange, docRange] = [root.range, doc.range];
  if (value === undefined || !rootRange || !docRange) return undefined;
  for (const p of root.items.slice(change.top + 1)) shiftNode(p, change.delta);
  root.items.splice(change.top, 1, now as Pair<Scalar, unknown>);
  entriesChanged(root);
  const last = change.top === root.items.length - 1 ? ((now.value as Node | null)?.range ?? now.key.range)![2] : rootRange[1] + change.delta;
  ends(rootRange, last, change.delta);
  docEnds(docRange, rootRange[2]);
  // The stages (when this is not them) are as before, moved when they come after this entry.
  const stagesAt = root.items.findIndex((p) => p.key.value === 'stages');
  const moved = key === 'stages' ? undefined : stagesAt > change.top ? change.delta : 0;
  return { doc, data: { ...data, [key]: value }, moved };
}

/**
 * Where the composer puts the comment made of the lines before a document (its `decorate`): on the document after a
 * blank line, else before the document's first key. Asked of the library itself, with a one-scalar stand-in document.
 */
function prelude(tokens: readonly CST.Token[]): { doc: string | undefined; first: string | undefined } {
  const offset = tokens.reduce((n, t) => n + CST.stringify(t).length, 0);
  const stand: CST.Document = { type: 'document', offset, start: [], value: { type: 'scalar', offset, indent: 0, source: 'x' } };
  const doc = [...new Composer(composeOptions).compose([...tokens, stand])][0];
  return { doc: doc?.commentBefore ?? undefined, first: doc?.contents?.commentBefore ?? undefined };
}

/**
 * The document of a new text from the previous version's after an edit of only the comment lines before it
 * (`change`, from dsl/reparse.ts): the comment those lines make is moved from where the old lines put it to where the
 * new ones do, and every range moves by the edit's length. The data is the same. The previous document is taken over
 * (changed in place). Undefined when the document is not a block mapping with a first key (the caller composes
 * everything then).
 */
export function recomposeLead(previous: Base, change: LeadChange): Document | undefined {
  const { doc } = previous;
  const root = doc.contents;
  const first = isMap(root) && !root.flow ? root.items[0]?.key : undefined;
  if (!isNode(first) || !doc.range) return undefined;
  const old = prelude(change.before);
  const now = prelude(change.after);
  // The first key's own comment, without what the old lines added before it.
  let own = first.commentBefore ?? undefined;
  if (old.first !== undefined) {
    if (own !== old.first && !own?.startsWith(`${old.first}\n`)) return undefined;
    own = own === old.first ? undefined : own.slice(old.first.length + 1);
  }
  if (old.doc !== undefined) doc.commentBefore = null;
  if (now.doc !== undefined) doc.commentBefore = now.doc;
  const comment = now.first === undefined ? own : own ? `${now.first}\n${own}` : now.first;
  // Unset, not undefined, as the composer leaves a key without one.
  if (comment === undefined) delete first.commentBefore;
  else first.commentBefore = comment;
  shiftNode(root, change.delta);
  for (let i = 0; i < 3; i++) doc.range[i]! += change.delta;
  return doc;
}

/** What composing only the re-parsed part gives: see `Parsed.edited` and `Parsed.moved` (dsl/parse.ts). */
export interface Recomposed {
  doc: Document;
  data: unknown;
  edited?: { key: string; index: number; removed: number; count: number; delta: number };
  moved?: number;
}

/**
 * The document and data of a new text from the previous version's, composing only the part `reparsed` parsed again (a
 * stage, a top-level entry, the comment lines before the document); undefined when the whole text must be composed.
 */
export function recomposePart(previous: Base, reparsed: Reparsed, text: string): Recomposed | undefined {
  const part = composedPart(previous, reparsed, text);
  // Its stages not read yet are read from the new text, where their ranges now are.
  if (part) describes(part.doc, text);
  return part;
}

/** `recomposePart` but for where its unread stages are read from. */
function composedPart(previous: Base, reparsed: Reparsed, text: string): Recomposed | undefined {
  // Errors of the version before are a stage's (`errorsOnlyAround`): an edit elsewhere would have to move them too.
  const broken = previous.doc.errors.length > 0 || previous.doc.warnings.length > 0;
  if (broken && !reparsed.item) return undefined;
  if (reparsed.lead) {
    const doc = recomposeLead(previous, reparsed.lead);
    return doc && { doc, data: previous.data, moved: reparsed.lead.delta };
  }
  if (reparsed.entry) {
    const entry = recomposeEntry(previous, reparsed.tokens, reparsed.entry, text);
    return entry && { doc: entry.doc, data: entry.data, ...(entry.moved === undefined ? {} : { moved: entry.moved }) };
  }
  if (!reparsed.item) return undefined;
  const { index, removed, count, delta } = reparsed.item;
  const stage = recompose(previous, reparsed.tokens, reparsed.item, text);
  return stage && { doc: stage.doc, data: stage.data, edited: { key: stage.key, index, removed, count, delta } };
}
