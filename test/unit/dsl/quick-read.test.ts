// The quick first read (dsl/quick-read.ts) against the yaml library, its reference: on generated pipelines in and
// around the subset it reads, on the benchmark's file and on every pipeline of the repository, it either declines or
// gives exactly what the library gives (every node, the text it prints, the data, the kept syntax tree), and a check
// of an edit made from its parse is a check from scratch.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Composer, Parser, type Document } from 'yaml';
import { hugePipelineText } from '../../../bench/huge-text';
import { parse, type DslHost } from '../../../dsl';
import { quickRead } from '../../../dsl/quick-read';
import { composeOptions } from '../../../dsl/compose-options';
import { finish } from '../../../dsl/steps';
import { pruneTree } from '../../../dsl/tree-skeleton';
import { expectEditsCheckAsFromScratch } from './edit-check';

const host: DslHost = {
  env: { HOME: '/home/user', PATH: '/usr/bin' },
  statKind: () => undefined,
  findProgram: (program) => (['cat', 'grep', 'sort'].includes(program) ? { kind: 'found', path: `/usr/bin/${program}` } : { kind: 'not-found' }),
  readStart: () => undefined,
};
const file = '/p/quick.pipeline.yaml';

/** Every node of a tree in order, with what the composer sets on it. */
function nodesOf(node: unknown, out: unknown[] = []): unknown[] {
  if (typeof node !== 'object' || node === null) return out;
  const n = node as Record<string, unknown> & { items?: unknown[] };
  const { range, type, flow, value, comment, commentBefore, spaceBefore, source, format, anchor, tag } = n;
  const scalarValue = typeof value === 'object' && value !== null ? undefined : value;
  out.push({ class: n.constructor.name, range, type, flow, value: scalarValue, comment, commentBefore, spaceBefore, source, format, anchor, tag });
  if (n.items) for (const item of n.items) nodesOf(item, out);
  else if ('key' in n) {
    nodesOf(n.key, out);
    nodesOf(n.value, out);
  }
  return out;
}

/**
 * Reads `text` both ways; when the quick reader does not decline, everything must be the library's. Returns whether it
 * read the text.
 */
function sameAsLibrary(text: string): boolean {
  const quick = finish(quickRead(text));
  if (!quick) return false;
  const tokens = [...new Parser().parse(text)];
  const docs = [...new Composer(composeOptions).compose(tokens)] as Document[];
  expect(docs).toHaveLength(1);
  const doc = docs[0]!;
  // It reads only what the library reads without a complaint.
  expect([...doc.errors, ...doc.warnings]).toEqual([]);
  expect(nodesOf(quick.doc.contents)).toEqual(nodesOf(doc.contents));
  expect([quick.doc.range, quick.doc.comment, quick.doc.commentBefore]).toEqual([doc.range, doc.comment, doc.commentBefore]);
  expect(quick.doc.toString()).toBe(doc.toString());
  expect(quick.data).toEqual(doc.toJS({ maxAliasCount: 1000 }));
  expect(JSON.stringify(pruneTree(quick.cst, text))).toBe(JSON.stringify(pruneTree(tokens, text)));
  // And through parse(): no problems, a tree kept for the next version.
  const parsed = parse(text);
  expect(parsed.problems).toEqual([]);
  expect(parsed.cst).toBeDefined();
  return true;
}

