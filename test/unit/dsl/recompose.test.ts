// After an edit inside one stage, check() with the previous result composes only that stage into the previous
// document (dsl/recompose.ts) and reuses the previous model's other stages (dsl/build.ts). What comes out must be
// what a check from scratch gives: the same document node for node (ranges, source tokens, comments), the same
// data, model and problems, on random edits and on a large generated file.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCollection, isScalar, visit, type Document } from 'yaml';
import { check, type CheckResult, type DslHost } from '../../../dsl';
import { checkedOneStage, stagesChecked } from '../../../dsl/stage-rules';
import { editableStages } from './edit-stages';

const host: DslHost = {
  env: { HOME: '/home/user', PATH: '/usr/bin' },
  statKind: (abs) => (abs === '/p' ? 'dir' : abs === '/p/in.csv' ? 'file' : undefined),
  findProgram: (program) => (['cat', 'grep', 'sort', 'head'].includes(program) ? { kind: 'found', path: `/usr/bin/${program}` } : { kind: 'not-found' }),
  readStart: () => undefined,
};
const file = '/p/edit.pipeline.yaml';

/** Every node of a document as the features see it: kind, place, source token, comments, value. */
function nodes(doc: Document): unknown[] {
  const out: unknown[] = [doc.range, doc.comment, doc.commentBefore];
  visit(doc, {
    Node: (_key, n) => {
      const srcToken = (n as { srcToken?: { offset: number; type: string } }).srcToken;
      out.push([n.constructor.name, n.range, srcToken?.type, srcToken?.offset, n.comment, n.commentBefore, n.spaceBefore, isScalar(n) ? n.value : undefined]);
      if (isCollection(n)) out.push(n.items.length);
    },
  });
  return out;
}

/** The incremental check equals a check from scratch in everything it hands out. */
function expectSame(incremental: CheckResult, text: string): void {
  const full = check(text, { file, host });
  expect(JSON.stringify(incremental.problems)).toBe(JSON.stringify(full.problems));
  expect(JSON.stringify(incremental.pipeline)).toBe(JSON.stringify(full.pipeline));
  expect(incremental.parsed.data).toEqual(full.parsed.data);
  expect(nodes(incremental.parsed.doc)).toEqual(nodes(full.parsed.doc));
  // What Format Document writes from it.
  const written = (r: CheckResult) => (r.parsed.doc.errors.length === 0 ? r.parsed.doc.toString() : 'errors');
  expect(written(incremental)).toBe(written(full));
  // Source tokens of the stages list (semantic.ts points at a stage's `-` through them).
  const stagesToken = (r: CheckResult) => JSON.stringify((r.parsed.doc.contents as { srcToken?: unknown } | null)?.srcToken);
  expect(stagesToken(incremental)).toBe(stagesToken(full));
}

/** An edit as a function of the text: a place (`place` makes it an offset), how much to delete, what to insert. */
interface RandomEdit {
  at: number;
  remove: number;
  insert: string;
}

/** Random edits: a place up to `at`, up to `remove` characters deleted, one of `inserts` typed. */
const randomEdits = (at: number, remove: number, inserts: string[]): fc.Arbitrary<RandomEdit> =>
  fc.record({ at: fc.nat({ max: at }), remove: fc.oneof(fc.constant(0), fc.nat({ max: remove })), insert: fc.constantFrom(...inserts) });

/**
 * Random edit sequences through check() with the previous result, each version compared with a check from scratch;
 * returns how many versions took the path under test (`took`), which must be many or the comparison proves nothing.
 */
function editSequences(
  starts: fc.Arbitrary<string>,
  edits: fc.Arbitrary<RandomEdit>,
  options: { place: (text: string, e: RandomEdit) => number; took: (r: CheckResult) => boolean; runs: number; maxEdits: number },
): number {
  let took = 0;
  fc.assert(
    fc.property(starts, fc.array(edits, { minLength: 1, maxLength: options.maxEdits }), (start, sequence) => {
      let text = start;
      let previous = check(text, { file, host });
      for (const e of sequence) {
        const at = options.place(text, e);
        text = text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
        const incremental = check(text, { file, host, previous });
        if (options.took(incremental)) took++;
        expectSame(incremental, text);
        previous = incremental;
      }
    }),
    { numRuns: options.runs },
  );
  return took;
}

/** 2,000 stages of the four kinds of bench/huge-text.ts after `head`, the first a `read`. */
function generatedStages(head: string): string {
  const kinds = [
    (i: number) => `  - name: g-${i}\n    run: grep -v "\${REGION}-${i}"\n`,
    () => '  - command: [sort, -k2]\n',
    (i: number) => `  - name: p-${i}\n    use: pick\n    with: { fields: [id, name] }\n`,
    () => '  - run: head -n 10\n    stderr: ignore\n',
  ];
  let text = `${head}  - name: read\n    use: read\n    with: { path: in.csv }\n`;
  for (let i = 1; i < 2000; i++) text += kinds[i % 4]!(i);
  return text;
}

