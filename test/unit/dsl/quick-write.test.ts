// Format Document's writer (dsl/quick-write.ts) against the yaml library, its reference: on random pipelines in and
// around the kind of stages it writes itself and on every pipeline of the repository, it either leaves the document to
// the library or writes exactly what the library writes, from the quick first read's nodes and from the library's own.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, type Document } from 'yaml';
import { hugePipelineText } from '../../../bench/huge-text';
import { parse } from '../../../dsl';
import { formatEdits } from '../../../dsl/format';
import { formatOptions, quickWrite } from '../../../dsl/quick-write';

/** Written here or left to the library; when written here, exactly the library's text. Returns whether it was written here. */
function sameAsLibrary(doc: Document): boolean {
  const quick = quickWrite(doc);
  if (quick === undefined) return false;
  expect(quick).toBe(doc.toString(formatOptions));
  return true;
}

// Values on the line of their key: what plainly needs no quotes, and what looks like it but is read otherwise or must be
// quoted (a number, `true`, `~`, `: `, ` #`, indicators, edges), quoted strings with and without escapes.
const simple = ['cat', 'grep -v x', 'head -n 10', '-k2', 'a.b/c_d$e', './tool.sh', '"${REGION}-1"', "'single'", '42', 'true', 'a:b'];
const tricky = [
  '"with \\" quote"',
  '"tab\\there"',
  "'it''s'",
  '007',
  '0x1F',
  '1.5',
  '-3',
  'True',
  'no',
  'null',
  '~',
  '.inf',
  'a,b',
  'x]',
  '{x',
  '- a',
  '-',
  '---x',
  '...',
  'a #b',
  '"a: b"',
  "'%x'",
  '"é"',
  '"caf\\u00e9"',
];
const flows = [
  '[id, name]',
  '[ a, b ]',
  '[]',
  '{}',
  '{ path: in.csv }',
  '{ fields: [id, name] }',
  '[sort, "-k2", 3]',
  '[a, [b, c]]',
  '{ a: { b: c } }',
  '[a,b]',
  '{ a: 1, b: true }',
];
const keys = [
  'name',
  'run',
  'use',
  'with',
  'stderr',
  'command',
  'x-note',
  'description',
  'cwd',
  'tap',
  'env',
  'on',
  'workers',
  'ordered',
  'timeout',
  'true',
  '1',
];
const value = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...simple) },
  { weight: 1, arbitrary: fc.constantFrom(...tricky) },
  { weight: 3, arbitrary: fc.constantFrom(...flows) },
);
const entry = (indent: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...keys), value).map(([k, v]) => `${k}: ${v}`) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...keys), value, value).map(([k, a, b]) => `${k}:\n${indent}  a: ${a}\n${indent}  b: ${b}`) },
    { weight: 1, arbitrary: fc.constantFrom('run: cat # why', 'env:\n' + indent + '  - A', 'run:', 'run: &a cat', 'run: !!str cat') },
  );
/** A stage: `- ` and its keys (distinct ones: a duplicate is an error, and the file is not formatted). */
const stage = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...keys), entry('    ')), { minLength: 1, maxLength: 4, selector: ([k]) => k })
  .chain((entries) => fc.tuple(fc.constant(entries.map(([k, e]) => e.replace(/^[^:]+/, k))), fc.constantFrom('', '', '', '', '', '', '\n', '  # between\n')))
  .map(([lines, before]) => `${before}  - ${lines.join('\n    ')}\n`);
const documents = fc
  .tuple(
    fc.constantFrom('', 'name: p\n', '# top\nname: p\ndescription: "d"\n', 'env:\n  A: "1"\n'),
    fc.constantFrom('stages:\n', 'stages:\n', 'stages: # the list\n', '\nstages:\n'),
    fc.array(stage, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('', '# end\n', 'x-after: 1\n', 'hosts:\n  box: { ssh: me@box }\n'),
  )
  .map(([head, key, stages, tail]) => `${head}${key}${stages.join('')}${tail}`);

describe('quickWrite', () => {
  it('writes what the yaml library writes, from the quick read’s nodes and from the library’s own, or leaves it to the library', () => {
    let written = 0;
    let runs = 0;
    fc.assert(
      fc.property(documents, (text) => {
        runs++;
        const library = parseDocument(text);
        if (library.errors.length > 0) return;
        if (sameAsLibrary(library)) written++;
        sameAsLibrary(parse(text).doc);
      }),
      { numRuns: 400 },
    );
    // The path under test must be taken often, or the comparison proves nothing.
    expect(written).toBeGreaterThan(runs / 10);
  });

  it('writes each value as the library does, or leaves it to the library: on the line of its key, in a flow list and map', () => {
    let written = 0;
    for (const v of [...simple, ...tricky, ...flows]) {
      for (const text of [
        `stages:\n  - run: ${v}\n`,
        `stages:\n  - with: [${v}]\n`,
        `stages:\n  - with: { k: ${v} }\n`,
        `stages:\n  - ${v.replace(/^["']|["']$/g, '')}: x\n`,
      ]) {
        const library = parseDocument(text);
        if (library.errors.length > 0) continue;
        if (sameAsLibrary(library)) written++;
        sameAsLibrary(parse(text).doc);
      }
    }
    expect(written).toBeGreaterThan(40);
  });

  it('writes every pipeline of the repository as the library does, or leaves it to the library', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.yaml') ? [join(dir, d.name)] : [],
      );
    const all = [...files('examples'), ...files('test/fixtures')];
    let written = 0;
    for (const f of all) {
      const text = readFileSync(f, 'utf8');
      const library = parseDocument(text);
      if (library.errors.length > 0) continue;
      if (sameAsLibrary(library)) written++;
      sameAsLibrary(parse(text).doc);
    }
    expect(all.length).toBeGreaterThan(40);
    expect(written).toBeGreaterThan(0);
  });

  it('writes every stage of the benchmark’s generated file, and formatting it changes nothing but the padding it keeps', () => {
    const text = hugePipelineText(3000);
    const { doc } = parse(text);
    expect(sameAsLibrary(doc)).toBe(true);
    expect(formatEdits(parse(text))).toEqual([]);
  });

  it('leaves a document to the library when a stage has a comment, an anchor, a tag or a block list', () => {
    for (const stage of ['  - run: cat # why\n', '  - run: &a cat\n', '  - run: !!str cat\n', '  - env:\n      - A\n', '  # c\n  - run: cat\n'])
      expect(quickWrite(parseDocument(`stages:\n  - run: sort\n${stage}`))).toBeUndefined();
  });
});