/** Keys and values of pipelines, and next to them forms the reader must decline or get right (drawn less often). */
const keys = ['name', 'run', 'use', 'command', 'with', 'input', 'stderr', 'x-note', 'workers', 'n2'];
const oddKeys = ['null', 'true', '1', 'a b', '<<', '__proto__', 'é', '"q"', 'k ', '-k'];
const scalars = ['cat', 'grep -v "${REGION}-4"', 'head -n 10', '-k2', 'a:b', 'a#b', 'é ü', '"quoted"', "'single'", "'it''s'", '""', "''", 'x  '];
const typed = ['1', '-2', '+3', '0x1F', '0o17', '017', '1.5', '1e3', '-1.5E-2', '.inf', '-.Inf', '.nan', '3.', '.5', '~', 'null', 'Null', 'NULL'];
const typedMore = ['true', 'False', 'TRUE', 'yes', '0x', '1_000', '+.5', '0o8', '1e', 'nULL', '.NaN', '-', '- x', '--x'];
const oddScalars = ['"with \\" escape"', 'a: b', 'a #b', 'ends:', '"a" b', '?x', ':x', '@x', '`x', '%x', '!x', '|', '>', '&a x', '*a', "'a", '"a'];
const flows = ['[sort, -k2]', '[]', '{}', '{ path: data.csv }', '{ fields: [id, name] }', '[a, [b, c], {k: v}]', '{ k: "v" , n: 1 }', '[ x ]  ', '[1, .5, ~]'];
const oddFlows = ['{ a : 1 }', '[a , b]', '[a, ]', '{a}', '{ a: }', '[a: b]', '{a:b}', '[a,b', '{ k: [x] ,}', '[ "a" b ]', '{ null: 1 }', '{ a: 1, a: 2 }'];
const value = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...scalars) },
  { weight: 3, arbitrary: fc.constantFrom(...typed, ...typedMore) },
  { weight: 3, arbitrary: fc.constantFrom(...flows) },
  { weight: 1, arbitrary: fc.constantFrom(...oddScalars, ...oddFlows) },
  // A map on the lines below (`~` is the key's column and two more spaces).
  { weight: 2, arbitrary: fc.constantFrom('\n~path: in.csv\n~fields: [a, b]', '\n~a: 1', '\n~deep:\n~  x: "y" # c\n~z: 2', '\n~ a: 1') },
  // Nothing: a key with a null value (`run:`), as one is typed.
  { weight: 2, arbitrary: fc.constant('') },
);
const key = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom(...oddKeys) });
const end = fc.oneof(
  { weight: 30, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constantFrom('  ', ' # c', ' #', '  #  x  ') },
  { weight: 1, arbitrary: fc.constantFrom('# c', ' # c: d', ' #\t') },
);
const entry = fc.tuple(key, value, end).map(([k, v, e]) => ({ k, v, end: e }));
/** Odd lines that may come after an entry: a comment, a blank line, a nested map, a block scalar, a continuation, a tab. */
const oddLines = [
  '\n',
  '# c\n',
  'nested:\n  a: 1\n',
  'deep:\n    a: [1]\n    b: x # c\n',
  'k:\n  x\n',
  'k:\n\n  a: 1\n',
  'k:\n  a: 1\n   b: 2\n',
  'block: |\n  x\n',
  '  more\n',
  'k:\n',
  '\t\n',
  ' \n',
];
/** Lines typed inside a stage: blank lines, lines of spaces, comments at the keys' column (Ctrl+/ on a key). */
const typedLines = ['\n', ' \n', '# c\n', '#\n', '# a\n# b\n', '\n# c\n\n', '# - run: x\n'];
const odd = fc.oneof(
  { weight: 30, arbitrary: fc.constant('') },
  { weight: 4, arbitrary: fc.constantFrom(...typedLines) },
  { weight: 1, arbitrary: fc.constantFrom(...oddLines) },
);
/** Items that are not maps, as a stage is typed: null items, scalars, with trailing comments. */
const bareItems = ['-', '-  ', '- # t', '- r', '- r # t', '- "q"', '- [a, b]', '- 1', '-x'];
/**
 * Lines between two stages (`~` is the list's indent): blank lines, lines of spaces, comments at column 0, at the
 * list's indent (Ctrl+/ on a stage), between it and the keys, at the keys (the stage's own).
 */