// With stages that have problems of their own (remembered per stage between versions, dsl/stage-memo.ts), unnamed
// ones among them (their messages say "Stage 3": a stage added before them changes that).
const stageLines = [
  ...editableStages,
  '  - name: cat\n    run: head\n',
  '  - run: echo ${NOPE}\n',
  '  - command: [echo, "${NOPE}"]\n',
  '  - run: cat\n    use: head\n',
  '  - use: parse\n    with: { regex: "(" }\n',
  // Rules between stages (dsl/stage-rules.ts): duplicate names, `input:` names, outputs nobody reads, hosts.
  '  - name: a\n    run: cat\n',
  '  - name: a\n    run: sort\n',
  '  - input: [a, g]\n    run: cat\n',
  '  - input: nope\n    run: cat\n',
  '  - name: w\n    use: write\n    with: { path: out.txt }\n',
  '  - on: box\n    run: cat\n',
  // Default names that meet (`head`, `head-2`, a program called `head-2`) or come from the stage's place (`stage3`).
  '  - name: head-2\n    run: cat\n',
  '  - run: ./head-2 x\n',
  '  - run: 123\n',
];
const documents = fc
  .tuple(
    fc.constantFrom('', 'name: p\n', 'env:\n  A: "1"\n'),
    fc.array(fc.constantFrom(...stageLines), { minLength: 2, maxLength: 8 }),
    fc.constantFrom('', '# end\n', 'x-after: 1\n'),
  )
  .map(([head, stages, tail]) => `${head}stages:\n${stages.join('')}${tail}`);
/** Typing inside a stage, mostly: what keeps a file valid and takes the one-stage path. */
const edits = randomEdits(100_000, 4, ['a', '1', ' ', '', '\n', '# c', 'name: cat', '\n  - run: cat', ': ', '"']);

