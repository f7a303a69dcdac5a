import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinNames, builtinSchema } from '../../../dsl/builtins';
import { implementations } from '../../../engine/builtins/index';
import { builtinPath, repoRoot } from './helpers';

const sourceDir = path.join(repoRoot, 'engine/builtins');

/** Option names an implementation's source reads through `opts.<reader>('name')`. */
function optionsReadIn(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [
    ...new Set(
      [...text.matchAll(/\bopts\.(?:string|optionalString|oneOf|boolean|integer|number|stringList|stringMap|stringOrList|has)\(\s*'([^']+)'/g)].map(
        (m) => m[1]!,
      ),
    ),
  ].sort();
}

describe('built-in registry, schema and implementations agree', () => {
  it('every built-in of dsl/builtins.ts has an implementation in engine/builtins/<name>.ts, and no other', () => {
    const missing = builtinNames.filter((n) => !fs.existsSync(path.join(sourceDir, `${n}.ts`)) || !Object.hasOwn(implementations, n));
    expect(missing, 'add engine/builtins/<name>.ts exporting `options` and `run`, and list it in engine/builtins/index.ts').toEqual([]);
    const extra = Object.keys(implementations).filter((n) => !(builtinNames as string[]).includes(n));
    expect(extra, 'add the built-in to dsl/builtins.ts and its options to schemas/pipeline.schema.json (definitions.builtin-<name>)').toEqual([]);
  });

  for (const name of builtinNames) {
    it(`${name}: the options it declares and reads are exactly those of definitions.builtin-${name}`, async () => {
      const inSchema = Object.keys(builtinSchema(name).properties ?? {}).sort();
      const declared = [...(await implementations[name]()).options].sort();
      expect(
        declared,
        `engine/builtins/${name}.ts \`options\` must list the schema's properties of builtin-${name}; ` +
          'change the schema (and docs/dsl.md) and the implementation together',
      ).toEqual(inSchema);
      const read = optionsReadIn(path.join(sourceDir, `${name}.ts`));
      expect(read, `engine/builtins/${name}.ts reads options the schema does not define (or ignores some it does)`).toEqual(inSchema);
    });
  }

  it('the scan of option reads finds them (so the check above can fail)', () => {
    expect(optionsReadIn(path.join(sourceDir, 'read.ts'))).toEqual(['format', 'header', 'path']);
  });

  it('the bundle is small and holds neither ajv nor yaml (each built-in starts fast)', () => {
    const text = fs.readFileSync(builtinPath, 'utf8');
    expect(text).not.toMatch(/node_modules\/(ajv|yaml)\//);
    expect(text).not.toMatch(/schemas\/pipeline\.schema\.json/);
    expect(text).toMatch(/node_modules\/csv-parse\//); // the check looks at the right markers
    expect(fs.statSync(builtinPath).size).toBeLessThan(400 * 1024);
  });
});
