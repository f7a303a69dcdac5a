import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { Span } from './span';

/** Where a path of keys and indexes sits in the source: the key (for map entries) and the value. */
export interface Located {
  key?: Span;
  value: Span;
  /** True when the whole path was found; false when this is the nearest ancestor. */
  exact: boolean;
  /** The path goes through an alias or merge key: the spans are the place of use, not the node itself. */
  indirect?: boolean;
}

export function nodeSpan(node: { range?: [number, number, number] | null } | null | undefined): Span | undefined {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : undefined;
}

function keyText(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return typeof k.value === 'symbol' ? undefined : String(k.value);
  return undefined;
}

function isMergePair(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

const aliasTargets = new WeakMap<Document, Map<Alias, unknown>>();

/**
 * The node an alias names: the last node before it with that anchor, as `Alias.resolve` finds
 * it, but from one walk of the document instead of one walk per alias (which made a file with
 * many anchors quadratic: 1,000 took a minute).
 */
function aliasTarget(doc: Document, alias: Alias): unknown {
  let targets = aliasTargets.get(doc);
  if (!targets) {
    const found = new Map<Alias, unknown>();
    const latest = new Map<string, unknown>();
    try {
      visit(doc, {
        Node: (_key, node) => {
          if (isAlias(node)) found.set(node, latest.get(node.source));
          else if (node.anchor) latest.set(node.anchor, node);
        },
      });
    } catch {
      found.clear(); // too deep to walk: resolve one by one below
    }
    targets = found;
    aliasTargets.set(doc, targets);
  }
  return targets.has(alias) ? targets.get(alias) : alias.resolve(doc);
}

/** Follows aliases to the node they name; a merge or alias chain is bounded by the document. */
function deref(doc: Document, node: unknown): unknown {
  for (let hops = 0; isAlias(node) && hops < 100; hops++) node = aliasTarget(doc, node);
  return node;
}

interface MapIndex {
  /** The first entry of each key. */
  pairs: Map<string, Pair>;
  merges: Pair[];
}

const mapIndexes = new WeakMap<object, MapIndex>();

/** A mapping's entries by key, made once per mapping: every stage's keys are looked up one by one. */
function indexOf(map: { items: Pair[] }): MapIndex {
  let index = mapIndexes.get(map);
  if (!index) {
    index = { pairs: new Map(), merges: [] };
    for (const p of map.items) {
      const k = keyText(p);
      if (k !== undefined && !index.pairs.has(k)) index.pairs.set(k, p);
      if (isMergePair(p)) index.merges.push(p);
    }
    mapIndexes.set(map, index);
  }
  return index;
}

/** A mapping whose entries were replaced in place (dsl/recompose.ts): its index is made again when next asked for. */
export function entriesChanged(map: object): void {
  mapIndexes.delete(map);
}

/** Finds the entry `segment` in a map, also through `<<` merge keys (explicit keys win). */
function findPair(doc: Document, map: unknown, segment: string, depth = 0): { pair: Pair; via?: Span | undefined } | undefined {
  if (!isMap(map) || depth > 20) return undefined;
  const index = indexOf(map);
  const explicit = index.pairs.get(segment);
  if (explicit) return { pair: explicit };
  for (const merge of index.merges) {
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const source of sources) {
      const found = findPair(doc, deref(doc, source), segment, depth + 1);
      if (found) return { pair: found.pair, via: found.via ?? nodeSpan(source as Node) };
    }
  }
  return undefined;
}

/** Where a walk down a path has got to: the node, what to report for it, and the alias or merge key it went through. */
interface Cursor {
  node: unknown;
  at: Located;
  via?: Span;
}

function start(doc: Document): Cursor {
  return { node: doc.contents, at: { value: nodeSpan(doc.contents) ?? { start: 0, end: 0 }, exact: true } };
}

/** One step down: an index of a list or a key of a mapping (also through `<<` merge keys); undefined when absent. */
function step(doc: Document, from: Cursor, segment: string | number): Cursor | undefined {
  const node = deref(doc, from.node);
  let via = from.via;
  let next: Cursor;
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    if (item === undefined) return undefined;
    next = { node: item, at: { value: via ?? nodeSpan(item) ?? from.at.value, exact: true } };
  } else if (isMap(node)) {
    const found = findPair(doc, node, String(segment));
    if (!found) return undefined;
    via ??= found.via;
    const key = via ?? nodeSpan(found.pair.key as Node);
    const own = nodeSpan(found.pair.value as Node);
    // An empty value (`key:`) has a zero-width span; point at the key instead.
    const value = via ?? (own && own.end > own.start ? own : key);
    next = { node: found.pair.value, at: { value: value ?? from.at.value, exact: true } };
    if (key) next.at.key = key;
  } else {
    return undefined;
  }
  if (isAlias(next.node)) via ??= nodeSpan(next.node);
  if (via) next.via = via;
  return next;
}

