import { CST, Parser } from 'yaml';
import { DashItem, isPruned } from './tree-skeleton';

/**
 * Incremental parsing: the concrete syntax tree (CST) of a new text from the tree of the text before
 * one edit, re-parsing only the top-level entry or the `stages` items that the edit is inside (one, or up to
 * `maxRemoved` when it changed what lies between them; or the stages it deleted whole).
 *
 * The yaml library's parser reads a line at a time and keeps a stack of open collections; the tokens
 * of one item of a block collection depend only on the item's own text, on the collection it is in
 * and on the item before it (which decides where comments and blank lines in between belong). So the
 * changed item is parsed again together with the item before it and the first line of the item after
 * it, under a stand-in for the enclosing key, and its tokens are taken out and moved to their place.
 * Whenever the result could differ from a full parse (a syntax error anywhere, the edit touching an
 * item's first character, the new tokens not covering exactly the changed text, an unusual layout),
 * it gives up and the caller parses everything. test/unit/dsl/reparse.test.ts compares it with a full
 * parse, token for token, on random edit sequences.
 */

/** An entry of a block mapping or an item of a block list. */
type Item = CST.BlockMap['items'][number] | CST.BlockSequence['items'][number];

/** Context taken along on each side of the changed item, at most; beyond this a full parse is as cheap. */
const maxContext = 16_384;

/** The offset where the line holding `at` starts. */
export const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;

