// Property tests: whatever text comes in, check() returns problems whose ranges and fixes lie
// inside the document, with known codes, and never throws. Big inputs run once (the test timeout bounds them).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildPipeline, check, parse, problemCodes, type CheckResult, type DslHost, type Span } from '../../../dsl';

/** A machine without a file system: only `/p`, `/p/data` and `/home/user` exist, plus two files and a few programs. */
const host: DslHost = {
  env: { HOME: '/home/user', PATH: '/usr/bin', USER: 'me', EMPTY: '' },
  statKind: (abs) =>
    abs === '/p' || abs === '/p/data' || abs === '/home/user' ? 'dir' : abs === '/p/data/in.csv' || abs === '/p/enrich.js' ? 'file' : undefined,
  findProgram: (program) =>
    ['cat', 'grep', 'jq', 'sort', 'head', 'node'].includes(program) ? { kind: 'found', path: `/usr/bin/${program}` } : { kind: 'not-found' },
  readStart: (abs) => (abs === '/p/data/in.csv' ? { text: 'a,b\n1,2\n', whole: true } : undefined),
};
const file = '/p/fuzz.pipeline.yaml';

const severities = new Set(['error', 'warning', 'info']);

function inside(span: Span, length: number): boolean {
  return Number.isInteger(span.start) && Number.isInteger(span.end) && 0 <= span.start && span.start <= span.end && span.end <= length;
}

/** Runs check() and throws (with the offending problem) when an invariant does not hold. */
function assertSane(text: string, withFile = true): CheckResult {
  const result = check(text, withFile ? { file, host } : { host });
  const fail = (what: string, detail: unknown) => {
    throw new Error(`${what}: ${JSON.stringify(detail)} (text length ${text.length}, starts ${JSON.stringify(text.slice(0, 80))})`);
  };
  for (const p of result.problems) {
    if (!Object.hasOwn(problemCodes, p.code)) fail('unknown problem code', p);
    if (!severities.has(p.severity)) fail('unknown severity', p);
    // Only YAML warnings and undefined variables of `run:` scripts (the shell expands them empty) lower a code's severity.
    if (p.severity !== problemCodes[p.code].severity && p.code !== 'yaml-syntax' && p.code !== 'undefined-variable')
      fail('severity differs from the registry', p);
    if (!inside(p, text.length)) fail('problem range outside the document', p);
    if (typeof p.message !== 'string' || p.message.length === 0) fail('empty message', p);
    for (const fix of p.fixes ?? []) {
      if (fix.title.length === 0 || fix.edits.length === 0) fail('fix without title or edits', fix);
      for (const e of fix.edits) if (!inside(e, text.length) || typeof e.newText !== 'string') fail('fix edit outside the document', { code: p.code, e });
    }
  }
  if (result.ok !== !result.problems.some((p) => p.severity === 'error')) fail('ok disagrees with the problems', result.problems);
  for (const s of result.pipeline.stages) {
    for (const span of [s.span, s.headSpan, ...Object.values(s.keys).flatMap((k) => [k.key, k.value])]) {
      if (!inside(span, text.length)) fail('stage span outside the document', { stage: s.index, span });
    }
  }
  return result;
}