describe('check() after an edit inside one stage', () => {
  it('gives exactly what a check from scratch gives, edit after edit', { timeout: 120_000 }, () => {
    const place = (text: string, e: RandomEdit) => e.at % (text.length + 1);
    const recomposed = editSequences(documents, edits, { place, took: (r) => r.parsed.edited !== undefined, runs: 150, maxEdits: 8 });
    // The path under test must have been taken often, or the comparison proves nothing.
    expect(recomposed).toBeGreaterThan(40);
  });

  it('checks only the edited stage when its name, `input:` and `on:` stay, and still gives what a check from scratch gives', { timeout: 120_000 }, () => {
    const place = (text: string, e: RandomEdit) => e.at % (text.length + 1);
    const oneStage = editSequences(documents, edits, { place, took: (r) => checkedOneStage(r.pipeline), runs: 150, maxEdits: 8 });
    expect(oneStage).toBeGreaterThan(40);
  });

  it('after renames that make and unmake a duplicate and an `input:` name, edits of one stage keep the problems between stages', () => {
    let text = [
      'hosts:',
      '  box: { ssh: box.example }',
      'stages:',
      '  - name: a',
      '    run: cat',
      '  - name: b',
      '    input: a',
      '    run: grep x',
      '  - name: c',
      '    input: [a, b]',
      '    run: sort',
      '  - name: b',
      '    on: box',
      '    run: head',
      '  - name: last',
      '    input: c',
      '    run: cat',
      '',
    ].join('\n');
    let previous = check(text, { file, host });
    const codes = (r: CheckResult) => r.problems.map((p) => p.code).sort();
    expect(codes(previous)).toEqual(['duplicate-stage-name', 'unread-output']);
    // [what to replace, by what, the one-stage path taken, the problems' codes after]
    const steps: [string, string, boolean, string[]][] = [
      ['run: grep x', 'run: grep xy', true, ['duplicate-stage-name', 'unread-output']], // inside a stage: its rules only
      ['run: head', 'run: head -n 1', true, ['duplicate-stage-name', 'unread-output']], // inside the duplicate
      ['  - name: b\n    on: box', '  - name: d\n    on: box', false, ['unread-output']], // the duplicate renamed away
      ['run: head -n 1', 'run: head -n 2', true, ['unread-output']],
      ['  - name: d\n    on: box', '  - name: b\n    on: box', false, ['duplicate-stage-name', 'unread-output']], // and back
      ['  - name: a\n    run: cat', '  - name: z\n    run: cat', false, ['duplicate-stage-name', 'unknown-input', 'unknown-input', 'unread-output']], // the target renamed away
      ['run: sort', 'run: sort -r', true, ['duplicate-stage-name', 'unknown-input', 'unknown-input', 'unread-output']], // the reader, edited: still unknown
      ['    input: [a, b]', '    input: [a,  b]', true, ['duplicate-stage-name', 'unknown-input', 'unknown-input', 'unread-output']],
      ['  - name: z\n    run: cat', '  - name: a\n    run: cat', false, ['duplicate-stage-name', 'unread-output']], // and back
      ['    on: box', '    on: boxx', false, ['duplicate-stage-name', 'unknown-host', 'unread-output']], // a host that is not there
      ['run: head -n 2', 'run: head -n 3', true, ['duplicate-stage-name', 'unknown-host', 'unread-output']],
    ];
    for (const [from, to, oneStage, after] of steps) {
      const at = text.indexOf(from);
      expect(at).toBeGreaterThanOrEqual(0);
      text = text.slice(0, at) + to + text.slice(at + from.length);
      const incremental = check(text, { file, host, previous });
      expect(checkedOneStage(incremental.pipeline)).toBe(oneStage);
      expectSame(incremental, text);
      expect(codes(incremental)).toEqual(after);
      previous = incremental;
    }
  });

  it('checks every stage again once the questions of stages edited since pile up (a program name typed again and again)', () => {
    let text = 'stages:\n  - name: x\n    run: p0\n  - run: cat\n';
    let previous = check(text, { file, host });
    const oneStage: boolean[] = [];
    for (let k = 1; k <= 100; k++) {
      text = text.replace(/run: p\d+/, `run: p${k}`);
      previous = check(text, { file, host, previous });
      oneStage.push(checkedOneStage(previous.pipeline));
    }
    expectSame(previous, text);
    // Each name is a new question asked again at every check after it: bounded, not 100 questions per keystroke.
    expect(oneStage.filter((one) => !one).length).toBeGreaterThanOrEqual(1);
    expect(oneStage.filter((one) => one).length).toBeGreaterThan(90);
  });

  it('checks every stage again when a file or program the stages use changed', () => {
    let present = true;
    const changing: DslHost = { ...host, statKind: (abs) => (abs === '/p/in.csv' ? (present ? 'file' : undefined) : host.statKind(abs)) };
    let text = 'stages:\n  - use: read\n    with: { path: in.csv }\n  - run: cat\n';
    const first = check(text, { file, host: changing });
    expect(first.problems).toEqual([]);
    present = false;
    text = text.replace('run: cat', 'run: cat -n');
    const after = check(text, { file, host: changing, previous: first });
    expect(checkedOneStage(after.pipeline)).toBe(false);
    expect(after.problems.map((p) => p.code)).toEqual(['file-not-found']);
  });

  it('on a large generated file: edits in the first, a middle and the last stage, a new stage, a name that renames others', { timeout: 120_000 }, () => {
    let text = generatedStages(`name: big\nenv:\n  REGION: eu\nstages:\n`);
    let previous = check(text, { file, host });
    const middle = text.indexOf('  - run: head -n 10\n', text.length / 2);
    const edits: [number, string, string][] = [
      [middle, '  - run: head -n 10', '  - run: head -n 100'], // a keystroke in the middle
      [text.indexOf('use: read'), 'use: read', 'use: rea'], // the first stage, now a problem
      [text.lastIndexOf('head -n 10'), 'head -n 10', 'head -n 1'], // the last stage
      [middle, '  - run: head -n 100\n', '  - run: head -n 100\n  - run: cat\n'], // a stage added
      [text.indexOf('  - run: head -n 10', 100), '  - run: head', '  - name: head-9\n    run: head'], // a name unnamed stages after it had
      [middle, '  - run: head -n 100', '  - run: head -n 100 # why'],
    ];
    for (const [near, from, to] of edits) {
      const at = text.indexOf(from, Math.max(0, near - 200));
      expect(at).toBeGreaterThanOrEqual(0);
      text = text.slice(0, at) + to + text.slice(at + from.length);
      const incremental = check(text, { file, host, previous });
      expect(incremental.parsed.edited?.key).toBe('stages');
      expectSame(incremental, text);
      previous = incremental;
    }
    expect(previous.problems.map((p) => p.code)).toContain('unknown-builtin');
  });
});

// A comment typed at the top of the file (before its first key) changes no data: the previous document is moved, its
// comments set as the composer would (dsl/recompose.ts, `recomposeLead`), and the model kept.
const leads = fc.array(fc.constantFrom('# a\n', '\n', '  # b\n', '#\n', '# c\r\n'), { maxLength: 4 }).map((lines) => lines.join(''));
const leadEdits = randomEdits(1000, 3, ['# generated\n', '#', ' ', 'a', '\n', '', '# x\n\n', 'k: 1\n', '---\n', '\t']);