const between = ['\n', '   \n', '\n\n', '# - run: cat\n', '~# c\n', '\n~# c\n\n', '#\n# two\n', '~ # between\n', '~  # deeper\n', '~    # deep\n'];
const stage = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(
        fc.uniqueArray(entry, { minLength: 1, maxLength: 3, selector: (e) => e.k }),
        fc.array(odd, { minLength: 3, maxLength: 3 }),
        fc.constantFrom(1, 1, 1, 2),
        fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.constantFrom(...between) }),
      )
      .map(([entries, odds, gap, before]) => ({ entries: entries.map((e, i) => [e, odds[i]!] as const), gap, before, bare: undefined })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...bareItems).map((bare) => ({ entries: [], gap: 1, before: '', bare })) },
);

/** What people type between and inside stages, each of which the reader must read exactly (counted in the test). */
type Form =
  | 'blank line between stages'
  | 'comment at column 0 between stages'
  | 'indented comment between stages'
  | 'comment in a stage'
  | 'blank line in a stage'
  | 'null item'
  | 'scalar item'
  | 'key without a value'
  | 'trailing comment'
  | 'blank line before the first stage'
  | 'comment before the first stage';

const pipelines = fc
  .record({
    head: fc.subarray(['name: p\n', 'description: some words\n', 'env:\n  A: "1"\n', '# top comment\n', 'cwd: .\n', 'x-flow: { a: [1, 2] }\n']),
    indent: fc.constantFrom(0, 2, 2, 4),
    stages: fc.array(stage, { minLength: 1, maxLength: 5 }),
    afterKey: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('\n', ' \n', '~# c\n', '# c\n\n', '~  # deeper\n') }),
    tail: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('', 'x-after: 1\n') },
      { weight: 2, arbitrary: fc.constantFrom('# the end\n', '\nenv: { B: 2 }\n', '\n\n# gap\nx-after: 1\n', '  # in\n', '    # deeper\n', '   \n', '\n') },
      { weight: 1, arbitrary: fc.constantFrom('stages:\n  - run: cat\n', '  - run: cat\n', '# c\n  - run: cat\n', ' x: 1\n') },
    ),
    newlineAtEnd: fc.boolean(),
  })
  .map(({ head, indent, stages, afterKey, tail, newlineAtEnd }) => {
    const pad = ' '.repeat(indent);
    const forms = new Set<Form>();
    const items = stages.map(({ entries, gap, before, bare }, n) => {
      if (bare !== undefined) {
        if (bare !== '-x') forms.add(bare.startsWith('- ') && !bare.startsWith('- #') ? 'scalar item' : 'null item');
        if (bare.includes('#')) forms.add('trailing comment');
        return `${pad}${bare}\n`;
      }
      const column = pad + ' '.repeat(1 + gap);
      // The first stage follows `stages:` at once (the list is not read otherwise).
      const lines = n === 0 ? '' : before.replaceAll('~', pad);
      if (/^ *$/m.test(lines.slice(0, -1)) && lines) forms.add('blank line between stages');
      if (/^#/m.test(lines)) forms.add('comment at column 0 between stages');
      if (/^ +#/m.test(lines)) forms.add('indented comment between stages');
      return (
        lines +
        entries
          .map(([{ k, v, end }, odd], i) => {
            if (v === '') forms.add('key without a value');
            if (end.includes('#')) forms.add('trailing comment');
            if (typedLines.includes(odd) && i < entries.length - 1) forms.add(odd.includes('#') ? 'comment in a stage' : 'blank line in a stage');
            // The odd lines after an entry are indented as the entries (a blank line stays blank).
            const after = odd.replace(/^(?=[^\n])/gm, column);
            const value = v === '' ? '' : v.startsWith('\n') ? v.replaceAll('~', `${column}  `) : ` ${v}`;
            return `${i === 0 ? `${pad}-${' '.repeat(gap)}` : column}${k}:${value}${end}\n${after}`;
          })
          .join('')
      );
    });
    if (afterKey) forms.add(afterKey.includes('#') ? 'comment before the first stage' : 'blank line before the first stage');
    const text = `${head.join('')}stages:\n${afterKey.replaceAll('~', pad)}${items.join('')}${tail}`;
    return { text: newlineAtEnd ? text : text.slice(0, -1), forms };
  });
const documents = pipelines.map((p) => p.text);

describe('the quick first read', () => {
  it('declines or gives exactly what the yaml library gives, on generated pipelines', () => {
    let read = 0;
    let runs = 0;
    const seen = new Map<Form, { runs: number; read: number }>();
    fc.assert(
      fc.property(pipelines, ({ text, forms }) => {
        runs++;
        const wasRead = sameAsLibrary(text);
        if (wasRead) read++;
        for (const form of forms) {
          const count = seen.get(form) ?? { runs: 0, read: 0 };
          seen.set(form, { runs: count.runs + 1, read: count.read + (wasRead ? 1 : 0) });
        }
      }),
      { numRuns: 1500 },
    );
    // Both sides must be exercised, or the comparison proves little.
    expect(read).toBeGreaterThan(runs / 8);
    expect(read).toBeLessThan(runs);
    // Each form people type is drawn often and read (not declined) in a good share of the pipelines that hold it.
    for (const [form, count] of seen) expect({ form, ...count, enough: count.runs > 50 && count.read > count.runs / 6 }).toMatchObject({ enough: true });
    expect(seen.size).toBe(11);
  });

  it('reads the benchmark file and every pipeline of the repository exactly, or declines it', () => {
    expect(sameAsLibrary(hugePipelineText(3000))).toBe(true);
    // Every kind of scalar of the core schema is read, not declined (a failure to resolve one would only decline).
    const typedStage = `stages:\n  - run: cat\n    x: { ${typed.map((t, i) => `k${i}: ${t}`).join(', ')} }\n    y: [${typedMore.filter((t) => t !== '-' && !t.startsWith('- ')).join(', ')}]\n    z: -1\n`;
    expect(sameAsLibrary(typedStage)).toBe(true);
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.yaml') ? [join(dir, d.name)] : [],
      );
    const all = [...files('examples'), ...files('test/fixtures')];
    const read = all.filter((f) => sameAsLibrary(readFileSync(f, 'utf8')));
    expect(all.length).toBeGreaterThan(40);
    expect(read.length).toBeGreaterThan(0);
  });

  it("reads issue 24's lines typed into a generated file exactly, not declining them", () => {
    const text = hugePipelineText(40);
    const mid = text.indexOf('\n  - ', text.length >> 1) + 1;
    const key = text.indexOf('\n    use: pick', mid) + 1;
    const between = ['\n', '    \n', '  -\n', '  - r\n', '  - run:\n', '# - run: cat\n', '  # - run: cat\n', '\n# c\n', '  - # t\n', '  - run: # t\n'];
    for (const lines of between) expect({ lines, read: sameAsLibrary(text.slice(0, mid) + lines + text.slice(mid)) }).toEqual({ lines, read: true });
    // Inside a stage: a key commented out (Ctrl+/), a blank line between two keys.
    for (const lines of ['    # x\n', '\n'])
      expect({ lines, read: sameAsLibrary(text.slice(0, key) + lines + text.slice(key)) }).toEqual({ lines, read: true });
    // At the end of the file, as a new stage is typed.
    for (const end of ['  -', '  - ', '  - run:', '  - r', '  - run: # t']) expect({ end, read: sameAsLibrary(text + end) }).toEqual({ end, read: true });
  });

  it('gives a parse from which the next version checks as from scratch', () => {
    const edits = fc.record({
      at: fc.nat({ max: 100_000 }),
      remove: fc.nat({ max: 4 }),
      insert: fc.constantFrom('a', '1', ' ', '\n', '# ', '- run: x\n  ', ': ', ''),
    });
    fc.assert(
      fc.property(documents, fc.array(edits, { minLength: 1, maxLength: 4 }), (start, sequence) => {
        const edit = (e: { at: number; remove: number; insert: string }) => (text: string) => {
          const at = e.at % (text.length + 1);
          return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
        };
        expectEditsCheckAsFromScratch(start, sequence.map(edit), { file, host });
      }),
      { numRuns: 200 },
    );
  });
});