describe('regressions found by fuzzing', () => {
  it('resolves the aliases of 2,000 anchors in linear time, each to the last anchor of its name before it', () => {
    // Each alias was resolved by walking the whole document (yaml's Alias.resolve): 1,000 anchors took a minute.
    const text = `stages:\n${Array.from({ length: 2_000 }, (_, i) => `  - &s${i} {run: cat}\n  - *s${i}\n`).join('')}  - &s0 {run: sort}\n  - *s0\n`;
    const stages = assertSane(text).pipeline.stages;
    expect(stages).toHaveLength(4_002);
    // An alias's spans are its place of use; the re-anchored `s0` names the later stage.
    expect(stages.at(-1)!.action).toEqual({ kind: 'run', script: 'sort' });
    expect(text.slice(stages[1]!.keys.run!.value.start, stages[1]!.keys.run!.value.end)).toBe('*s0');
  });

  it('reports a stack overflow of the YAML parser once, saying the document is too deeply nested', () => {
    // It came as "Maximum call stack size exceeded.", once per level it unwound through (35 times here).
    const r = assertSane(`${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}`);
    expect(r.problems.map((p) => [p.code, p.message])).toEqual([['yaml-syntax', expect.stringContaining('nested too deeply')]]);
  });

  it('names 10,000 unnamed stages of one program in linear time (cat, cat-2, …)', () => {
    // The model alone (no YAML), so the time is the naming's: quadratic numbering took a minute.
    const parsed = { ...parse(''), data: { stages: Array.from({ length: 10_000 }, () => ({ run: 'cat' })) } };
    let names: string[] = [];
    names = buildPipeline(parsed).stages.map((s) => s.name);
    expect(names.slice(0, 3)).toEqual(['cat', 'cat-2', 'cat-3']);
    expect(names[9_999]).toBe('cat-10000');
    expect(new Set(names).size).toBe(10_000);
  });

  it('still skips names already taken when numbering (regression of the linear naming)', () => {
    const r = assertSane('stages:\n  - run: cat\n  - name: cat-2\n    run: cat\n  - run: cat\n  - run: cat\n  - name: cat-5\n    run: cat\n  - run: cat\n');
    expect(r.pipeline.stages.map((s) => s.name)).toEqual(['cat', 'cat-2', 'cat-3', 'cat-4', 'cat-5', 'cat-6']);
  });
  it('points each undefined ${VAR} at its own place, in one pass over the value', () => {
    const text = 'stages:\n  - command: [echo, "${XY} ${X} $${X} ${X}"]\n';
    const r = assertSane(text);
    const spans = r.problems.filter((p) => p.code === 'undefined-variable').map((p) => text.slice(p.start, p.end) + '@' + p.start);
    const at = (s: string, from = 0) => text.indexOf(s, from);
    expect(spans).toEqual([`\${XY}@${at('${XY}')}`, `\${X}@${at('${X}')}`, `\${X}@${at('${X}', at('$${X}') + 3)}`]);
  });

  it('reports 40,000 distinct undefined variables of one value in linear time', () => {
    // Searching the whole value again for each reference took seconds here (and hours at 10 MB).
    const text = `stages:\n  - command: [echo, "${Array.from({ length: 40_000 }, (_, i) => `\${V${i}}`).join(' ')}"]\n`;
    const last = assertSane(text).problems.at(-1)!;
    expect(text.slice(last.start, last.end)).toBe('${V39999}');
  });
  it('returns 200,000 problems without overflowing the stack', () => {
    // `problems.push(...many)` passes every problem as an argument: a RangeError past ~120,000.
    const text = `stages:\n  - command: [echo, "${Array.from({ length: 200_000 }, (_, i) => `\${V${i}}`).join(' ')}"]\n`;
    expect(assertSane(text).problems.filter((p) => p.code === 'undefined-variable')).toHaveLength(200_000);
  });
});

