import { describe, expect, it } from 'vitest';
import { check, type Edit } from '../../../dsl';
import { addStageNameFix, defineVariableFix } from '../../../dsl/fixes';
import { fakeHost } from './fake-host';

function apply(text: string, edits: Edit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
}

/** Applies "Keep `keep`" of the first stage's conflicting-command problem. */
function keep(text: string, key: string): string | undefined {
  const { problems } = check(text, { host: fakeHost() });
  const fix = problems.find((p) => p.code === 'conflicting-command')?.fixes?.find((f) => f.title === `Keep \`${key}\``);
  return fix && apply(text, fix.edits);
}

describe('removeEntryEdit (through "Keep …")', () => {
  it('removes a whole line when the entry is alone on it (comment included)', () => {
    expect(keep('stages:\n  - run: cat\n    use: head # x\n    name: a\n', 'run')).toBe('stages:\n  - run: cat\n    name: a\n');
  });

  it('pulls the next entry up beside the dash, keeping CRLF lines intact', () => {
    expect(keep('stages:\r\n  - run: cat\r\n    use: head\r\n', 'use')).toBe('stages:\r\n  - use: head\r\n');
  });

  it('takes the comma with an entry of a flow mapping, first, middle or last', () => {
    expect(keep('stages:\n  - { run: cat, use: head }\n', 'use')).toBe('stages:\n  - { use: head }\n');
    expect(keep('stages:\n  - { run: cat, use: head }\n', 'run')).toBe('stages:\n  - { run: cat }\n');
    expect(keep('stages:\n  - { name: a, run: cat, use: head, workers: 2 }\n', 'use')).toBe('stages:\n  - { name: a, use: head, workers: 2 }\n');
  });

  it('offers no "Keep" that would remove a key brought in by a merge key', () => {
    const text = 'x-base: &base { run: cat }\nstages:\n  - <<: *base\n    command: [sort]\n';
    expect(keep(text, 'command')).toBeUndefined();
    expect(keep(text, 'run')).toBe('x-base: &base { run: cat }\nstages:\n  - <<: *base\n');
  });
});

describe('defineVariableFix', () => {
  const host = fakeHost();
  const fix = (text: string, name: string) => {
    const { parsed, pipeline } = check(text, { host });
    const f = defineVariableFix(parsed, pipeline, name);
    return f && apply(text, f.edits);
  };

  it('creates env above indented stages', () => {
    expect(fix('stages:\n  - command: [echo, "${A}"]\n', 'A')).toBe('env:\n  A: ""\nstages:\n  - command: [echo, "${A}"]\n');
  });

  it('adds to a block env after nested or multi-line values', () => {
    expect(fix('env:\n  B: |\n    two\n    lines\nstages:\n  - command: [echo, "${A}"]\n', 'A')).toBe(
      'env:\n  B: |\n    two\n    lines\n  A: ""\nstages:\n  - command: [echo, "${A}"]\n',
    );
  });

  it('gives up on an env that is not a mapping', () => {
    const { parsed, pipeline } = check('env: [a]\nstages:\n  - run: cat\n', { host });
    expect(defineVariableFix(parsed, pipeline, 'A')).toBeUndefined();
  });
});

describe('addStageNameFix', () => {
  it('names block and flow stages with the names they go by, and leaves named ones alone', () => {
    const text = 'stages:\n  - run: grep x\n  - { use: head }\n  - name: n\n    run: cat\n';
    const { parsed, pipeline } = check(text, { host: fakeHost() });
    const fixes = pipeline.stages.map((s) => addStageNameFix(parsed, s));
    expect(fixes[2]).toBeUndefined();
    expect(
      apply(
        text,
        fixes.flatMap((f) => f?.edits ?? []),
      ),
    ).toBe('stages:\n  - name: grep\n    run: grep x\n  - { name: head, use: head }\n  - name: n\n    run: cat\n');
  });
});

describe('quoting in edits', () => {
  it('quotes a derived name that YAML would read as another type, and names no scalar stage', () => {
    const text = 'stages:\n  - run: "false && x"\n  - { run: "null" }\n  - cat\n';
    const { parsed, pipeline } = check(text, { host: fakeHost() });
    const edits = pipeline.stages.flatMap((s) => addStageNameFix(parsed, s)?.edits ?? []);
    expect(apply(text, edits)).toBe('stages:\n  - name: "false"\n    run: "false && x"\n  - { name: "null", run: "null" }\n  - cat\n');
  });
});