/** The offset after the line at `at` (its line break included). */
export function lineEnd(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

function firstOffset(item: Item): number | undefined {
  return (item.start[0] ?? item.key ?? item.sep?.[0] ?? item.value)?.offset;
}

function itemLength(item: Item): number {
  return CST.stringify(item).length;
}

function unclosedQuoteFree(source: string, type: string): boolean {
  const q = type === 'double-quoted-scalar' ? '"' : "'";
  return source.length >= 2 && source.endsWith(q) && !(q === '"' && /(^|[^\\])(\\\\)*\\"$/.test(source));
}

/** Unclosed at the end of the re-parsed lines, where the whole text goes on: no error token says so. */
function unclosed(t: Record<string, unknown>): boolean {
  if (t.type === 'flow-collection') return !(t.end as CST.SourceToken[]).some((e) => e.type === 'flow-map-end' || e.type === 'flow-seq-end');
  return (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && !unclosedQuoteFree(t.source as string, t.type);
}

/** A token anywhere in a part of the tree that `test` picks. */
function anyToken(node: unknown, test: (t: Record<string, unknown>) => boolean): boolean {
  if (Array.isArray(node)) return node.some((n) => anyToken(n, test));
  if (typeof node !== 'object' || node === null) return false;
  const t = node as Record<string, unknown>;
  if (test(t)) return true;
  return [t.start, t.end, t.sep, t.props, t.items, t.key, t.value].some((n) => anyToken(n, test));
}

/** An error token or an unclosed collection or quote anywhere in a part of the tree (the composer finds the rest: the caller parses again when it does). */
const hasError = (node: unknown) => anyToken(node, (t) => t.type === 'error' || t.type === 'flow-error-end' || unclosed(t));

/**
 * Moves every offset in tokens and items by `delta`, in place, walking each kind of token by its own fields (a
 * walk that asked every object for every field was an eighth of a keystroke's check in a big file).
 */
function shiftTokens(tokens: readonly CST.Token[] | undefined, delta: number): void {
  if (tokens) for (const t of tokens) shiftToken(t, delta);
}

/** Source tokens (a `-`, spaces, a comment) hold no others: only their own offsets move. */
function shiftSource(tokens: readonly CST.SourceToken[] | undefined, delta: number): void {
  if (tokens) for (let i = 0; i < tokens.length; i++) tokens[i]!.offset += delta;
}

export function shiftItems(items: readonly CST.CollectionItem[], delta: number, from = 0): void {
  for (let i = from; i < items.length; i++) {
    const item = items[i]!;
    // Its tokens are made from its place when asked for (dsl/tree-skeleton.ts).
    if (item instanceof DashItem) {
      item.lineStart += delta;
      continue;
    }
    shiftSource(item.start, delta);
    if (item.key) shiftToken(item.key, delta);
    shiftSource(item.sep, delta);
    if (item.value) shiftToken(item.value, delta);
  }
}

function shiftToken(t: CST.Token, delta: number): void {
  t.offset += delta;
  if (t.type === 'document') {
    shiftTokens(t.start, delta);
    if (t.value) shiftToken(t.value, delta);
    shiftTokens(t.end, delta);
  } else if (t.type === 'block-map' || t.type === 'block-seq') {
    shiftItems(t.items, delta);
  } else if (t.type === 'flow-collection') {
    shiftToken(t.start, delta);
    shiftItems(t.items, delta);
    shiftTokens(t.end, delta);
  } else if (t.type === 'block-scalar') {
    shiftTokens(t.props, delta);
  } else if (t.type === 'scalar' || t.type === 'single-quoted-scalar' || t.type === 'double-quoted-scalar' || t.type === 'alias' || t.type === 'doc-end') {
    // A flow scalar's or a document end's comments after it. Asked by type: `'end' in t` of every `-` and space of
    // a big file's stages (all that a pruned stage keeps) looked up a field they do not have.
    shiftTokens(t.end, delta);
  }
}

interface Span {
  start: number;
  end: number;
}

/** Each item's place in the old text: from its first token to the next item's (the last one's to `endOfLast`). */
type Spans = (index: number) => Span;

/**
 * The items' places, each worked out when asked for (a list of 400,000 stages needs three of them, not a span
 * per item); undefined when an item has no token to start from. The items of a list always have one (the parser opens
 * an item at its `-`): only a mapping's are looked at.
 */
function itemSpans(items: Item[], endOfLast: number, list = false): { count: number; at: Spans } | undefined {
  if (!list && !items.every((item) => firstOffset(item) !== undefined)) return undefined;
  const start = (i: number) => firstOffset(items[i]!)!;
  return { count: items.length, at: (i) => ({ start: start(i), end: i + 1 < items.length ? start(i + 1) : endOfLast }) };
}

/**
 * The item the edit `[from, to)` (old offsets) is inside: after its first character, not past its end. The items
 * start in order, so only the last one starting before `from` can hold it.
 */
function itemAround(spans: { count: number; at: Spans }, from: number, to: number): number {
  let low = 0;
  let high = spans.count - 1;
  if (high < 0 || spans.at(0).start >= from) return -1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (spans.at(mid).start < from) low = mid;
    else high = mid - 1;
  }
  return to <= spans.at(low).end ? low : -1;
}

/** Characters an edit is moved left at most by `wholeItems`: a line or so. */
const maxSlide = 256;

/**
 * The items an edit replaces whole (stages' lines deleted, or pasted over), when the edit moved left by up to
 * `maxSlide` characters is the same edit (`b|ab` deleted from `ab|ab` is `ab|` deleted from `|abab`) and covers
 * exactly whole items: what `commonEnds` finds for a deleted stage starts after the `- ` the next stage begins with too.
 */
function wholeItems(spans: { count: number; at: Spans }, oldText: string, text: string, from: number, to: number, delta: number): ItemRun | undefined {
  for (let k = 0; k <= maxSlide && from - k >= 0; k++) {
    if (k > 0 && (oldText.charCodeAt(from - k) !== oldText.charCodeAt(to - k) || text.charCodeAt(from - k) !== text.charCodeAt(to + delta - k)))
      return undefined;
    const first = itemAround(spans, from - k + 1, from - k + 1);
    const last = itemAround(spans, to - k, to - k);
    if (first >= 0 && last >= first && spans.at(first).start === from - k && spans.at(last).end === to - k) return { index: first, removed: last - first + 1 };
  }
  return undefined;
}

/** Items of a list from `index` on, `removed` of them. */
interface ItemRun {
  index: number;
  removed: number;
}

/**
 * The items an edit is inside, from the one its start is inside (after that item's first character) to the one its end
 * is, at most `maxRemoved` of them; undefined when it is inside none or reaches further.
 */
function itemsAround(spans: { count: number; at: Spans }, from: number, to: number): ItemRun | undefined {
  const index = itemAround(spans, from, from);
  if (index < 0) return undefined;
  let removed = 1;
  while (to > spans.at(index + removed - 1).end && removed < maxRemoved && index + removed < spans.count) removed++;
  return to <= spans.at(index + removed - 1).end ? { index, removed } : undefined;
}

interface Level {
  items: Item[];
  spans: Spans;
  inSeq: boolean;
  /** Text put before the re-parsed lines so that the parser is in the same place: "" or a stand-in key. */
  header: string;
  /** Indent of the collection, to check that the stand-in parsed the same way. */
  indent: number;
  /** After the level's last item: the top-level entry that follows (a list's) and where it ends, else the document's end. */
  follow: { item?: Item; end: number; docEnd?: CST.SourceToken[] };
}

/** The same tokens, `a`'s offsets moved by `da` and `b`'s by `db`. */
function sameTree(a: unknown, b: unknown, da: number, db: number): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameTree(x, b[i], da, db));
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false;
  return keys.every((k) => (k === 'offset' ? (x[k] as number) + da === (y[k] as number) + db : sameTree(x[k], y[k], da, db)));
}