/** Valid pipelines using the YAML features mutations should break: anchors, merges, flow, block scalars, CRLF. */
const seeds = [
  `name: top-products
description: Available products, first 10
env: { REGION: eu, LIMIT: 10 }
cwd: .
stages:
  - name: read
    use: read
    with: { path: data/in.csv, format: csv }
  - name: available
    run: grep '"available":true' | head -n \${LIMIT}
  - command: [node, enrich.js, --region, "\${REGION}"]
    workers: 4
    ordered: true
    timeout: 30s
  - use: head
    with: { count: 10 }
`,
  `x-defaults: &defaults
  stderr: ignore
  timeout: 5m
stages:
  - <<: *defaults
    name: a
    run: cat
  - <<: [*defaults]
    use: pick
    with:
      fields: &fields [id, name]
  - name: b
    use: filter
    with:
      expr: |
        r.price > 10 &&
          r.available
      onError: skip
  - { name: c, use: sample, with: { fraction: 0.5, seed: 1 } }
  - use: map
    with: { expr: "({ ...r, n: '$\${HOME}' })" }
  - command: [sort, -k2]
    env: { LC_ALL: C }
  - use: write
    with: { path: "\${HOME:-/tmp}/out.ndjson" }
`,
  '\uFEFFstages:\r\n  - run: cat\r\n  # comment\r\n  - use: head\r\n',
  'stages: [{run: cat}, {use: head, with: {count: 3}}, {command: [jq, .], cwd: data}]',
];

const tokens = [
  'stages:',
  'name:',
  'run:',
  'command:',
  'use:',
  'with:',
  'env:',
  'cwd:',
  'workers:',
  'timeout:',
  'path:',
  'expr:',
  'read',
  'head',
  '\n',
  '\r\n',
  '\r',
  '  ',
  '    ',
  '\t',
  '- ',
  ': ',
  ':',
  ',',
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '<<: ',
  '<<: *a',
  '? ',
  '|',
  '>-',
  '#',
  '"',
  "'",
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '!!str ',
  '!!map ',
  '!x ',
  '${X}',
  '${HOME}',
  '$${',
  '${X:-d}',
  '0',
  '-1',
  '1e9',
  'null',
  '~',
  'true',
  '\uFEFF',
  '\u0000',
  '\ud800',
  'é',
];

type Mutation = {
  kind: 'insert' | 'delete' | 'duplicate-line' | 'delete-line' | 'swap-lines' | 'indent' | 'dedent' | 'tab' | 'crlf' | 'bom' | 'document';
  at: number;
  n: number;
  token: string;
};

function lines(text: string): string[] {
  return text.split('\n');
}

/** Applies one mutation at a relative position (`at` in [0, 1)) so shrinking stays meaningful. */
function mutate(text: string, m: Mutation): string {
  const pos = Math.floor(m.at * (text.length + 1));
  const ls = lines(text);
  const li = Math.floor(m.at * ls.length);
  const withLines = (f: (ls: string[]) => void) => (f(ls), ls.join('\n'));
  switch (m.kind) {
    case 'insert':
      return text.slice(0, pos) + m.token + text.slice(pos);
    case 'delete':
      return text.slice(0, pos) + text.slice(pos + m.n);
    case 'duplicate-line':
      return withLines((l) => l.splice(li, 0, l[li] ?? ''));
    case 'delete-line':
      return withLines((l) => l.splice(li, 1));
    case 'swap-lines':
      return withLines((l) => {
        const j = (li + m.n) % l.length;
        [l[li], l[j]] = [l[j] ?? '', l[li] ?? ''];
      });
    case 'indent':
      return withLines((l) => (l[li] = ' '.repeat(m.n) + (l[li] ?? '')));
    case 'dedent':
      return withLines((l) => (l[li] = (l[li] ?? '').replace(new RegExp(`^ {0,${m.n}}`), '')));
    case 'tab':
      return withLines((l) => (l[li] = (l[li] ?? '').replace(/^ {1,4}/, '\t')));
    case 'crlf':
      return text.replace(/\r?\n/g, '\r\n');
    case 'bom':
      return `\uFEFF${text}`;
    case 'document':
      return `${text}\n---\n${m.token}`;
  }
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'duplicate-line', 'delete-line', 'swap-lines', 'indent', 'dedent', 'tab', 'crlf', 'bom', 'document'),
  at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  n: fc.integer({ min: 1, max: 12 }),
  token: fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 6 })),
});

