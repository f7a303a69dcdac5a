// The built-in registry (dsl/builtins.ts) and the JSON Schema must name the same built-ins in all
// the places the schema lists them, or validation, completion and the engine disagree.
import { describe, expect, it } from 'vitest';
import schema from '../../../schemas/pipeline.schema.json';
import { builtinNames } from '../../../dsl';

const how =
  'A built-in is declared in four places that must agree: `builtins` in dsl/builtins.ts, and in schemas/pipeline.schema.json ' +
  'the `use` enum of definitions.stage, a `definitions.builtin-NAME` sub-schema for its `with` options, and an allOf entry ' +
  '{ if: { required: [use], properties: { use: { const: NAME } } }, then: { properties: { with: { $ref: "#/definitions/builtin-NAME" } } } } ' +
  '(plus `required: [with]` in `then` when it has required options). Add or remove the built-in in all four.';

interface IfThen {
  if?: { properties?: { use?: { const?: string } } };
  then?: { required?: string[]; properties?: { with?: { $ref?: string } } };
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const registry = sorted(builtinNames);
const stage = schema.definitions.stage as { properties: { use: { enum: string[] } }; allOf: IfThen[] };

describe('built-in registry and schema', () => {
  it('the `use` enum lists exactly the registry', () => {
    expect(sorted(stage.properties.use.enum), how).toEqual(registry);
  });

  it('there is one definitions.builtin-* per registry entry', () => {
    const defs = Object.keys(schema.definitions)
      .filter((k) => k.startsWith('builtin-'))
      .map((k) => k.slice('builtin-'.length));
    expect(sorted(defs), how).toEqual(registry);
  });

  it('there is one allOf if/then per registry entry, pointing `with` at its own definition', () => {
    const entries = stage.allOf.map((e) => ({ name: e.if?.properties?.use?.const, ref: e.then?.properties?.with?.$ref }));
    expect(sorted(entries.map((e) => String(e.name))), how).toEqual(registry);
    for (const e of entries) expect(e.ref, `${how} (allOf entry for \`${e.name}\`)`).toBe(`#/definitions/builtin-${e.name}`);
  });

  it('`then` requires `with` exactly for built-ins with required options or a oneOf', () => {
    const defs = schema.definitions as Record<string, { required?: string[]; oneOf?: unknown[] }>;
    for (const e of stage.allOf) {
      const name = e.if?.properties?.use?.const ?? '';
      const def = defs[`builtin-${name}`] ?? {};
      const needsOptions = (def.required?.length ?? 0) > 0 || (def.oneOf?.length ?? 0) > 0;
      expect(e.then?.required?.includes('with') ?? false, `${how} (\`${name}\`: then.required [with] ${needsOptions ? 'missing' : 'not needed'})`).toBe(
        needsOptions,
      );
    }
  });
});