describe('check() after an edit of the comments before the first key', () => {
  it('gives exactly what a check from scratch gives, edit after edit', { timeout: 120_000 }, () => {
    // Inside the lines before the first key, mostly; sometimes the key's own first characters.
    const place = (text: string, e: RandomEdit) => e.at % ((/^[^#\s]/m.exec(text)?.index ?? text.length) + 2);
    const starts = fc.tuple(leads, documents).map(([lead, body]) => lead + body);
    const moved = editSequences(starts, leadEdits, { place, took: (r) => r.parsed.moved !== undefined, runs: 200, maxEdits: 6 });
    expect(moved).toBeGreaterThan(100);
  });

  it('on a large generated file: a comment typed at the top, typed into, separated by a blank line, removed', { timeout: 120_000 }, () => {
    let text = `name: big\nstages:\n${Array.from({ length: 2000 }, (_, i) => (i % 2 ? '  - run: cat\n' : `  - name: s${i}\n    run: echo \${NOPE}\n`)).join('')}`;
    let previous = check(text, { file, host });
    const data = previous.parsed.data;
    const stage = previous.pipeline.stages[1000];
    for (const next of [`# generated\n${text}`, `# generated by x\n${text}`, `# generated by x\n\n${text}`, text]) {
      text = next;
      const incremental = check(text, { file, host, previous });
      expect(incremental.parsed.moved).toBeDefined();
      // Nothing composed or built again: the same data, the same stage objects.
      expect(incremental.parsed.data).toBe(data);
      expect(incremental.pipeline.stages[1000]).toBe(stage);
      expectSame(incremental, text);
      previous = incremental;
    }
  });
});

// An edit inside a top-level entry other than the stages (the description, `env`, an `x-` entry after the stages):
// only that entry is composed into the previous document (dsl/recompose.ts, `recomposeEntry`), the stages kept.
const entryLines = ['name: p\n', 'description: some words\n', 'env:\n  A: "1"\n  B: x\n', '# about cwd\ncwd: .\n', 'x-k:\n  k: [1, 2]\n', 'x-e:\n'];
const entryDocuments = fc
  .tuple(fc.subarray(entryLines, { minLength: 1 }), fc.array(fc.constantFrom(...stageLines), { minLength: 2, maxLength: 6 }), fc.boolean())
  .map(([entries, stages, first]) => (first ? `${entries.join('')}stages:\n${stages.join('')}` : `stages:\n${stages.join('')}${entries.join('')}`));
const entryEdits = randomEdits(100_000, 4, ['a', '1', ' ', '', '\n', ' # c', ': ', '"', '\n  C: 2', 'x-k: 1\n', '${NOPE}', '\n\n']);

describe('check() after an edit inside a top-level entry other than the stages', () => {
  it('gives exactly what a check from scratch gives, edit after edit', { timeout: 120_000 }, () => {
    // Near the start of a top-level entry's line: in its key or value, or in the line below.
    const place = (text: string, e: RandomEdit) => {
      const tops = [...text.matchAll(/^[a-z]/gm)].map((m) => m.index);
      return Math.min(text.length, (tops[e.at % Math.max(1, tops.length)] ?? 0) + (e.at % 17));
    };
    const moved = editSequences(entryDocuments, entryEdits, { place, took: (r) => r.parsed.moved !== undefined, runs: 300, maxEdits: 6 });
    // Many of these edits are in an entry right after the stages (parsed again with them) or break the file.
    expect(moved).toBeGreaterThan(30);
  });

  it('on a large generated file: the description, a variable of env, an entry after the stages', { timeout: 120_000 }, () => {
    // `env` right before the stages (only the first line of the list is read again); an entry right after them is still
    // parsed again with the whole list before it (dsl/reparse.ts): a full parse, so `x-last` is edited, not `x-end`.
    let text = `name: big\ndescription: d\nenv:\n  N: "1"\nstages:\n${Array.from({ length: 2000 }, (_, i) => (i % 2 ? '  - run: cat\n' : `  - name: s${i}\n    run: echo \${NOPE}\n`)).join('')}x-end: 1\nx-last: 1\n`;
    let previous = check(text, { file, host });
    const stages = stagesOf(previous);
    for (const [from, to] of [
      ['description: d', 'description: dd'],
      ['N: "1"', 'N: "12"'],
      ['N: "12"', 'N: "12"\n  NOPE: x'],
      ['x-last: 1', 'x-last: 12'],
    ]) {
      text = text.replace(from!, to!);
      const incremental = check(text, { file, host, previous });
      expect(incremental.parsed.moved).toBeDefined();
      expect(stagesOf(incremental)).toBe(stages);
      expectSame(incremental, text);
      previous = incremental;
    }
  });
});

function stagesOf(r: CheckResult): unknown {
  return (r.parsed.data as { stages: unknown }).stages;
}

// An edit undone before its check used it (a keystroke, then its deletion while the first check waited): the text is
// the previous version's again, whose parse is taken over as it is (a whole parse of a 20 MB file used to run the
// language server out of memory there, with the previous version still held).
describe('check() of the previous version’s text again', () => {
  it('parses nothing: the same data and stage objects, and what a check from scratch gives', () => {
    const text = `name: big\nstages:\n${Array.from({ length: 2000 }, (_, i) => (i % 2 ? '  - run: cat\n' : `  - name: s${i}\n    run: echo \${NOPE}\n`)).join('')}`;
    const previous = check(text, { file, host });
    const again = check(text, { file, host, previous });
    expect(again.parsed.moved).toBe(0);
    expect(again.parsed.data).toBe(previous.parsed.data);
    expect(again.pipeline.stages[1000]).toBe(previous.pipeline.stages[1000]);
    expectSame(again, text);
    // And the next edit is parsed from it.
    const next = check(text.replace('s1000\n', 's1000x\n'), { file, host, previous: again });
    expect(next.parsed.edited).toBeDefined();
    expectSame(next, text.replace('s1000\n', 's1000x\n'));
  });
});

describe('check() after an edit that cannot be composed alone', () => {
  it('parses the whole text again when the kept tree is pruned, also after a `*` typed into the comment at the top', () => {
    let text = '# top comment\ncwd: .\nstages:\n  - run: cat\n# the end\n';
    // A comment at the top: the tree (pruned: no anchors then) is taken over as it is.
    text = text.replace('# top', '#*a top');
    const lead = check(text, { file, host, previous: check(text.replace('#*a top', '# top'), { file, host }) });
    expect(lead.parsed.moved).toBe(2);
    // An entry, in a text that may have aliases now: not composed alone, and the pruned tree not composed whole.
    text = text.replace('cwd: .', 'cawd: .');
    const entry = check(text, { file, host, previous: lead });
    expectSame(entry, text);
    expect(entry.parsed.data).toEqual({ cawd: '.', stages: [{ run: 'cat' }] });
  });
});

// An edit that changes what other stages' problems depend on (a stage's name, default name, `input:` or `on:`, a
// variable of `env`, `hosts:`) checks those stages again and keeps the others' problems (dsl/stage-affected.ts).
const roleStages = [
  '  - name: a\n    run: cat\n',
  '  - name: b\n    input: a\n    run: grep x\n',
  '  - name: c\n    input: [a, b]\n    run: sort\n',
  '  - name: a\n    run: sort\n',
  '  - input: nope\n    run: cat\n',
  '  - name: z\n    on: box\n    run: head\n',
  '  - name: w\n    on: boxx\n    run: cat\n',
  '  - run: echo ${A}\n',
  '  - run: echo ${NOPE}\n',
  '  - command: [echo, "${B}"]\n',
  '  - use: read\n    with: { path: "${A}.csv" }\n',
  '  - run: cat\n',
  '  - run: sort\n',
];
const roleDocuments = fc
  .tuple(
    fc.constantFrom('', 'env:\n  A: "1"\n', 'env:\n  A: "1"\nhosts:\n  box: { ssh: box.example }\n', 'hosts:\n  box: { ssh: box.example }\nenv:\n  B: x\n'),
    fc.array(fc.constantFrom(...roleStages), { minLength: 2, maxLength: 8 }),
  )
  .map(([head, stages]) => `${head}stages:\n${stages.join('')}`);
/** [what, by what]: renames there and back, `input:` targets, variables set and unset, hosts added and removed. */
const roleReplacements: [string, string][] = [
  ['name: a', 'name: b'],
  ['name: b', 'name: a'],
  ['name: a', 'name: z'],
  ['name: z', 'name: a'],
  ['name: c', 'name: nope'],
  ['name: w', 'name: c'],
  ['input: a', 'input: z'],
  ['input: z', 'input: a'],
  ['input: a', 'input: other'],
  ['input: other', 'input: a'],
  ['input: [a, b]', 'input: [b]'],
  ['input: [b]', 'input: [a, b]'],
  ['input: nope', 'input: c'],
  ['run: cat', 'run: sort'],
  ['run: sort', 'run: cat'],
  ['  A: "1"\n', '  A: "1"\n  NOPE: x\n'],
  ['  NOPE: x\n', ''],
  ['  A: "1"', '  B: "1"'],
  ['  B: "1"', '  A: "1"'],
  ['  A: "1"', '  A: "2"'],
  ['  B: x', '  A: x'],
  ['on: box', 'on: boxx'],
  ['on: boxx', 'on: box'],
  ['  box: { ssh: box.example }\n', '  boxx: { ssh: box.example }\n'],
  ['  boxx: { ssh: box.example }\n', '  box: { ssh: box.example }\n'],
];

describe('check() after an edit that other stages’ problems depend on', () => {
  it('gives exactly what a check from scratch gives, checking again only the stages concerned', { timeout: 120_000 }, () => {
    let concerned = 0;
    let reused = 0;
    fc.assert(
      fc.property(roleDocuments, fc.array(fc.tuple(fc.nat(roleReplacements.length - 1), fc.nat(7)), { minLength: 1, maxLength: 8 }), (start, sequence) => {
        let text = start;
        let previous = check(text, { file, host });
        for (const [which, nth] of sequence) {
          const [from, to] = roleReplacements[which]!;
          const places = [...text.matchAll(new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'))].map((m) => m.index);
          if (places.length === 0) continue;
          const at = places[nth % places.length]!;
          text = text.slice(0, at) + to + text.slice(at + from.length);
          const incremental = check(text, { file, host, previous });
          const checked = stagesChecked(incremental.pipeline);
          if (checked !== undefined) reused++;
          if (checked !== undefined && checked < incremental.pipeline.stages.length && (checked > 1 || incremental.parsed.moved !== undefined)) concerned++;
          expectSame(incremental, text);
          previous = incremental;
        }
      }),
      { numRuns: 200 },
    );
    // The paths under test must have been taken often, or the comparison proves nothing.
    expect(reused).toBeGreaterThan(200);
    expect(concerned).toBeGreaterThan(50);
  });

  it('on a large generated file: renames, `input:` and `on:` edits, variables set and unset check the stages concerned', { timeout: 120_000 }, () => {
    let text = generatedStages(`name: big\nenv:\n  REGION: eu\nhosts:\n  box: { ssh: box.example }\nstages:\n`);
    text += '  - name: last\n    input: [g-1000, p-1002]\n    on: box\n    run: cat\n';
    let previous = check(text, { file, host });
    const edits: [string, string][] = [
      ['  REGION: eu', '  REGION: eux'], // a value no stage checks a path with: none
      ['  REGION: eux\n', '  REGION: eux\n  LIMIT: "1"\n'], // a variable no stage uses
      ['  REGION: eux\n', ''], // unset: every stage that uses it, warned
      ['env:\n', 'env:\n  REGION: eu\n'], // and set again
      ['name: p-1002', 'name: p-1002x'], // the input's target renamed away: it, its reader, and the stage the reader now means
      ['name: p-1002x', 'name: p-1002'], // and back
      ['name: g-1004', 'name: g-1000'], // a duplicate made: both, and the stage whose input names it
      ['name: g-1000\n    run: grep -v "${REGION}-1004"', 'name: g-1004\n    run: grep -v "${REGION}-1004"'], // and undone
      ['on: box', 'on: boxx'], // a host that is not there
      ['  box: { ssh: box.example }', '  boxx: { ssh: box.example }'], // there now
    ];
    const counts: (number | undefined)[] = [];
    const codes: string[][] = [];
    for (const [from, to] of edits) {
      const at = text.indexOf(from);
      expect(at).toBeGreaterThanOrEqual(0);
      text = text.slice(0, at) + to + text.slice(at + from.length);
      const incremental = check(text, { file, host, previous });
      expectSame(incremental, text);
      counts.push(stagesChecked(incremental.pipeline));
      codes.push([...new Set(incremental.problems.map((p) => p.code))].sort());
      previous = incremental;
    }
    expect(counts).toEqual([0, 0, 499, 499, 3, 3, 3, 3, 1, 1]);
    // The stage before `last` is read by none (`last` names its inputs) throughout.
    expect(codes).toEqual([
      ['unread-output'],
      ['unread-output'],
      ['undefined-variable', 'unread-output'],
      ['unread-output'],
      ['unknown-input', 'unread-output'],
      ['unread-output'],
      ['duplicate-stage-name', 'unread-output'],
      ['unread-output'],
      ['unknown-host', 'unread-output'],
      ['unread-output'],
    ]);
  });
});

// A stage typed half-way breaks the YAML inside that stage: it is re-parsed alone all the same when what follows it reads
// as before (dsl/reparse.ts), its errors become the document's (dsl/recompose.ts), and the other stages' problems are kept
// for the edit that mends it (dsl/stage-rules.ts), which then checks that stage alone.
describe('check() after an edit that breaks the YAML inside one stage, and after the one that mends it', () => {
  it('gives exactly what a check from scratch gives, edit after edit', { timeout: 120_000 }, () => {
    const place = (text: string, e: RandomEdit) => e.at % (text.length + 1);
    const breaking = randomEdits(100_000, 3, [': ', ': x', '- ', 'a: b: c', '\n  x', ' ', '', 'a', '"', '[', '{ a']);
    const broken = editSequences(documents, breaking, {
      place,
      took: (r) => r.parsed.edited !== undefined && r.problems.some((p) => p.code === 'yaml-syntax'),
      runs: 150,
      maxEdits: 8,
    });
    expect(broken).toBeGreaterThan(20);
  });

  it('ends the document where the composer does when the broken last stage ends before its last line (a comment after it)', () => {
    // `"with: …"` makes a key without a value: the stage's node ends before `(" }`, and the document's range adds the
    // comment's length to that, not to where the comment is (found by the random test above, seed 1856209791).
    const before = 'name: p\nstages:\n  - run: cat\n  - use: parse\n    with: { regex: "(" }\n# end\n';
    const at = before.indexOf('with:');
    const text = `${before.slice(0, at)}"${before.slice(at)}`;
    const incremental = check(text, { file, host, previous: check(before, { file, host }) });
    expect(incremental.parsed.edited?.key).toBe('stages');
    expectSame(incremental, text);
  });

  it('in a large generated file: `: ` typed into a command, typed after, and taken out again', { timeout: 120_000 }, () => {
    let text = 'name: big\nstages:\n';
    for (let i = 0; i < 1500; i++) text += `  - name: g${i}\n    run: grep -v x\n  - run: head -n 10\n`;
    let previous = check(text, { file, host });
    const at = text.indexOf('  - run: head -n 10\n', text.length / 2) + '  - run: head'.length;
    const steps: [number, number, string][] = [
      [at, 0, ': '], // `run: head: -n 10`: a mapping where a value was
      [at + 2, 0, 'x'], // typed on inside it
      [at, 3, ''], // mended
    ];
    const oneStage: boolean[] = [];
    for (const [where, remove, insert] of steps) {
      text = text.slice(0, where) + insert + text.slice(where + remove);
      const incremental = check(text, { file, host, previous });
      expect(incremental.parsed.edited?.key).toBe('stages');
      oneStage.push(checkedOneStage(incremental.pipeline));
      expectSame(incremental, text);
      previous = incremental;
    }
    // Broken twice (the rules held back), then mended: the mended stage's rules alone.
    expect(oneStage).toEqual([false, false, true]);
    expect(previous.problems).toEqual([]);
  });
});

// A stage's lines deleted whole, or a stage pasted before another, are one item of the list less or more: re-parsed and
// composed alone too (dsl/reparse.ts `wholeItem`), the other stages moved.
describe('check() after a whole stage deleted or pasted', () => {
  it('gives exactly what a check from scratch gives, checking again only the stages concerned, edit after edit', { timeout: 120_000 }, () => {
    let deleted = 0;
    let concerned = 0;
    fc.assert(
      fc.property(
        documents,
        fc.array(fc.record({ pick: fc.nat(), paste: fc.option(fc.constantFrom(...stageLines), { nil: undefined }) }), { minLength: 1, maxLength: 6 }),
        (start, sequence) => {
          let text = start;
          let previous = check(text, { file, host });
          for (const { pick, paste } of sequence) {
            // Where the stages' items start (a `  - ` at the start of a line), and where the last one ends.
            const starts = [...text.matchAll(/^ {2}- /gm)].map((m) => m.index);
            if (starts.length < 2) return;
            const end = /^(?! {2}[ -]| *#)/m.exec(text.slice(starts.at(-1)! + 1))?.index;
            const bounds = [...starts, end === undefined ? text.length : starts.at(-1)! + 1 + end];
            const k = pick % starts.length;
            text = paste ? text.slice(0, bounds[k]) + paste + text.slice(bounds[k]) : text.slice(0, bounds[k]) + text.slice(bounds[k + 1]);
            const incremental = check(text, { file, host, previous });
            const edited = incremental.parsed.edited;
            if (!paste && edited && edited.count < edited.removed) deleted++;
            // Not every stage checked again: the stages that had problems, the new one's neighbours, those it concerns.
            const checked = stagesChecked(incremental.pipeline);
            if (incremental.parsed.edited?.count !== 1 && checked !== undefined && checked < incremental.pipeline.stages.length) concerned++;
            expectSame(incremental, text);
            previous = incremental;
          }
        },
      ),
      { numRuns: 150 },
    );
    // Deleted ones (one stage less) are the path under test, and must have been many.
    expect(deleted).toBeGreaterThan(20);
    expect(concerned).toBeGreaterThan(50);
  });

  it('finds a stage edited inside, then moved by a deletion before it, under its name (no duplicate of itself)', () => {
    let text = 'stages:\n  - run: sort\n  - run: head\n  - name: s\n    run: cat\n';
    let previous = check(text, { file, host });
    for (const [from, to] of [
      ['    run: cat\n', '    run: cat -n\n'],
      ['  - run: sort\n', ''],
    ]) {
      text = text.replace(from!, to!);
      previous = check(text, { file, host, previous });
      expectSame(previous, text);
    }
    // One stage less, re-parsed without `s` (its name found through the index kept from the first version).
    const { index, removed, count } = previous.parsed.edited!;
    expect([index + removed <= 2, count - removed]).toEqual([true, -1]);
    expect(previous.problems).toEqual([]);
  });

  it('on a large generated file: stages pasted and deleted check the stages concerned, also when they rename others', { timeout: 120_000 }, () => {
    let text = generatedStages('name: big\nenv:\n  REGION: eu\nstages:\n');
    // `head-300` is a default name: a `head` stage pasted before it gives that name to the stage before.
    text += '  - name: last\n    input: [head-300, g-1000]\n    run: cat\n';
    let previous = check(text, { file, host });
    const stageAt = (k: number) => [...text.matchAll(/^ {2}- /gm)][k]!.index;
    const edits: [number, string, number][] = [
      [1000, '  - run: head -n 1\n', 0], // unnamed `head`: every later `head` stage renamed, `last` reads another
      [1000, '', '  - run: head -n 1\n'.length], // and deleted
      [1000, '  - name: g-1000\n    run: cat\n', 0], // a duplicate of a name `last` reads
      [1000, '', '  - name: g-1000\n    run: cat\n'.length], // and deleted
      [0, '  - run: cat\n', 0], // before the first stage
      [0, '', '  - run: cat\n'.length], // and deleted
    ];
    const listed: (number | undefined)[] = [];
    const counts: (number | undefined)[] = [];
    const named: number[] = [];
    const codes: string[][] = [];
    for (const [k, insert, remove] of edits) {
      const at = stageAt(k);
      text = text.slice(0, at) + insert + text.slice(at + remove);
      const incremental = check(text, { file, host, previous });
      const edited = incremental.parsed.edited;
      listed.push(edited && edited.count - edited.removed);
      named.push(incremental.pipeline.stages.findIndex((s) => s.name === 'head-300'));
      expectSame(incremental, text);
      counts.push(stagesChecked(incremental.pipeline));
      codes.push([...new Set(incremental.problems.map((p) => p.code))].sort());
      previous = incremental;
    }
    // One stage more, or one less (re-parsed with its neighbour: the edit ends where the next stage begins).
    expect(listed).toEqual([1, -1, 1, -1, 1, -1]);
    // The `head` stage pasted before the 300th gave its name to the one before.
    expect(named).toEqual([1196, 1199, 1200, 1199, 1200, 1199]);
    // The new stages and their neighbours, the stages with problems, `last` (it has an `input:`), and the stages whose
    // output `last` reads or no longer reads; not the 2,000.
    expect(counts).toEqual([6, 5, 6, 5, 5, 4]);
    expect(codes).toEqual([
      ['unread-output'],
      ['unread-output'],
      ['duplicate-stage-name', 'unread-output'],
      ['unread-output'],
      ['unread-output'],
      ['unread-output'],
    ]);
  });
});

// What lies between two stages (a blank line, a comment line, the indentation of the next `-`) belongs to one item or
// the other depending on both: an edit there is re-parsed with the neighbouring items (dsl/reparse.ts `maxRemoved`).
describe('check() while a stage is typed in, commented out and back, in a large generated file', () => {
  it('re-parses only the stages around each keystroke and gives what a check from scratch gives', { timeout: 120_000 }, () => {
    let text = generatedStages('name: big\nenv:\n  REGION: eu\nstages:\n');
    let previous = check(text, { file, host });
    const steps: string[] = [];
    const edit = (at: number, remove: number, insert: string, what: string) => {
      text = text.slice(0, at) + insert + text.slice(at + remove);
      const incremental = check(text, { file, host, previous });
      expectSame(incremental, text);
      const checked = stagesChecked(incremental.pipeline);
      steps.push(`${what}: ${incremental.parsed.edited === undefined ? 'whole' : checked !== undefined && checked < 20 ? 'stages around' : 'every stage'}`);
      previous = incremental;
    };
    const stageEnd = text.indexOf('  - run: head -n 10\n    stderr: ignore\n', text.length / 2) + '  - run: head -n 10\n    stderr: ignore'.length;
    edit(stageEnd, 0, '\n', 'Enter');
    let at = stageEnd + 1;
    for (const key of '  - run: cat') edit(at++, 0, key, key);
    const line = text.lastIndexOf('\n', at - 1) + 1;
    edit(line, 0, '# ', 'commented out');
    edit(line, 2, '', 'back');
    const named = text.indexOf('  - name: g-', text.length / 2);
    edit(text.indexOf('\n', named) + 1, 0, '    # ', 'a stage’s second line commented out');
    edit(named, 0, '# ', 'its first line');
    edit(named, 2, '', 'first back');
    edit(text.indexOf('\n', named) + 1, 6, '', 'second back');
    const ten = Array.from({ length: 10 }, (_, i) => `  - name: new-${i}\n    run: cat\n`).join('');
    edit(named, 0, ten, 'ten stages pasted');
    edit(named, ten.length, '', 'and deleted');
    expect(steps.filter((s) => !s.endsWith('stages around'))).toEqual([]);
  });
});
