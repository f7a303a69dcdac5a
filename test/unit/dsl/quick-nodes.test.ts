// The quick read's nodes (dsl/quick-nodes.ts) behave as the yaml library's own: the kind tests, the classes, the own
// properties, copies, edits through the library and the text and data it makes of them. A big file's stages are left
// unread by a check, edits and Format Document (that they read as the library reads them, edit after edit, is
// test/unit/dsl/quick-read.test.ts's and recompose.test.ts's to show).
import { describe, expect, it } from 'vitest';
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isCollection, isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import { hugePipelineText } from '../../../bench/huge-text';
import { check, type CheckResult, type DslHost } from '../../../dsl';
import { formatEdits } from '../../../dsl/format';
import { LazyMap, mapNode, pairNode, scalarNode, seqNode } from '../../../dsl/quick-nodes';
import { directList } from '../../../dsl/yaml-nodes';
import { composeOptions } from '../../../dsl/compose-options';

/** The same small tree, `{ run: cat, with: [a, 1] }`, made by `make` (the quick nodes or the library's). */
function tree(make: { scalar: (v: unknown) => Scalar; pair: (k: Scalar, v: Scalar | YAMLSeq) => Pair; map: () => YAMLMap; seq: () => YAMLSeq }) {
  const seq = make.seq();
  seq.items.push(make.scalar('a'), make.scalar(1));
  seq.flow = true;
  const map = make.map();
  map.items.push(make.pair(make.scalar('run'), make.scalar('cat')), make.pair(make.scalar('with'), seq));
  return { map, seq, pair: map.items[0]!, scalar: map.items[0]!.value as Scalar };
}

const doc = new Document(null, composeOptions);
const quick = tree({ scalar: scalarNode, pair: pairNode, map: mapNode, seq: seqNode });
const library = tree({
  scalar: (v) => new Scalar(v),
  pair: (k, v) => new Pair(k, v),
  map: () => new YAMLMap(doc.schema),
  seq: () => new YAMLSeq(doc.schema),
});
const kinds = [
  ['scalar', Scalar, isScalar],
  ['pair', Pair, isPair],
  ['map', YAMLMap, isMap],
  ['seq', YAMLSeq, isSeq],
] as const;
const tests: ((node: unknown) => boolean)[] = [isScalar, isPair, isMap, isSeq];

describe('the quick read nodes', () => {
  it.each(kinds)('a %s is of its kind only, of the library class, with the same own properties', (kind, cls, test) => {
    const node = quick[kind];
    for (const other of tests) expect(other(node)).toBe(other === test);
    expect(isNode(node)).toBe(kind !== 'pair');
    expect(isCollection(node)).toBe(kind === 'map' || kind === 'seq');
    expect(node).toBeInstanceOf(cls);
    expect(node.constructor).toBe(cls);
    expect(Object.keys(node)).toEqual(Object.keys(library[kind]));
    expect(node).toEqual(library[kind]);
  });

  it('collections know the schema of a pipeline document without it showing as a property', () => {
    for (const node of [quick.map, quick.seq]) {
      expect(Object.keys(node)).not.toContain('schema');
      expect(node.schema?.name).toBe(doc.schema.name);
      expect(node.schema?.tags).toEqual(doc.schema.tags);
    }
  });

  it('copies and edits through the library as the library nodes do', () => {
    const copy = quick.map.clone(doc.schema) as YAMLMap;
    expect(copy.schema).toBe(doc.schema);
    expect(quick.map.schema).not.toBe(doc.schema);
    copy.setIn(['with', 2], 'b');
    copy.setIn(['env', 'A'], 'x');
    const libraryCopy = library.map.clone(doc.schema) as YAMLMap;
    libraryCopy.setIn(['with', 2], 'b');
    libraryCopy.setIn(['env', 'A'], 'x');
    expect(String(new Document(copy))).toBe(String(new Document(libraryCopy)));
    expect(quick.seq.items).toHaveLength(2);
  });

  it('print and convert to data as the library nodes do', () => {
    const [a, b] = [new Document(quick.map, composeOptions), new Document(library.map, composeOptions)];
    expect(a.toString()).toBe('run: cat\nwith: [ a, 1 ]\n');
    expect(a.toString()).toBe(b.toString());
    expect(a.toJS()).toEqual({ run: 'cat', with: ['a', 1] });
    expect(a.toJS()).toEqual(b.toJS());
  });
});

/** How many of the stages' mappings have had their entries read (all of them for a document the library read). */
function readStages(result: CheckResult): number {
  const stages = directList(result.parsed.doc, 'stages')!.items;
  return stages.filter((item) => !(item instanceof LazyMap) || item.read !== undefined).length;
}

describe("a big file's stages, left unread", () => {
  const host: DslHost = { env: {}, statKind: () => undefined, findProgram: () => ({ kind: 'found', path: '/usr/bin/x' }), readStart: () => undefined };
  const file = '/p/big.pipeline.yaml';

  it('stay unread through a check, keystrokes in a stage, a comment at the top and Format Document', () => {
    let text = hugePipelineText(2000);
    let result = check(text, { file, host });
    // The first stage's `path:` is looked for (its problem points at it): that stage alone is read.
    expect(result.problems.map((p) => p.code)).toEqual(['file-not-found']);
    expect(readStages(result)).toBe(1);
    const edit = (at: number, insert: string) => {
      text = text.slice(0, at) + insert + text.slice(at);
      result = check(text, { file, host, previous: { parsed: result.parsed, pipeline: result.pipeline } });
    };
    const middle = text.indexOf('  - run: head -n 10\n', text.length / 2) + 18;
    for (const c of '5 ') edit(middle, c);
    edit(0, '# a comment\n');
    // The edited stage is composed again (by the library: it is a new node), the others still unread.
    expect(result.parsed.edited ?? result.parsed.moved).toBeDefined();
    expect(readStages(result)).toBe(2);
    expect(formatEdits(result.parsed)).toBeDefined();
    expect(readStages(result)).toBe(2);
    // Read when asked for, at their place in the text of now.
    const last = directList(result.parsed.doc, 'stages')!.items.at(-1) as YAMLMap<Scalar, Scalar>;
    const [run, stderr] = last.items.map((pair) => text.slice(pair.key.range![0], pair.value!.range![1]));
    expect([run, stderr]).toEqual(['run: head -n 10', 'stderr: ignore']);
    expect(readStages(result)).toBe(3);
  });
});
