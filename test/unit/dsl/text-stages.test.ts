import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, type Problem } from '../../../dsl';
import { firstNonJsonLine } from '../../../dsl/read-format';
import { applyEdits } from '../../../dsl/verify';
import { fakeHost } from './fake-host';

const host = fakeHost();

/** The problems of one `parse` stage with this `regex` line, each with the text it underlines. */
function regexProblems(regexLine: string): { code: string; marked: string; message: string; fixed?: string | undefined }[] {
  const text = `stages:\n  - use: parse\n    with:\n      ${regexLine}\n`;
  return check(text, { host }).problems.map((p: Problem) => ({
    code: p.code,
    marked: text.slice(p.start, p.end),
    message: p.message,
    fixed: p.fixes?.[0] && applyEdits(text, p.fixes[0].edits)?.split('\n')[3]?.trim(),
  }));
}

describe('the regex of `parse`, checked with ranges inside the string', () => {
  it('a valid pattern with named groups is clean, in any quoting', () => {
    expect(regexProblems(`regex: '^(?<date>\\S+) (?<time>\\S+)'`)).toEqual([]);
    expect(regexProblems(`regex: "^(?<date>\\\\S+) (?<it>it's)"`)).toEqual([]);
    expect(regexProblems(`regex: ^(?<date>\\S+)`)).toEqual([]);
  });

  it('a syntax error is underlined where the engine stops', () => {
    const [p] = regexProblems(`regex: '(?<a>x)[z-a]'`);
    expect(p).toMatchObject({ code: 'bad-regex', marked: ']', message: 'Stage 1: the regex is not valid: Range out of order in character class.' });
    expect(regexProblems(`regex: '(?<a>x'`)[0]).toMatchObject({ message: expect.stringMatching(/Unterminated group/) as string });
  });

  it("Python's (?P<name>…): underlined, with a fix that writes JavaScript's form", () => {
    expect(regexProblems(`regex: 'x (?P<date>\\S+)'`)).toEqual([
      { code: 'bad-regex', marked: '(?P<', message: expect.stringMatching(/Python's named group/) as string, fixed: `regex: 'x (?<date>\\S+)'` },
    ]);
  });

  it('a group name that cannot be a field: the name is underlined, and the fix renames it (also inside double quotes)', () => {
    expect(regexProblems(`regex: '(?<a>x) (?<my-date>\\S+)'`)).toEqual([
      {
        code: 'bad-regex',
        marked: 'my-date',
        message: expect.stringMatching(/`my-date` cannot name a group/) as string,
        fixed: `regex: '(?<a>x) (?<my_date>\\S+)'`,
      },
    ]);
    expect(regexProblems(`regex: "\\\\d (?<1st>\\\\S+)"`)[0]).toMatchObject({ marked: '1st', fixed: `regex: "\\\\d (?<_1st>\\\\S+)"` });
  });

  it('two groups of one name, and no named group at all', () => {
    expect(regexProblems(`regex: '(?<a>x)|(?<a>y)'`)).toMatchObject([{ marked: 'a', message: expect.stringMatching(/two groups are named `a`/) as string }]);
    expect(regexProblems(`regex: '(\\S+) (\\S+)'`)).toMatchObject([{ marked: `'(\\S+) (\\S+)'`, message: expect.stringMatching(/no named groups/) as string }]);
  });

  it('`types` naming a field the regex does not capture', () => {
    const text = 'stages:\n  - use: parse\n    with:\n      regex: (?<status>\\d+)\n      types: { status: number, bytes: number }\n';
    const [p] = check(text, { host }).problems;
    expect(p).toMatchObject({
      code: 'bad-option',
      message: expect.stringMatching(/`types` names `bytes`, which the regex does not capture \(its groups: `status`\)/) as string,
    });
    expect(text.slice(p!.start, p!.end)).toBe('bytes');
  });

  it('leaves a pattern with ${VARS} alone (known only at run time)', () => {
    expect(regexProblems(`regex: '\${PATTERN:-(}'`)).toEqual([]);
  });
});

describe('`read` of a text file without `format`', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-text-'));
  fs.writeFileSync(path.join(dir, 'dpkg.log'), '2026-12-07 00:02:32 status installed chromium:amd64 156.0\n');
  fs.writeFileSync(path.join(dir, 'export.txt'), 'id,name\n1,a\n');
  fs.writeFileSync(path.join(dir, 'events.log'), '\n{"a":1}\nnot json\n');
  const file = path.join(dir, 'p.pipeline.yaml');

  it('warns on the path, and the fix adds `format: lines` (block or flow), after which it is clean', () => {
    for (const text of ['stages:\n  - use: read\n    with: { path: dpkg.log }\n', 'stages:\n  - use: read\n    with:\n      path: dpkg.log\n']) {
      const [p] = check(text, { host, file }).problems;
      expect(p).toMatchObject({ code: 'not-ndjson', severity: 'warning' });
      expect(p!.message).toMatch(/dpkg\.log is read as NDJSON .* its line 1 is not JSON \(`2026-12-07 00:02:32 status installed chr…`\)/);
      expect(text.slice(p!.start, p!.end)).toBe('dpkg.log');
      expect(p!.fixes!.map((f) => f.title)).toEqual(['Add `format: lines`']);
      const fixed = applyEdits(text, p!.fixes![0]!.edits)!;
      expect(fixed).toMatch(/format: lines/);
      expect(check(fixed, { host, file }).problems).toEqual([]);
    }
  });

  it('offers `format: csv` too when the line looks like CSV; NDJSON after blank lines is fine', () => {
    const [p] = check('stages:\n  - use: read\n    with: { path: export.txt }\n', { host, file }).problems;
    expect(p!.fixes!.map((f) => f.title)).toEqual(['Add `format: lines`', 'Add `format: csv`']);
    expect(check('stages:\n  - use: read\n    with: { path: events.log }\n', { host, file }).problems).toEqual([]);
  });

  it('one line decides; a line cut off is judged by how it starts', () => {
    expect(firstNonJsonLine('\n\r\n{"a":1}\nnot json\n', true)).toBeUndefined();
    expect(firstNonJsonLine('\uFEFFplain text\n', true)).toEqual({ line: 'plain text', number: 1 });
    expect(firstNonJsonLine('{"a":"cut off', false)).toBeUndefined();
    expect(firstNonJsonLine('{"a":"cut off', true)).toEqual({ line: '{"a":"cut off', number: 1 });
    expect(firstNonJsonLine('cut off', false)).toEqual({ line: 'cut off', number: 1 });
  });
});