/**
 * The new items that replace `items[index]` of a level, parsed again with their neighbours, and where
 * the collection starts (which moves with an edit of its first item); undefined to give up. What
 * follows the changed item (the next item and one line more, or the end of the document) must read
 * exactly as before, or the edit changed more than its item.
 */
/** Lines of a text parsed under a level's stand-in header, and the items of the level's collection among them. */
interface Window {
  doc: CST.Document;
  map: CST.BlockMap;
  items: Item[];
  offset: number;
  /** What to add to an offset in the window to get one in the text. */
  base: number;
}

function parseWindow(level: Level, text: string, from: number, to: number): Window | undefined {
  const base = from - level.header.length;
  const tokens = [...new Parser().parse(level.header + text.slice(from, to))];
  const doc = tokens.find((t): t is CST.Document => t.type === 'document');
  const map = doc?.value;
  if (!doc || map?.type !== 'block-map' || map.indent !== 0) return undefined;
  if (!level.inSeq) return { doc, map, items: map.items, offset: map.offset, base };
  const seq = map.items[0]?.value;
  if (map.items.length < 1 || seq?.type !== 'block-seq' || seq.indent !== level.indent) return undefined;
  return { doc, map, items: seq.items, offset: seq.offset, base };
}

/**
 * Item `index` of a level as the parser read it in the old text. The kept tree holds only where a stage starts
 * (dsl/tree-skeleton.ts): then the same lines as around the edit are parsed again from the old text, and the item
 * is taken from them (its offsets those of the window `base` belongs to, as in `reparseItem`). `edited`: where the
 * items edited (those just before this one) start.
 */
function oldItem(level: Level, index: number, oldText: string, contextStart: number, edited: number): { item: Item | undefined; base: number } | undefined {
  const kept = level.items[index]!;
  if (!level.inSeq || !isPruned(kept as CST.BlockSequence['items'][number])) return { item: kept, base: 0 };
  const window = parseWindow(level, oldText, contextStart, lineEnd(oldText, level.spans(index).end));
  if (!window || hasError(window.doc.start)) return undefined;
  // The items edited may hold an error of the version before: they are read again anyway.
  const start = level.spans(index).start;
  const wasEdited = (item: Item) => firstOffset(item)! + window.base >= edited && firstOffset(item)! + window.base < start;
  if (window.items.some((item) => !wasEdited(item) && hasError(item))) return undefined;
  return { item: window.items.find((item) => firstOffset(item)! + window.base === level.spans(index).start), base: window.base };
}

/**
 * The new items that replace the `removed` items of a level from `items[index]` on, parsed again with their neighbours,
 * and where the collection starts (which moves with an edit of its first item); undefined to give up. What follows the
 * changed items (the next item and one line more, or the end of the document) must read exactly as before, or the edit
 * changed more than those items.
 */
