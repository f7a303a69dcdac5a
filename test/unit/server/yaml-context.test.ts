import { describe, expect, it } from 'vitest';
import { ancestors, lineInfo, pathNames } from '../../../server/yaml-context';

function pathAt(text: string, line: number, column: number, asItem = false): string[] {
  return pathNames(ancestors(text.split('\n').map(lineInfo), line, column, asItem));
}

describe('yaml-context (structure from indentation, for broken YAML)', () => {
  it('reads keys, dashes, values and comments of a line', () => {
    expect(lineInfo('  - name: x # c')).toEqual({ indent: 2, blank: false, dash: 2, key: 'name', keyColumn: 4, value: 'x', valueColumn: 10 });
    expect(lineInfo('    "quoted key": 1')).toMatchObject({ key: 'quoted key', keyColumn: 4, value: '1' });
    expect(lineInfo('  # only a comment').blank).toBe(true);
    expect(lineInfo('---').blank).toBe(true);
    expect(lineInfo('    run: a:b')).toMatchObject({ key: 'run', value: 'a:b' });
    expect(lineInfo('    http://x').key).toBeUndefined();
  });

  it('finds the ancestors of a position, through items and nested keys', () => {
    const text = 'name: x\nstages:\n  - use: read\n    with:\n      path: a\n      \n  - run: cat\n    \n';
    expect(pathAt(text, 1, 0)).toEqual([]);
    expect(pathAt(text, 5, 6)).toEqual(['stages', '[]', 'with']);
    expect(pathAt(text, 7, 4)).toEqual(['stages', '[]']);
    expect(pathAt(text, 7, 2)).toEqual(['stages']);
  });

  it('understands a sequence level with its key (`stages:` then `- run` at column 0)', () => {
    const text = 'stages:\n- run: cat\n  workers: 2\n  \n';
    expect(pathAt(text, 3, 2)).toEqual(['stages', '[]']);
    expect(pathAt(text, 3, 0, true)).toEqual(['stages']);
  });

  it('skips blank lines, comments and deeper blocks on the way up', () => {
    const text = 'stages:\n  - run: |\n      echo one\n      echo two\n\n    # note\n    \n';
    expect(pathAt(text, 6, 4)).toEqual(['stages', '[]']);
  });
});
