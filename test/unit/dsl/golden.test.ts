import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../../dsl';
import { fakeHost } from './fake-host';

const dir = path.resolve(__dirname, '../../fixtures/dsl');
const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.pipeline.yaml'));

/**
 * Expected problems, written in the fixture: `# want: code[, code]` on the offending line, or
 * `# want@N: code` for line N. Returns sorted `line code` strings.
 */
function expected(text: string): string[] {
  const want: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const m of line.matchAll(/# want(?:@(\d+))?: ([a-z-]+(?:, *[a-z-]+)*)/g)) {
      const at = m[1] ? Number(m[1]) : i + 1;
      for (const code of m[2]!.split(/, */)) want.push(`${at} ${code}`);
    }
  });
  return want.sort();
}

describe('golden fixtures', () => {
  it('has fixtures, clean and broken', () => {
    expect(fixtures.filter((f) => f.startsWith('clean-')).length).toBeGreaterThan(1);
    expect(fixtures.length).toBeGreaterThan(10);
  });

  for (const name of fixtures) {
    it(name, () => {
      const file = path.join(dir, name);
      const text = fs.readFileSync(file, 'utf8');
      const result = check(text, { file, host: fakeHost() });
      const got = result.problems.map((p) => `${result.parsed.lineCounter.linePos(p.start).line} ${p.code}`).sort();
      const detail = result.problems.map((p) => `${result.parsed.lineCounter.linePos(p.start).line}: ${p.code}: ${p.message}`).join('\n');
      expect(got, `problems of ${name}:\n${detail}`).toEqual(expected(text));
      expect(result.ok).toBe(!result.problems.some((p) => p.severity === 'error'));
    });
  }
});
