import { describe, expect, it } from 'vitest';
import { check } from '../../../dsl';
import { dslFixtures } from '../../fixtures/golden';
import { fakeHost } from './fake-host';

const fixtures = dslFixtures();

describe('golden fixtures', () => {
  it('has fixtures, clean and broken', () => {
    expect(fixtures.filter((f) => f.name.startsWith('clean-')).length).toBeGreaterThan(1);
    expect(fixtures.length).toBeGreaterThan(10);
  });

  for (const { name, file, text, want } of fixtures) {
    it(`golden fixture ${name}`, () => {
      const result = check(text, { file, host: fakeHost() });
      const got = result.problems.map((p) => `${result.parsed.lineCounter.linePos(p.start).line} ${p.code}`).sort();
      const detail = result.problems.map((p) => `${result.parsed.lineCounter.linePos(p.start).line}: ${p.code}: ${p.message}`).join('\n');
      expect(got, `problems of ${name}:\n${detail}`).toEqual(want);
      expect(result.ok).toBe(!result.problems.some((p) => p.severity === 'error'));
    });
  }
});