/** Any UTF-16 code unit, lone surrogates and NUL included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Values of every JSON-ish kind, for keys the schema types strictly. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('${X}', '${HOME}', 'data/in.csv', 'missing.csv', '/abs/file', '../up', '30s', '0ms', 'cat', 'nosuchprogram', ''),
  fc.integer({ min: -5, max: 100 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const stageKeyNames = [
  'name',
  'description',
  'run',
  'command',
  'use',
  'with',
  'env',
  'cwd',
  'workers',
  'ordered',
  'timeout',
  'stderr',
  'x-note',
  'runn',
  'uses',
];
const withValue = fc.oneof(
  anyValue,
  fc.record(
    {
      path: anyValue,
      format: fc.constantFrom('csv', 'json', 'xml'),
      count: anyValue,
      expr: anyValue,
      fields: anyValue,
      every: anyValue,
      fraction: anyValue,
      seed: anyValue,
      onError: anyValue,
      header: anyValue,
      bogus: anyValue,
    },
    { requiredKeys: [] },
  ),
);
const stage = fc
  .dictionary(fc.constantFrom(...stageKeyNames), anyValue, { maxKeys: 5 })
  .chain((s) =>
    fc
      .record({ use: fc.constantFrom('read', 'write', 'head', 'filter', 'map', 'pick', 'sample', 'nope', 'Read'), with: withValue }, { requiredKeys: [] })
      .map((u) => ({ ...s, ...u })),
  );
const pipelineData = fc.record(
  {
    name: anyValue,
    description: anyValue,
    env: fc.oneof(anyValue, fc.dictionary(fc.constantFrom('X', 'HOME', 'A B', '1X', 'Y'), anyValue, { maxKeys: 3 })),
    cwd: anyValue,
    stages: fc.oneof(fc.array(stage, { maxLength: 5 }), anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

/** FUZZ_SCALE=20 npx vitest run test/unit/dsl/fuzz.test.ts searches 20 times longer. */
const scale = Math.max(1, Number(process.env.FUZZ_SCALE) || 1);
const numRuns = (n: number) => ({ numRuns: n * scale });

describe('check() on random input', { timeout: 30_000 * scale }, () => {
  const runs = numRuns(300);

  it('never throws on random strings of any code unit', () => {
    fc.assert(
      fc.property(fc.string({ unit: codeUnit, maxLength: 200 }), (text) => void assertSane(text)),
      runs,
    );
  });

  it('never throws on random bytes decoded as UTF-8 or Latin-1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, utf8) => void assertSane(Buffer.from(bytes).toString(utf8 ? 'utf8' : 'latin1'))),
      runs,
    );
  });

  it('never throws on soups of YAML tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 60 }), fc.boolean(), (ts, withFile) => void assertSane(ts.join(''), withFile)),
      numRuns(500),
    );
  });

  it('never throws on mutated valid pipelines', () => {
    for (const seed of seeds) expect(assertSane(seed).problems, seed).toEqual([]);
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, ms) => void assertSane(ms.reduce(mutate, seed))),
      numRuns(600),
    );
  });

  it('never throws on generated pipelines of every shape, block or flow', () => {
    fc.assert(
      fc.property(pipelineData, fc.constantFrom('block', 'flow'), (data, style) => {
        const text = stringify(data, style === 'flow' ? { collectionStyle: 'flow' } : {});
        assertSane(text);
      }),
      numRuns(400),
    );
  });
});

