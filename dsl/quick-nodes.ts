import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type Schema } from 'yaml';
import { composeOptions } from './compose-options';
import type { StageKey } from './model';
import { trimItems, type KeySpans } from './yaml-nodes';

/**
 * The `yaml` library's node classes for the quick first read (dsl/quick-read.ts), made without their constructors.
 * Those mark each node's kind, and each collection's schema, with `Object.defineProperty` on the node itself: ~1.5 s of
 * the first check of a 20 MB pipeline (~4 million nodes), in the runtime, not in optimised code. Here the kind and the
 * schema sit once on the class's prototype, which the library's `isScalar`, `isMap`, … read the same way (a property
 * lookup), and the prototype chain goes on to the library's class: `instanceof`, `constructor`, every method, `clone`
 * and the nodes' own properties are the library's (test/unit/dsl/quick-nodes.test.ts).
 */

const nodeType = Symbol.for('yaml.node.type');
/** The schema the composer gives a pipeline's document (its collections keep it to make new nodes in `setIn` & co.). */
const schema = new Document(null, composeOptions).schema;

/** Puts `cls`'s prototype in front of `library`'s, with the node kind `type` (and the schema, for a collection). */
function inFrontOf(cls: { prototype: object }, library: { prototype: object }, type: string, collection: boolean): void {
  Object.setPrototypeOf(cls.prototype, library.prototype);
  Object.defineProperty(cls.prototype, nodeType, { value: Symbol.for(`yaml.${type}`) });
  Object.defineProperty(cls.prototype, 'constructor', { value: library, writable: true, configurable: true });
  // Writable: the library's `clone(schema)` assigns the clone its own.
  if (collection) Object.defineProperty(cls.prototype, 'schema', { value: schema, writable: true, configurable: true });
}

class QuickScalar {
  constructor(public value: unknown) {}
}
class QuickPair {
  constructor(
    public key: unknown,
    public value: unknown,
  ) {}
}
class QuickMap {
  items: Pair[] = [];
}
class QuickSeq {
  items: unknown[] = [];
}
inFrontOf(QuickScalar, Scalar, 'scalar', false);
inFrontOf(QuickPair, Pair, 'pair', false);
inFrontOf(QuickMap, YAMLMap, 'map', true);
inFrontOf(QuickSeq, YAMLSeq, 'seq', true);

/** Where a document's unread stages are read from: the text of its current version, and how its mappings are read. */
export interface StageSource {
  text: string;
  /** The mapping at `start`–`end` of `text`, read as the first read read it (its lists as they were grown). */
  mapAt(start: number, end: number): YAMLMap;
}

/**
 * A stage's mapping as the quick first read leaves it: its place in the text, not its entries. The `Pair`s and the nodes
 * in them are ~1,000 bytes of heap a stage, half of a big file's; most stages are never asked for them (the model and the
 * checks work from the data and the spans the first read gave). They are read again from the document's current text
 * (`StageSource`) when something first asks for `items`, and kept from then on. Until then the mapping is only its range,
 * which moves with edits before it as any node's does (dsl/recompose.ts, `shiftNode`, which skips the unread entries).
 */
export class LazyMap {
  range: [number, number, number];
  #source: StageSource;
  #items: Pair[] | undefined;
  #keys: KeySpans<StageKey> | undefined;

  constructor(range: [number, number, number], source: StageSource, keys: KeySpans<StageKey>) {
    this.range = range;
    this.#source = source;
    this.#keys = keys;
  }

  get items(): Pair[] {
    if (!this.#items) {
      const map = this.#source.mapAt(this.range[0], this.range[1]);
      // Kept: without the room its lists were given to grow in.
      trimItems(map);
      this.#items = map.items;
    }
    return this.#items;
  }

  set items(items: Pair[]) {
    this.#items = items;
  }

  /** The entries when they have been read; undefined while they are still text. */
  get read(): Pair[] | undefined {
    return this.#items;
  }

  /**
   * This mapping as one of the library's with its entries, read again but not kept when they were not read (a walk of
   * every stage, as Format Document's, leaves the heap as it was).
   */
  peek(): YAMLMap {
    const items = this.#items;
    const map = items ? Object.assign(mapNode(), { items }) : this.#source.mapAt(this.range[0], this.range[1]);
    // Its own properties: the range, and the blank line or comment before it.
    return Object.assign(map, this);
  }

  /** The spans of the stage's keys that the first read found, once (the model takes them over and moves them). */
  takeKeys(): KeySpans<StageKey> | undefined {
    const keys = this.#keys;
    this.#keys = undefined;
    return keys;
  }

  /** A copy as the library's own mapping (its `clone` copies own properties, and the entries are not one). */
  clone(schema?: Schema): YAMLMap {
    const copy = new YAMLMap(schema ?? (this as unknown as YAMLMap).schema);
    Object.assign(copy, this, { range: this.range.slice() });
    copy.items = this.items.map((pair) => pair.clone(schema));
    return copy;
  }
}
inFrontOf(LazyMap, YAMLMap, 'map', true);

export const lazyMap = (range: [number, number, number], source: StageSource, keys: KeySpans<StageKey>): YAMLMap =>
  new LazyMap(range, source, keys) as unknown as YAMLMap;

const sources = new WeakMap<Document, StageSource>();

/** The document read by the quick first read reads its unread stages from `source`. */
export function readsStagesFrom(doc: Document, source: StageSource): void {
  sources.set(doc, source);
}

/**
 * The document now describes `text` (an edit composed into it, its nodes moved: dsl/recompose.ts): its unread stages
 * are read from that text from now on.
 */
export function describes(doc: Document, text: string): void {
  const source = sources.get(doc);
  if (source) source.text = text;
}

export const scalarNode = (value: unknown): Scalar => new QuickScalar(value) as unknown as Scalar;
export const pairNode = (key: Node, value: Node): Pair => new QuickPair(key, value) as unknown as Pair;
export const mapNode = (): YAMLMap => new QuickMap() as unknown as YAMLMap;
export const seqNode = (): YAMLSeq => new QuickSeq() as unknown as YAMLSeq;
