// What a parse keeps of the syntax tree between versions (dsl/tree-skeleton.ts): where each stage starts, not the
// stages' insides, which were most of a big file's heap; and the `-` a problem about a whole stage points at.
import { describe, expect, it } from 'vitest';
import { check, parse } from '../../../dsl';
import { DashItem } from '../../../dsl/tree-skeleton';
import { fakeHost } from './fake-host';

/** Every syntax-tree token (an object with a type, an offset and its source text) reachable from a value. */
function reachableTokens(root: unknown): { type: string; offset: number }[] {
  const seen = new Set<object>();
  const tokens: { type: string; offset: number }[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const t = value as { type?: unknown; offset?: unknown; source?: unknown };
    if (typeof t.type === 'string' && typeof t.offset === 'number' && typeof t.source === 'string') tokens.push({ type: t.type, offset: t.offset });
    // An item that makes its first tokens from its place when asked for keeps what they say.
    if (value instanceof DashItem) stack.push(value.start);
    for (const v of value instanceof Map ? value.values() : Object.values(value)) stack.push(v);
  }
  return tokens;
}

const stages = Array.from({ length: 50 }, (_, i) => `  - name: s${i}\n    run: grep -v "x${i}"\n    env: { N: "${i}" }\n`).join('');
const text = `name: p\nenv:\n  A: "1"\nstages:\n${stages}x-after: 1\n`;
const inStages = (offset: number) => offset > text.indexOf('stages:') + 8 && offset < text.indexOf('x-after');

describe('the syntax tree kept between versions', () => {
  it("keeps where each stage starts, none of a stage's own tokens", () => {
    for (const parsed of [parse(text), parse(text.replace('x7"', 'x77"'), parse(text))]) {
      const kept = reachableTokens(parsed).filter((t) => inStages(t.offset));
      expect(new Set(kept.map((t) => t.type))).toEqual(new Set(['seq-item-ind', 'space']));
      expect(kept.filter((t) => t.type === 'seq-item-ind')).toHaveLength(50);
      // The entries outside the stages are kept whole.
      expect(reachableTokens(parsed).some((t) => t.type === 'double-quoted-scalar' && t.offset === text.indexOf('"1"'))).toBe(true);
    }
  });

  it('keeps the whole tree of a text with anchors (composed whole after each edit)', () => {
    const anchored = `x-base: &base\n  run: cat\nstages:\n  - <<: *base\n    name: a\n`;
    expect(reachableTokens(parse(anchored)).some((t) => t.type === 'scalar' && t.offset === anchored.indexOf('a\n', 40))).toBe(true);
  });

  it('still points a problem about a whole stage at its `-`, after an edit too', () => {
    const unnamed = 'stages:\n  - run: cat\n  -\n    workers: 2\n';
    const first = check(unnamed, { host: fakeHost() });
    const missing = (r: typeof first) => r.problems.find((p) => p.code === 'missing-command');
    expect(missing(first)).toMatchObject({ start: unnamed.indexOf('-\n'), end: unnamed.indexOf('-\n') + 1 });
    const edited = unnamed.replace('workers: 2', 'workers: 3');
    expect(missing(check(edited, { host: fakeHost(), previous: first }))).toMatchObject({ start: edited.indexOf('-\n'), end: edited.indexOf('-\n') + 1 });
  });
});
