// docs/dsl.md must keep up with the code: a section per problem code (editors link to its anchor),
// every key and built-in option of the schema mentioned, a section per built-in.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import schema from '../../../schemas/pipeline.schema.json';
import { builtinNames, builtinSchema, pipelineKeys, problemCodes, problemDocsAnchor, stageKeys, type ProblemCode } from '../../../dsl';

const docs = fs.readFileSync(new URL('../../../docs/dsl.md', import.meta.url), 'utf8');
const stageSchema = schema.definitions.stage;

describe('docs/dsl.md', () => {
  it('has an anchored section for every problem code', () => {
    const missing = (Object.keys(problemCodes) as ProblemCode[]).filter((code) => !docs.includes(`<a id="${problemDocsAnchor(code)}"></a>`));
    expect(missing, `add to the Problems section of docs/dsl.md, for each: <a id="problem-CODE"></a> and a "### \`CODE\`" section`).toEqual([]);
  });

  it('has no anchor for a problem code that does not exist', () => {
    const anchors = [...docs.matchAll(/<a id="problem-([a-z-]+)"><\/a>/g)].map((m) => m[1]!);
    expect(
      anchors.filter((a) => !Object.hasOwn(problemCodes, a)),
      'remove the sections of codes that are gone from dsl/problems.ts',
    ).toEqual([]);
  });

  it('mentions every pipeline and stage key of the schema', () => {
    const keys = [...Object.keys(schema.properties), ...Object.keys(stageSchema.properties), ...pipelineKeys, ...stageKeys];
    expect(
      keys.filter((k) => !docs.includes(`\`${k}\``)),
      'document these keys in the key tables of docs/dsl.md',
    ).toEqual([]);
  });

  it('has a section for every built-in, mentioning each of its options', () => {
    const headings = [...docs.matchAll(/^###\s+(.*)$/gm)].map((m) => m[1]!);
    for (const name of builtinNames) {
      expect(
        headings.some((h) => h.includes(`\`${name}\``)),
        `add a "### \`${name}\`" section to docs/dsl.md`,
      ).toBe(true);
      const options = Object.keys(builtinSchema(name).properties ?? {});
      expect(
        options.filter((o) => !docs.includes(`\`${o}\``)),
        `document these options of \`${name}\` in docs/dsl.md`,
      ).toEqual([]);
    }
  });
});
