// A check in steps (dsl/steps.ts, checkSteps): a long text is parsed a slice at a time with pauses in
// between, and what comes out is exactly what a parse in one go gives.
import { describe, expect, it } from 'vitest';
import { Composer, Parser, type Document } from 'yaml';
import { check, parse } from '../../../dsl';
import { checkSteps } from '../../../dsl/check';
import { pruneTree } from '../../../dsl/tree-skeleton';
import { fakeHost } from './fake-host';

/** Stages of every shape (block and flow, comments, block scalars, quoting), again and again: a text of about 150 KB. */
function longText(): string {
  const shapes = [
    (i: number) => `  - name: g${i}\n    run: grep -v "x-${i}" # a comment\n`,
    (i: number) => `  - { name: s${i}, command: [sort, "-k1"], workers: 2 }\n`,
    (i: number) => `  # before a stage\n  - name: r${i}\n    run: |\n      cat\n      grep y\n\n`,
    (i: number) => `  - name: h${i}\n    use: head\n    with:\n      count: 3\n    stderr: ignore\n`,
  ];
  let stages = '';
  for (let i = 0; stages.length < 150_000; i++) stages += shapes[i % shapes.length]!(i);
  return `name: long\n# pauses come every 64 KB\nenv:\n  A: "1"\nstages:\n${stages}`;
}

describe('a check in steps', () => {
  const text = longText();

  it('reads a long text in slices into the same tree as one read', () => {
    const oneRead = [...new Parser().parse(text)];
    const doc = new Composer({ merge: true, uniqueKeys: true }).compose(oneRead).next().value as Document;
    const parsed = parse(text);
    // The tree kept has the stages pruned (dsl/tree-skeleton.ts): their insides are compared through the document.
    // Compared as JSON: most kept items make their first tokens when asked for (`DashItem`).
    expect(JSON.parse(JSON.stringify(parsed.cst))).toEqual(pruneTree(oneRead, text));
    expect(parsed.doc.toString()).toBe(doc.toString());
    expect(parsed.data).toEqual(doc.toJS());
  });

  it('pauses while parsing a long text, hands out the parse, and ends as check() does', () => {
    const host = fakeHost();
    const steps = checkSteps(text, { host, file: '/p/long.pipeline.yaml' });
    let pauses = 0;
    let handedOut = false;
    let step = steps.next();
    for (; !step.done; step = steps.next()) {
      pauses++;
      if (step.value) handedOut = true;
    }
    expect(pauses).toBeGreaterThan(text.length / (64 * 1024));
    expect(handedOut).toBe(true);
    expect(step.value.problems).toEqual(check(text, { host, file: '/p/long.pipeline.yaml' }).problems);
  });

  it('reports a broken long text as a read in one go does', () => {
    const broken = `${text}  - run: [cat\n`;
    const errors = (doc: Document) => doc.errors.map((e) => `${e.code} ${e.pos[0]}`);
    const oneRead = new Composer({ keepSourceTokens: true, merge: true, uniqueKeys: true }).compose(new Parser().parse(broken)).next().value as Document;
    expect(errors(oneRead).length).toBeGreaterThan(0);
    expect(errors(parse(broken).doc)).toEqual(errors(oneRead));
  });
});
