import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import validatePipeline from '../../../dsl/generated/pipeline-validator.cjs';
import { ajvOptions, schemaFile } from '../../../scripts/gen-validator';
import { dslFixtures } from '../../fixtures/golden';

describe('the generated schema validator (dsl/generated, written by scripts/gen-validator.ts)', () => {
  it('gives the same verdict and errors as ajv compiling the schema at run time, on every fixture', () => {
    const compiled = new Ajv(ajvOptions).compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
    const fixtures = dslFixtures();
    let invalid = 0;
    for (const { name, text } of fixtures) {
      let data: unknown;
      try {
        data = parseYaml(text) as unknown;
      } catch {
        continue; // YAML that does not parse never reaches the validator
      }
      const ok = validatePipeline(data);
      expect(ok, name).toBe(compiled(data));
      expect(validatePipeline.errors ?? null, name).toEqual(compiled.errors ?? null);
      if (!ok) invalid++;
    }
    expect(invalid).toBeGreaterThan(3);
  });
});