function reparseItem(level: Level, index: number, oldText: string, text: string, delta: number, removed = 1): { fresh: Item[]; offset: number } | undefined {
  const span = { start: level.spans(index).start, end: level.spans(index + removed - 1).end };
  const newEnd = span.end + delta;
  const contextStart = lineStart(text, index > 0 ? level.spans(index - 1).start : span.start);
  const next = level.items[index + removed];
  // At the top level the next entry's first line is enough: it starts a new entry of the mapping at column 0, so the
  // parser is where it was for everything after it (a `stages` list of 400,000 items is not read again).
  const firstLineOnly = !level.inSeq && next !== undefined;
  const followEnd = !next ? level.follow.end : firstLineOnly ? level.spans(index + removed).start : level.spans(index + removed).end;
  const sentinelEnd = lineEnd(text, followEnd + delta);
  if (span.start - contextStart > maxContext || sentinelEnd - newEnd > maxContext) return undefined;
  const window = parseWindow(level, text, contextStart, sentinelEnd);
  if (!window) return undefined;
  const { doc, map, items, offset, base } = window;
  let from = items.findIndex((item) => firstOffset(item)! + base >= span.start);
  // The last item deleted whole: nothing starts where it did.
  if (from < 0 && newEnd === span.start) from = items.length;
  if (from < 0 || (from < items.length && firstOffset(items[from]!)! + base !== span.start)) return undefined;
  let to = from;
  let length = 0;
  while (to < items.length && length < newEnd - span.start) length += itemLength(items[to++]!);
  if (length !== newEnd - span.start) return undefined;
  const fresh = items.slice(from, to);
  // An error in the item before means that it was not read as in the whole text: the context differs. The edited item
  // may hold errors (a stage typed half-way), each as a whole parse finds it when what follows reads as before (below),
  // but not an unclosed bracket or quote: where it ends, the whole text goes on.
  // No items: the item was deleted whole.
  if ((fresh.length === 0 && newEnd !== span.start) || hasError(items.slice(0, from)) || anyToken(fresh, unclosed) || hasError(doc.start)) return undefined;
  if (firstLineOnly) {
    const after = items[to];
    if (!after || !sameTree(after.start, next.start, base, delta) || !sameTree(after.key, next.key, base, delta)) return undefined;
  } else if (next) {
    const old = oldItem(level, index + removed, oldText, contextStart, span.start);
    if (!old?.item || !sameTree(items[to], old.item, base, old.base + delta)) return undefined;
  } else {
    if (to !== items.length) return undefined;
    const following = level.inSeq ? map.items[1] : undefined;
    if (
      level.follow.item ? !sameTree(following, level.follow.item, base, delta) : following !== undefined || !sameTree(doc.end, level.follow.docEnd, base, delta)
    )
      return undefined;
  }
  shiftItems(fresh, base);
  return { fresh, offset: offset + base };
}

/** Characters compared at once by `commonEnds` at least: a comparison of two slices runs in the engine, not character by character here. */
const block = 4096;

/**
 * How many characters `a` and `b` have in common at their starts (or their ends), up to `max`: slices twice as long
 * after each one that matched (a 20 MB text is compared in a few dozen slices), back to `block` after one that did
 * not, then character by character.
 */
function common(a: string, b: string, max: number, atEnd: boolean): number {
  const same = (n: number, length: number) =>
    atEnd ? a.slice(a.length - n - length, a.length - n) === b.slice(b.length - n - length, b.length - n) : a.slice(n, n + length) === b.slice(n, n + length);
  let n = 0;
  for (let length = block; length >= block;) {
    if (n + length <= max && same(n, length)) {
      n += length;
      length *= 2;
    } else length = length > block ? block : 0;
  }
  const at = atEnd ? (x: string, i: number) => x.charCodeAt(x.length - 1 - i) : (x: string, i: number) => x.charCodeAt(i);
  while (n < max && at(a, n) === at(b, n)) n++;
  return n;
}

