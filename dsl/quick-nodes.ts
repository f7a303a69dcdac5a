import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { composeOptions } from './recompose';

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

export const scalarNode = (value: unknown): Scalar => new QuickScalar(value) as unknown as Scalar;
export const pairNode = (key: Node, value: Node): Pair => new QuickPair(key, value) as unknown as Pair;
export const mapNode = (): YAMLMap => new QuickMap() as unknown as YAMLMap;
export const seqNode = (): YAMLSeq => new QuickSeq() as unknown as YAMLSeq;
