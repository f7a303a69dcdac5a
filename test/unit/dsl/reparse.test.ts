// Incremental parsing (dsl/reparse.ts) against a full parse: on random documents and random edit
// sequences, the tree built from the previous one is the parser's own tree, token for token, and
// check() with the previous result gives exactly the problems of a check from scratch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Parser, type CST } from 'yaml';
import { parse, type DslHost } from '../../../dsl';
import { reparse } from '../../../dsl/reparse';
import { isPruned, pruneList } from '../../../dsl/tree-skeleton';
import { expectEditsCheckAsFromScratch } from './edit-check';
import { editableStages } from './edit-stages';

const host: DslHost = {
  env: { HOME: '/home/user', PATH: '/usr/bin' },
  statKind: (abs) => (abs === '/p' ? 'dir' : abs === '/p/in.csv' ? 'file' : undefined),
  findProgram: (program) => (['cat', 'grep', 'sort'].includes(program) ? { kind: 'found', path: `/usr/bin/${program}` } : { kind: 'not-found' }),
  readStart: () => undefined,
};
const file = '/p/edit.pipeline.yaml';

const stageLines = [...editableStages, '\n  - <<: *base\n    name: m\n'];
const headLines = ['name: p\n', 'description: some words\n', 'env:\n  A: "1"\n', '# top comment\n', 'cwd: .\n'];
// A long last comment makes texts longer than the blocks the old and new texts are compared in (4 KB).
const tailLines = ['', '# the end\n', 'x-after: 1\n', 'env: { B: 2 }\n', `# ${'long '.repeat(1000)}\n`];
/** Pieces that YAML cares about, typed anywhere. */
const typed = [
  'x',
  ' ',
  '\n',
  '  ',
  '- ',
  ': ',
  '#',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  '|',
  '>',
  '&a ',
  '*a',
  '<<: ',
  '\t',
  '\r\n',
  'run: ',
  '  - run: cat\n',
  'stages:\n',
];

// With an anchor (the tree is kept whole) or without any (the stages are pruned in the tree kept: dsl/tree-skeleton.ts).
const documents = fc
  .tuple(fc.subarray(headLines), fc.array(fc.constantFrom(...stageLines), { minLength: 1, maxLength: 8 }), fc.constantFrom(...tailLines), fc.boolean())
  .map(([head, stages, tail, anchored]) =>
    anchored
      ? `${head.join('')}x-base: &base\n  run: cat\nstages:\n${stages.join('')}${tail}`
      : `${head.join('')}stages:\n${stages.filter((s) => !s.includes('*')).join('') || '  - run: cat\n'}${tail}`,
  );

/** An edit as a function of the text: a place (taken modulo the length), how much to delete, what to insert. */
const edits = fc.record({
  at: fc.nat({ max: 100_000 }),
  remove: fc.oneof(fc.constant(0), fc.nat({ max: 6 })),
  // Mostly plain typing, as in an editor, so that many edits keep the file valid and the incremental path is taken.
  insert: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'b', '1', '') }, { weight: 2, arbitrary: fc.constantFrom(...typed, '') }),
});

function apply(text: string, e: { at: number; remove: number; insert: string }): string {
  const at = e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
}

type Tree = readonly CST.Token[];
const topItems = (tree: Tree) => {
  const map = tree.find((t): t is CST.Document => t.type === 'document')?.value;
  return map?.type === 'block-map' ? map.items : [];
};

/**
 * A full parse's tree with the stages pruned where a kept tree has them pruned (dsl/tree-skeleton.ts): the stages
 * parsed again after an edit are whole in both and compared token for token; the others only where they start.
 */
/** A tree as plain tokens: a kept item that makes its tokens when asked (dsl/tree-skeleton.ts, `DashItem`) as those tokens. */
const asJson = (tree: unknown): unknown => JSON.parse(JSON.stringify(tree));