function commonEnds(a: string, b: string): { prefix: number; suffix: number } {
  const max = Math.min(a.length, b.length);
  const prefix = common(a, b, max, false);
  return { prefix, suffix: common(a, b, max - prefix, true) };
}

/**
 * The tree of `text`, from the tree of `oldText` (which must be exactly what the parser gave for it,
 * without errors); undefined when this edit needs a full parse, and then the old tree is as it was.
 * Otherwise the old tree is taken over: the tokens after the edit are moved in place (copying them
 * cost a 5,000-stage file 60 ms), so it no longer matches `oldText`.
 */
export function reparse(oldTokens: readonly CST.Token[], oldText: string, text: string): CST.Token[] | undefined {
  return reparseTree(oldTokens, oldText, text)?.tokens;
}

/**
 * Which items of a list at the top level (stages) an edit replaced: the list is the value of top-level entry `top`,
 * its `removed` old items from `index` on became its items `index` to `index + count - 1`, and everything after them
 * moved by `delta` (dsl/recompose.ts composes only those). Mostly one item: more when the edit moved what lies between
 * two items (a blank or comment line, the indentation of the next item's line) from one item to another.
 */
export interface ItemChange {
  top: number;
  index: number;
  removed: number;
  count: number;
  delta: number;
}

/**
 * Items re-parsed at most for one edit: the item edited, and the next ones when the lines between them now belong to
 * another (Enter at the end of a stage makes a blank line that the next stage's item holds; a stage commented out
 * becomes lines the item after it holds).
 */
const maxRemoved = 3;

/** Which top-level entry an edit replaced (not inside one stage): old entry `top` became `count` entries, what follows moved by `delta`. */
export interface EntryChange {
  top: number;
  count: number;
  delta: number;
}

/**
 * An edit of the comments and blank lines before the document (a comment typed at the top of the file): the tokens
 * before the document, before and after the edit; the document's own tokens moved by `delta` (dsl/recompose.ts
 * moves its nodes, the data and the model stay).
 */
export interface LeadChange {
  before: CST.Token[];
  after: CST.Token[];
  delta: number;
}

/** Tokens that may stand before the document for `leadEdit`: a comment, a line break, spaces. */
const leadToken = (t: CST.Token) => t.type === 'comment' || t.type === 'newline' || t.type === 'space';

