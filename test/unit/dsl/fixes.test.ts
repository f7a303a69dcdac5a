import { describe, expect, it } from 'vitest';
import { check, type Edit } from '../../../dsl';
import { addStageNameFix, defineVariableFix, removeEntryEdit } from '../../../dsl/fixes';
import { fakeHost } from './fake-host';

function apply(text: string, edits: Edit[]): string {
  return [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
}

function entry(text: string, key: string): [number, number] {
  const start = text.indexOf(`${key}:`);
  const end = text.indexOf('\n', start);
  return [start, end < 0 ? text.length : end];
}

describe('removeEntryEdit', () => {
  it('removes a whole line when the entry is alone on it (comment included)', () => {
    const text = 'stages:\n  - run: cat\n    use: head # x\n    name: a\n';
    expect(apply(text, [removeEntryEdit(text, ...entry(text, 'use'))])).toBe('stages:\n  - run: cat\n    name: a\n');
  });

  it('pulls the next entry up beside the dash, keeping CRLF lines intact', () => {
    const text = 'stages:\r\n  - run: cat\r\n    use: head\r\n';
    const [start] = entry(text, 'run');
    expect(apply(text, [removeEntryEdit(text, start, start + 'run: cat'.length)])).toBe('stages:\r\n  - use: head\r\n');
  });

  it('only removes the entry itself inside a flow mapping or when the dash item has nothing after it', () => {
    const flow = 'stages:\n  - { run: cat, use: head }\n';
    const at = flow.indexOf('use');
    expect(removeEntryEdit(flow, at, at + 'use: head'.length)).toEqual({ start: at, end: at + 9, newText: '' });
    const last = 'stages:\n  - run: cat\n';
    const r = last.indexOf('run');
    expect(apply(last, [removeEntryEdit(last, r, r + 8)])).toBe('stages:\n  - \n');
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
    expect(fix('env:\n  B: |\n    two\n    lines\nstages:\n  - command: [echo, "${A}"]\n', 'A')).toBe('env:\n  B: |\n    two\n    lines\n  A: ""\nstages:\n  - command: [echo, "${A}"]\n');
  });

  it('gives up on an env that is not a mapping', () => {
    const { parsed, pipeline } = check('env: [a]\nstages:\n  - run: cat\n', { host });
    expect(defineVariableFix(parsed, pipeline, 'A')).toBeUndefined();
  });
});

describe('addStageNameFix', () => {
  it('names block and flow stages with the names they go by, and leaves named ones alone', () => {
    const text = 'stages:\n  - run: grep x\n  - { use: head }\n  - name: n\n    run: cat\n';
    const { pipeline } = check(text, { host: fakeHost() });
    const fixes = pipeline.stages.map((s) => addStageNameFix(text, s));
    expect(fixes[2]).toBeUndefined();
    expect(apply(text, fixes.flatMap((f) => f?.edits ?? []))).toBe('stages:\n  - name: grep\n    run: grep x\n  - { name: head, use: head }\n  - name: n\n    run: cat\n');
  });
});