function prunedLike(full: Tree, kept: Tree): Tree {
  topItems(kept).forEach((item, top) => {
    const seq = item.value;
    if (seq?.type === 'block-seq') seq.items.forEach((stage, i) => isPruned(stage) && pruneList(full, top, i, i + 1));
  });
  return full;
}

describe('incremental parsing', () => {
  it('gives the same syntax tree as a full parse, edit after edit', () => {
    let reused = 0;
    let fromPruned = 0;
    let edited = 0;
    fc.assert(
      fc.property(documents, fc.array(edits, { minLength: 1, maxLength: 12 }), (start, sequence) => {
        let text = start;
        let parsed = parse(text);
        for (const e of sequence) {
          const next = apply(text, e);
          // On a copy: a tree that reparse() starts from is taken over (moved in place).
          const pruned = topItems(parsed.cst ?? []).some((item) => item.value?.type === 'block-seq' && item.value.items.some(isPruned));
          const tokens = parsed.cst && reparse(asJson(parsed.cst) as CST.Token[], text, next);
          const after = parse(next, parsed);
          // Both versions valid: the edits an incremental parse is for.
          if (parsed.cst && after.cst) edited++;
          if (tokens) reused++;
          if (tokens && pruned) fromPruned++;
          const full = [...new Parser().parse(next)];
          expect(asJson(tokens ?? full)).toEqual(asJson(prunedLike(full, tokens ?? full)));
          // The tree the parse took over (its kept items as they are kept) too.
          const taken = after.cst ?? full;
          expect(asJson(taken)).toEqual(asJson(prunedLike([...new Parser().parse(next)], taken)));
          parsed = after;
          text = next;
        }
      }),
      { numRuns: 400 },
    );
    // The comparison above must have happened often, or it proves nothing.
    expect(reused).toBeGreaterThan(edited / 2);
    expect(fromPruned).toBeGreaterThan(reused / 4);
  });

  it('check() from the previous result gives exactly the problems of a check from scratch', () => {
    fc.assert(
      fc.property(documents, fc.array(edits, { minLength: 1, maxLength: 8 }), (start, sequence) => {
        expectEditsCheckAsFromScratch(
          start,
          sequence.map((e) => (text: string) => apply(text, e)),
          { file, host },
        );
      }),
      { numRuns: 200 },
    );
  });

  it('re-parses one stage of a big file, or one top-level entry, and takes the previous tree over', () => {
    const text = `name: big\ndescription: d\nstages:\n${Array.from({ length: 200 }, (_, i) => `  - name: s${i}\n    run: cat\n`).join('')}`;
    const edited = text.replace('name: s100\n    run: cat', 'name: s100\n    run: cat -n');
    const firstStage = (cst: readonly unknown[] | undefined) =>
      (cst![0] as { value: { items: { value: { items: unknown[] } }[] } }).value.items[2]!.value.items[0];
    const before = parse(text);
    const stage0 = firstStage(before.cst);
    const after = parse(edited, before);
    expect(asJson(after.cst)).toEqual(asJson(prunedLike([...new Parser().parse(edited)], after.cst!)));
    // Kept are the stages' first tokens only, but the one parsed again, whole as the parser gives it.
    expect(isPruned(firstStage(after.cst) as CST.BlockSequence['items'][number])).toBe(true);
    // The stages before the edit are the previous tree's own tokens, not parsed again.
    expect(firstStage(after.cst)).toBe(stage0);
    expect(before.cst).toBeUndefined();
    // An edit in the description, before all the stages.
    const described = edited.replace('description: d', 'description: dd');
    const again = parse(described, after).cst!;
    expect(asJson(again)).toEqual(asJson(prunedLike([...new Parser().parse(described)], again)));
    expect(after.cst).toBeUndefined();
  });

  it('keeps no tree to start from when the text has a syntax error', () => {
    expect(parse('stages:\n  - run: "cat\n').cst).toBeUndefined();
    expect(parse('stages:\n  - run: cat\n').cst).toBeDefined();
  });
});