/** Lines that are blank or a comment, indented by spaces only, each ended by a line break. */
const commentLines = /^(?: *(?:#[^\r\n]*)?\r?\n)*$/;

/**
 * The new tree when the edit (old offsets up to `to`) is inside the comments and blank lines before the document and
 * leaves only such lines there: those lines are parsed alone, the document's tokens are the old ones, moved. The
 * parser starts a document at the start of a line in the same state whatever comment lines came before it.
 */
function leadEdit(
  oldTokens: readonly CST.Token[],
  docIndex: number,
  doc: CST.Document,
  text: string,
  to: number,
  delta: number,
): { tokens: CST.Token[]; lead: LeadChange } | undefined {
  const before = oldTokens.slice(0, docIndex);
  if (to > doc.offset || doc.start.length > 0 || !before.every(leadToken)) return undefined;
  const leadText = text.slice(0, doc.offset + delta);
  if (!commentLines.test(leadText)) return undefined;
  const after = [...new Parser().parse(leadText)];
  if (!after.every(leadToken) || after.reduce((n, t) => n + CST.stringify(t).length, 0) !== leadText.length) return undefined;
  const rest = oldTokens.slice(docIndex);
  shiftTokens(rest, delta);
  return { tokens: [...after, ...rest], lead: { before, after, delta } };
}

/** A new tree made from the previous one, and which part of it was parsed again (at most one of the three). */
export interface Reparsed {
  tokens: CST.Token[];
  item?: ItemChange;
  entry?: EntryChange;
  lead?: LeadChange;
}

/** `reparse`, also saying which stage the edit replaced when it re-parsed one, or that only the lines before the document changed. */
export function reparseTree(oldTokens: readonly CST.Token[], oldText: string, text: string): Reparsed | undefined {
  if (oldText === text) return undefined;
  const docIndex = oldTokens.findIndex((t) => t.type === 'document');
  const doc = oldTokens[docIndex] as CST.Document | undefined;
  if (!doc || oldTokens.some((t, i) => i > docIndex && t.type !== 'comment' && t.type !== 'newline' && t.type !== 'space')) return undefined;
  const map = doc.value;
  if (map?.type !== 'block-map' || map.indent !== 0 || hasError(doc.start)) return undefined;
  const { prefix, suffix } = commonEnds(oldText, text);
  const from = prefix;
  const to = oldText.length - suffix;
  const delta = text.length - oldText.length;
  const lead = leadEdit(oldTokens, docIndex, doc, text, to, delta);
  if (lead) return lead;
  // The last entry ends where the document's end or whatever follows the document starts.
  const afterDoc = doc.end?.[0]?.offset ?? (oldTokens[docIndex + 1] as CST.SourceToken | undefined)?.offset ?? oldText.length;
  const topSpans = itemSpans(map.items, afterDoc);
  if (!topSpans) return undefined;
  const top = itemAround(topSpans, from, to);
  if (top < 0) return undefined;
  const topItem = map.items[top]!;
  const nextTop = map.items[top + 1];
  const docEnd = { end: oldText.length, ...(doc.end ? { docEnd: doc.end } : {}) };

  // Inside one item of a list at the top level (a stage): re-parse that item only.
  const seq = topItem.value;
  if (seq?.type === 'block-seq') {
    const seqSpans = itemSpans(seq.items, topSpans.at(top).end, true);
    const run = seqSpans && (itemsAround(seqSpans, from, to) ?? wholeItems(seqSpans, oldText, text, from, to, delta));
    if (run) {
      const follow = nextTop ? { item: nextTop, end: topSpans.at(top + 1).end } : docEnd;
      const level: Level = { items: seq.items, spans: seqSpans.at, inSeq: true, header: 'k:\n', indent: seq.indent, follow };
      const { index } = run;
      let removed = run.removed;
      let parsed = reparseItem(level, index, oldText, text, delta, removed);
      while (!parsed && removed < maxRemoved && index + removed < seq.items.length) parsed = reparseItem(level, index, oldText, text, delta, ++removed);
      if (!parsed) return undefined;
      shiftItems(seq.items, delta, index + removed);
      // One copy of a list of 400,000 items, not three (slices spread into a new one).
      const items = seq.items.slice();
      items.splice(index, removed, ...(parsed.fresh as CST.BlockSequence['items']));
      const newTop = { ...topItem, value: { ...seq, items, offset: index === 0 ? parsed.offset : seq.offset } } as Item;
      const item = { top, index, removed, count: parsed.fresh.length, delta };
      return { tokens: splice(oldTokens, docIndex, doc, map, top, [newTop], map.offset, delta), item };
    }
  }
  const level: Level = { items: map.items, spans: topSpans.at, inSeq: false, header: '', indent: 0, follow: docEnd };
  const parsed = reparseItem(level, top, oldText, text, delta);
  return (
    parsed && {
      tokens: splice(oldTokens, docIndex, doc, map, top, parsed.fresh, top === 0 ? parsed.offset : map.offset, delta),
      entry: { top, count: parsed.fresh.length, delta },
    }
  );
}

/** The old tree with top-level entry `top` replaced by `fresh` (the mapping now starting at `offset`) and everything after it moved by `delta`. */
function splice(
  tokens: readonly CST.Token[],
  docIndex: number,
  doc: CST.Document,
  map: CST.BlockMap,
  top: number,
  fresh: Item[],
  offset: number,
  delta: number,
): CST.Token[] {
  const after = map.items.slice(top + 1);
  shiftItems(after, delta);
  shiftTokens(doc.end, delta);
  shiftTokens(tokens.slice(docIndex + 1), delta);
  const items = [...map.items.slice(0, top), ...fresh, ...after] as CST.BlockMap['items'];
  return [...tokens.slice(0, docIndex), { ...doc, value: { ...map, items, offset } }, ...tokens.slice(docIndex + 1)];
}