describe('check() on huge and hostile input (each once; the test timeout bounds it)', () => {
  // The point is "finishes": vitest's test timeout is the only bound (times belong in bench/).
  const depth = 10_000;
  const codes = (r: CheckResult) => [...new Set(r.problems.map((p) => p.code))];
  const blockMaps = (indent: number, n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(indent + i)}k:\n`).join('');

  it('a 10 MB pipeline of 1,000 stages with long scripts', () => {
    const script = `grep -v \${X:-x} | sed 's/a/b/' \\\n${'      | tr a-z A-Z \\\n'.repeat(480)}      | cat`;
    const stage = (i: number) => `  - name: s${i}\n    env: { N: "${i}" }\n    run: |\n      ${script}\n`;
    const text = `stages:\n${Array.from({ length: 1_000 }, (_, i) => stage(i)).join('')}`;
    expect(text.length).toBeGreaterThan(10_000_000);
    const r = assertSane(text);
    expect(r.problems).toEqual([]);
    expect(r.pipeline.stages.length).toBe(1_000);
  });

  it('a 10 MB scalar, and 2 MB of binary junk', () => {
    expect(codes(assertSane(`name: ${'a'.repeat(10_000_000)}\nstages: [{run: cat}]\n`))).toEqual([]);
    let seed = 1;
    const junk = Array.from({ length: 2_000_000 }, () => String.fromCharCode((seed = (seed * 48271) % 2147483647) & 0xffff)).join('');
    assertSane(junk);
  });

  it('10,000-deep flow nesting, at the root and inside a stage', () => {
    for (const nest of ['['.repeat(depth) + ']'.repeat(depth), '{a: '.repeat(depth) + '1' + '}'.repeat(depth)]) {
      expect(codes(assertSane(nest))).toContain('yaml-syntax');
      expect(codes(assertSane(`stages:\n  - use: head\n    with: ${nest}\n`))).toContain('yaml-syntax');
      assertSane(`stages:\n  - use: head\n    with: {count: ${nest}}\n`);
    }
  });

  it('10,000-deep block nesting of maps and sequences, at the root and inside a stage', () => {
    assertSane(blockMaps(0, depth));
    assertSane(`${'- '.repeat(depth)}x\n`);
    assertSane(`stages:\n  - use: head\n    with:\n${blockMaps(6, depth)}`);
    assertSane(`stages:\n  - use: map\n    with:\n      expr: r\n      onError:\n${'        - '.repeat(1)}${'- '.repeat(depth)}x\n`);
    assertSane(`stages:\n  - run: cat\n    env:\n${blockMaps(6, depth)}`);
  });

  it('nesting just shallow enough to read still gets checked, not only parsed', () => {
    const r = assertSane(`stages:\n  - use: head\n    with:\n      count: ${'['.repeat(500)}${']'.repeat(500)}\n`);
    expect(codes(r)).toEqual(['bad-option']);
  });

  it('alias bombs (billion laughs) are refused quickly', () => {
    let bomb = 'x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 10; i++) bomb += `x-a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
    expect(codes(assertSane(`${bomb}stages:\n  - use: pick\n    with: { fields: *a9 }\n`))).toContain('yaml-syntax');
    let merges = 'x-m0: &m0 { stderr: ignore }\n';
    for (let i = 1; i < 300; i++) merges += `x-m${i}: &m${i} { <<: *m${i - 1}, x-k${i}: 1 }\n`;
    assertSane(`${merges}stages:\n  - <<: *m299\n    run: cat\n`);
  });

  it('many documents, many duplicate keys and many anchors', () => {
    assertSane('---\nstages: [{run: cat}]\n'.repeat(2_000));
    assertSane(`stages:\n  - run: cat\n${'    run: cat\n'.repeat(2_000)}`);
    assertSane(`stages:\n${Array.from({ length: 2_000 }, (_, i) => `  - &s${i} {run: cat}\n  - *s${i}\n`).join('')}`);
  });

  it('1,000 stages that are all wrong in several ways', () => {
    // ajv concatenates the error list per failing \$ref'd item, so time grows with errors²; 1,000 stay well bounded.
    const r = assertSane(`stages:\n${'  - {run: cat, use: nope, workers: 0, bogus: 1, name: "1 bad"}\n'.repeat(1_000)}`);
    expect(codes(r).sort()).toEqual(
      ['conflicting-command', 'duplicate-stage-name', 'invalid-stage-name', 'unknown-builtin', 'unknown-key', 'workers-range'].sort(),
    );
  });
});
