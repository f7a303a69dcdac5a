// The model's spans of each stage are read off the `stages` list's items in one walk (dsl/build.ts), not found by a
// path from the document's root for every stage. On random pipelines (block and flow stages, empty values, duplicate
// and unknown keys, aliases, merge keys, items that are not mappings) they must be what the path walk finds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isScalar, visit, type Document } from 'yaml';
import { buildPipeline, parse, stageKeys, type Span } from '../../../dsl';
import type { Stage } from '../../../dsl/model';
import { locate, locateKeys } from '../../../dsl/yaml-nodes';

/** A stage's spans as `locate` finds them by path: what every feature and rule points at. */
function byPath(text: string, index: number): Pick<Stage, 'span' | 'headSpan' | 'keys'> {
  const doc = parse(text).doc;
  const keys: Stage['keys'] = {};
  for (const [key, at] of locateKeys(doc, ['stages', index], stageKeys)) if (at.key) keys[key] = { key: at.key, value: at.value };
  const first = Object.values(keys).sort((a, b) => a.key.start - b.key.start)[0];
  const span = locate(doc, ['stages', index]).value;
  return { span, headSpan: keys.name?.value ?? first?.key ?? span, keys };
}

const value = fc.constantFrom('cat', '', ' [sort, -k2]', ' { fields: [id] }', ' "quoted"', ' *a', ' 3');
const key = fc.constantFrom('name', 'run', 'command', 'use', 'with', 'env', 'stderr', 'tap', 'timeout', 'bogus', 'run');
const entries = fc.array(fc.tuple(key, value), { maxLength: 5 });

/** One item of `stages`, as text after its `- `. */
const item = fc.oneof(
  entries.map((es) => es.map(([k, v], i) => `${i === 0 ? '' : '    '}${k}:${v === 'cat' ? ' cat' : v}`).join('\n')),
  entries.map((es) => `{ ${es.map(([k, v]) => `${k}:${v === '' ? '' : v === 'cat' ? ' cat' : v}`).join(', ')} }`),
  entries.map((es) => ['<<: *m', ...es.map(([k, v]) => `    ${k}:${v === 'cat' ? ' cat' : v}`)].join('\n')),
  fc.constantFrom('*m', 'cat', '', '[a, b]', '&s { run: cat }', '*s'),
);

const pipeline = fc.array(item, { maxLength: 8 }).map((items) => {
  const head = 'x-a: &a [x]\nx-m: &m { run: cat, name: merged }\nstages:\n';
  return head + items.map((i) => `  -${i === '' ? '' : ` ${i}`}\n`).join('');
});

/** What Format Document writes from a document, or why it cannot. */
function written(doc: Document): string {
  try {
    return doc.toString();
  } catch (e) {
    return (e as Error).message;
  }
}

/** Every node of a document: kind, place, value (a merge key's is a new symbol each parse: its text), and how it is written out. */
function nodes(doc: Document): unknown[] {
  const out: unknown[] = [written(doc)];
  visit(doc, { Node: (_key, n) => void out.push([n.constructor.name, n.range, isScalar(n) ? [String(n.value), n.source, n.type] : undefined]) });
  return out;
}

const spanText = (text: string, s: Span) => `${s.start}-${s.end} ${JSON.stringify(text.slice(s.start, s.end))}`;

describe("the model's spans", () => {
  it('are those the path walk finds, on random pipelines', () => {
    let direct = 0;
    fc.assert(
      fc.property(pipeline, (text) => {
        const stages = buildPipeline(parse(text)).stages;
        for (const stage of stages) {
          const expected = byPath(text, stage.index);
          expect(spanText(text, stage.span)).toBe(spanText(text, expected.span));
          expect(spanText(text, stage.headSpan)).toBe(spanText(text, expected.headSpan));
          expect(stage.keys).toEqual(expected.keys);
          // An empty value's span is its key's, the same object (moving a stage's spans moves each object once).
          const empty = Object.values(stage.keys).filter((at) => at.value.start === at.key.start);
          expect(empty.filter((at) => at.value !== at.key)).toEqual([]);
          if (!text.slice(stage.span.start, stage.span.end).includes('*')) direct++;
        }
      }),
      { numRuns: 400 },
    );
    // Most stages take the direct way (no alias, no merge key): the comparison is about it.
    expect(direct).toBeGreaterThan(500);
  });
});

describe('building the model', () => {
  it('leaves the document as it was (it shares key texts and trims item lists in place)', () => {
    fc.assert(
      fc.property(pipeline, (text) => {
        const parsed = parse(text);
        buildPipeline(parsed);
        expect(nodes(parsed.doc)).toEqual(nodes(parse(text).doc));
      }),
      { numRuns: 200 },
    );
  });
});
