// Property tests: whatever text comes in, check() returns problems whose ranges and fixes lie
// inside the document, with known codes, and never throws. Big inputs run once, with a time bound.
import { describe, expect, it } from 'vitest';
import { buildPipeline, check, parse, problemCodes, type CheckResult, type DslHost, type Span } from '../../../dsl';

/** A machine without a file system: only `/p` and `/p/data` exist, plus two files and a few programs. */
const host: DslHost = {
  env: { HOME: '/home/user', PATH: '/usr/bin', USER: 'me', EMPTY: '' },
  statKind: (abs) => (abs === '/p' || abs === '/p/data' ? 'dir' : abs === '/p/data/in.csv' || abs === '/p/enrich.js' ? 'file' : undefined),
  findOnPath: (program) => (['cat', 'grep', 'jq', 'sort', 'head', 'node'].includes(program) ? `/usr/bin/${program}` : undefined),
};
const file = '/p/fuzz.pipeline.yaml';

const severities = new Set(['error', 'warning', 'info']);

function inside(span: Span, length: number): boolean {
  return Number.isInteger(span.start) && Number.isInteger(span.end) && 0 <= span.start && span.start <= span.end && span.end <= length;
}

/** Runs check() and throws (with the offending problem) when an invariant does not hold. */
function checkSane(text: string, withFile = true): CheckResult {
  const result = check(text, withFile ? { file, host } : { host });
  const fail = (what: string, detail: unknown) => {
    throw new Error(`${what}: ${JSON.stringify(detail)} (text length ${text.length}, starts ${JSON.stringify(text.slice(0, 80))})`);
  };
  for (const p of result.problems) {
    if (!Object.hasOwn(problemCodes, p.code)) fail('unknown problem code', p);
    if (!severities.has(p.severity)) fail('unknown severity', p);
    // Only YAML warnings may lower a code's severity.
    if (p.severity !== problemCodes[p.code].severity && p.code !== 'yaml-syntax') fail('severity differs from the registry', p);
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

/** Runs `f` once and returns its duration in milliseconds. */
function timed(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

describe('regressions found by fuzzing', () => {
  it('names 10,000 unnamed stages of one program in linear time (cat, cat-2, …)', () => {
    // The model alone (no YAML), so the time is the naming's: quadratic numbering took a minute.
    const parsed = { ...parse(''), data: { stages: Array.from({ length: 10_000 }, () => ({ run: 'cat' })) } };
    let names: string[] = [];
    expect(timed(() => (names = buildPipeline(parsed).stages.map((s) => s.name)))).toBeLessThan(3_000);
    expect(names.slice(0, 3)).toEqual(['cat', 'cat-2', 'cat-3']);
    expect(names[9_999]).toBe('cat-10000');
    expect(new Set(names).size).toBe(10_000);
  });

  it('still skips names already taken when numbering (regression of the linear naming)', () => {
    const r = checkSane('stages:\n  - run: cat\n  - name: cat-2\n    run: cat\n  - run: cat\n  - run: cat\n  - name: cat-5\n    run: cat\n  - run: cat\n');
    expect(r.pipeline.stages.map((s) => s.name)).toEqual(['cat', 'cat-2', 'cat-3', 'cat-4', 'cat-5', 'cat-6']);
  });
  it('points each undefined ${VAR} at its own place, in one pass over the value', () => {
    const text = 'stages:\n  - command: [echo, "${XY} ${X} $${X} ${X}"]\n';
    const r = checkSane(text);
    const spans = r.problems.filter((p) => p.code === 'undefined-variable').map((p) => text.slice(p.start, p.end) + '@' + p.start);
    const at = (s: string, from = 0) => text.indexOf(s, from);
    expect(spans).toEqual([`\${XY}@${at('${XY}')}`, `\${X}@${at('${X}')}`, `\${X}@${at('${X}', at('$${X}') + 3)}`]);
  });

  it('reports 40,000 distinct undefined variables of one value in linear time', () => {
    // Searching the whole value again for each reference took seconds here (and hours at 10 MB).
    const text = `stages:\n  - command: [echo, "${Array.from({ length: 40_000 }, (_, i) => `\${V${i}}`).join(' ')}"]\n`;
    let r: CheckResult | undefined;
    expect(timed(() => (r = checkSane(text)))).toBeLessThan(3_000);
    const last = r!.problems.at(-1)!;
    expect(text.slice(last.start, last.end)).toBe('${V39999}');
  });
  it('returns 200,000 problems without overflowing the stack', () => {
    // `problems.push(...many)` passes every problem as an argument: a RangeError past ~120,000.
    const text = `stages:\n  - command: [echo, "${Array.from({ length: 200_000 }, (_, i) => `\${V${i}}`).join(' ')}"]\n`;
    expect(checkSane(text).problems.filter((p) => p.code === 'undefined-variable')).toHaveLength(200_000);
  });
});
