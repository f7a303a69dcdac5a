import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { check, parse, type Problem } from '../../../dsl';
import { anchorsOf } from '../../../dsl/anchors';
import { formatEdits } from '../../../dsl/format';
import { shellReferences } from '../../../dsl/shell-vars';
import { joinDeletions } from '../../../dsl/fixes';
import { applyEdits, introducesNoProblem } from '../../../dsl/verify';
import { yamlScalar } from '../../../dsl/yaml-text';
import { fakeHost } from './fake-host';

describe('shellReferences: ${VAR} as the shell expands it in run:', () => {
  const names = (script: string) => shellReferences(script).map((r) => r.name);
  it('skips single quotes, comments, escapes and quoted here-documents', () => {
    expect(names(`sed 's/\${VERSION}/1.0/' "\${A}" \\\${B} $\${C} # \${D}`)).toEqual(['A']);
    expect(names('cat <<\'EOF\'\n${E}\nEOF\ncat <<-"X"\n\t${F}\n\tX\ncat <<\\Y\n${G}\nY\necho ${H}')).toEqual(['H']);
  });
  it('keeps double quotes, unquoted here-documents and words with # inside', () => {
    expect(names('cat <<EOF\n${I}\nEOF\necho "it\'s ${J}" a#${K}')).toEqual(['I', 'J', 'K']);
  });
});

describe('yamlScalar: values YAML would read otherwise are quoted by the yaml library', () => {
  it('quotes keywords, numbers, indicators and `: `, and nothing else', () => {
    for (const v of ['null', 'true', '~', '1e3', '0x1F', 'a: b', '*x', '&a', '!t', '- x', '', ' lead', 'a #b']) {
      expect(parseYaml(`k: ${yamlScalar(v)}`), v).toEqual({ k: v });
      expect(yamlScalar(v), v).not.toBe(v);
    }
    expect(yamlScalar('cat')).toBe('cat');
    expect(parseYaml(`k: [${yamlScalar('a,b]', true)}]`)).toEqual({ k: ['a,b]'] });
  });
});

describe('introducesNoProblem', () => {
  const p = (code: Problem['code']): Problem => ({ code, severity: 'error', message: 'm', start: 0, end: 1 });
  it('compares problems per code, and requires the fixed one to go', () => {
    expect(introducesNoProblem([p('unknown-key')], [], p('unknown-key'))).toBe(true);
    expect(introducesNoProblem([p('unknown-key')], [p('unknown-key')], p('unknown-key'))).toBe(false);
    expect(introducesNoProblem([p('unknown-key')], [p('duplicate-key')])).toBe(false);
  });
  it('compares only YAML problems while the YAML was broken (mending it uncovers the held-back checks)', () => {
    expect(introducesNoProblem([p('yaml-syntax')], [p('undefined-variable')], p('yaml-syntax'))).toBe(true);
    expect(introducesNoProblem([p('yaml-syntax')], [p('yaml-syntax')], p('yaml-syntax'))).toBe(false);
  });
});

describe('placements', () => {
  it('never starts or ends a range between the \\r and \\n of a CRLF', () => {
    for (const text of ['name: no-stages\r\n', '# only a comment\r\n', 'stages:\r\n  - run: |\r\n      nosuchprogram x\r\n    workers: 99\r\n']) {
      const { problems } = check(text, { host: fakeHost() });
      expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) for (const at of [p.start, p.end]) expect(text.slice(at - 1, at + 1), p.code).not.toBe('\r\n');
    }
  });
});

describe('anchorsOf', () => {
  it('finds anchors and aliases with the spans of their names, each alias tied to the last anchor before it', () => {
    const text = 'a: &x 1\nb: *x\nc: &x 2\nd: [*x, *y]\n';
    const { anchors, aliases } = anchorsOf(parse(text));
    expect(anchors.map((a) => text.slice(a.span.start, a.span.end))).toEqual(['x', 'x']);
    expect(aliases.map((a) => [a.name, a.anchor])).toEqual([
      ['x', 0],
      ['x', 1],
      ['y', undefined],
    ]);
  });
});

describe('formatEdits', () => {
  it('changes whitespace only, keeps comments, anchors and flow padding, and refuses broken YAML', () => {
    const text = 'name:  x   # n\nx-a: &a\n    run: cat\nstages:\n   - <<: *a\n   - { run: b }\n   - command: [a,  b]\n';
    const formatted = applyEdits(text, formatEdits(parse(text))!);
    expect(formatted).toBe('name: x # n\nx-a: &a\n  run: cat\nstages:\n  - <<: *a\n  - { run: b }\n  - command: [a, b]\n');
    expect(formatEdits(parse(formatted!))).toEqual([]);
    expect(formatEdits(parse('stages: [a\n'))).toBeUndefined();
  });
});

describe('applyEdits and joinDeletions', () => {
  it('refuses overlapping edits (LSP forbids them); neighbouring deletions are joined into one', () => {
    expect(
      applyEdits('abcdef', [
        { start: 1, end: 3, newText: '' },
        { start: 2, end: 4, newText: '' },
      ]),
    ).toBeUndefined();
    expect(
      applyEdits('abcdef', [
        { start: 1, end: 2, newText: 'X' },
        { start: 2, end: 4, newText: '' },
      ]),
    ).toBe('aXef');
    const joined = joinDeletions([
      { start: 2, end: 4, newText: '' },
      { start: 1, end: 3, newText: '' },
    ]);
    expect(joined).toEqual([{ start: 1, end: 4, newText: '' }]);
    expect(
      joinDeletions([
        { start: 1, end: 3, newText: 'x' },
        { start: 2, end: 4, newText: '' },
      ]),
    ).toBeUndefined();
  });

  it('"Keep `run`" on a flow stage with three actions removes both others in one edit (found by the property test)', () => {
    const text = 'stages:\n  - { run: cat, command: [sort], use: head }\nname: x\n';
    const options = { file: '/p/x.pipeline.yaml', host: fakeHost() };
    const keep = check(text, options)
      .problems.find((p) => p.code === 'conflicting-command')
      ?.fixes?.find((f) => f.title === 'Keep `run`');
    expect(keep?.edits).toHaveLength(1);
    const fixed = applyEdits(text, keep!.edits)!;
    expect(fixed).toBe('stages:\n  - { run: cat,  }\nname: x\n');
    expect(check(fixed, options).problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