function located(cursor: Cursor, exact = true): Located {
  return { ...cursor.at, exact, ...(cursor.via ? { indirect: true } : {}) };
}

/**
 * Locates a JSON path (as ajv reports it) in the YAML document. When the path goes through an
 * alias or merge key, the span is the place of use, not the anchor, so the user sees their line.
 */
export function locate(doc: Document, path: readonly (string | number)[]): Located {
  let cursor = start(doc);
  for (const segment of path) {
    const next = step(doc, cursor, segment);
    if (!next) return located(cursor, false);
    cursor = next;
  }
  return located(cursor);
}

/** `locate(doc, [...path, key])` for each key, walking down `path` once (a stage's keys, for every stage of a big file). */
export function locateKeys<K extends string>(doc: Document, path: readonly (string | number)[], keys: readonly K[]): Map<K, Located> {
  const found = new Map<K, Located>();
  let cursor = start(doc);
  for (const segment of path) {
    const next = step(doc, cursor, segment);
    if (!next) return found;
    cursor = next;
  }
  for (const key of keys) {
    const next = step(doc, cursor, key);
    if (next) found.set(key, located(next));
  }
  return found;
}

/** Where each present key of a mapping is: the key, and its value (or the key again when the value is empty). */
export type KeySpans<K extends string> = Partial<Record<K, { key: Span; value: Span }>>;

/** The list under `key` of the top-level mapping when it is written there: not through an alias or a merge key. */
export function directList(doc: Document, key: string): YAMLSeq | undefined {
  const found = isMap(doc.contents) ? findPair(doc, doc.contents, key) : undefined;
  return found && !found.via && isSeq(found.pair.value) ? found.pair.value : undefined;
}

/**
 * `locateKeys` of a mapping reached without an alias or a merge key, from its entries alone: no walk from the root, no
 * index of the mapping (kept as long as the document, one per stage of a big file). Undefined when the mapping has a
 * merge key (then `locateKeys` follows it). `keys`: each key's name, to the same name as one shared string.
 */
export function directKeySpans<K extends string>(map: YAMLMap, keys: ReadonlyMap<string, K>): KeySpans<K> | undefined {
  const spans: KeySpans<K> = {};
  for (const pair of map.items) {
    // `keyText` and `isMergePair` in one look at the key: this runs for every key of every stage.
    const node = pair.key;
    if (!isScalar(node)) continue;
    if (typeof node.value === 'symbol') return undefined;
    const k = keys.get(String(node.value));
    if (k === undefined || spans[k] !== undefined) continue;
    const key = nodeSpan(node);
    if (!key) continue;
    shareKeyText(node, k);
    const own = nodeSpan(pair.value as Node);
    // An empty value (`key:`) has a zero-width span; point at the key instead (as `step` does).
    spans[k] = { key, value: own && own.end > own.start ? own : key };
  }
  return spans;
}

/**
 * A known key's text as one string for every mapping (the parser gives each `run:` its own copy of "run"); and the room a
 * collection's list of items was given to grow in let go of (the composer pushes items one at a time, and V8 gives a
 * list 17 places at its first push: a stage's mapping holds 2 to 4). Both are a tenth of a big file's document.
 * Nothing else changes: the same nodes, values and ranges.
 */
function shareKeyText(key: Scalar, text: string): void {
  // Equal strings, not yet the same one.
  if (key.value === text && key.source === text) {
    key.value = text;
    key.source = text;
  }
}

/** `node` and the collections in it, each with a list of items just long enough (see `shareKeyText`). */
export function trimItems(node: unknown, depth = 0): void {
  if (!isCollection(node) || depth > 20) return;
  if (node.items.length < 16) node.items = node.items.slice();
  for (const item of node.items) {
    if (isPair(item)) {
      trimItems(item.key, depth + 1);
      trimItems(item.value, depth + 1);
    } else trimItems(item, depth + 1);
  }
}
