import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ancestors, blockEnd, keysAt, lineInfo, lineLead, pathNames, type Lines } from '../../../server/yaml-context';

/** The lines of `text` as completion reads them (server/completion.ts), with how many were read whole; `lead` as given. */
function linesOf(text: string, lead?: Lines['lead']): Lines & { read: Set<number> } {
  const all = text.split('\n');
  const starts = all.map((_, i) => all.slice(0, i).reduce((n, l) => n + l.length + 1, 0));
  const read = new Set<number>();
  return {
    read,
    length: all.length,
    at: (line) => {
      read.add(line);
      return all[line] === undefined ? undefined : lineInfo(all[line]);
    },
    lead: lead ?? ((line) => lineLead(text, starts[line]!)),
  };
}

function pathAt(text: string, line: number, column: number, asItem = false): string[] {
  return pathNames(ancestors(linesOf(text), line, column, asItem));
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

  it("reads a line's lead from its first characters as lineInfo reads the whole line", () => {
    const piece = fc.constantFrom(' ', '  ', '-', '- ', '-\t', '#', '---', '...', 'run:', 'name: x', '"k": 1', '\t', 'a', ':');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), fc.constantFrom('\n', '\r\n', ''), (pieces, eol) => {
        const line = pieces.join('');
        const info = lineInfo(line);
        expect(lineLead(`${line}${eol}${eol ? '- next' : ''}`, 0)).toEqual({ indent: info.indent, dash: info.dash !== undefined });
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the same ancestors passing over lines by their lead as reading every line', () => {
    const line = fc.tuple(
      fc.constantFrom('', ' ', '  ', '    ', '      '),
      fc.constantFrom('', '- ', '-'),
      fc.constantFrom('', 'stages:', 'run: x', 'with:', '# c', 'plain', 'k: v'),
    );
    const readEveryLine: Lines['lead'] = () => ({ indent: -1, dash: false });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), fc.nat(), fc.nat(8), fc.boolean(), (parts, at, column, asItem) => {
        const text = parts.map((p) => p.join('')).join('\n');
        const lineNo = at % parts.length;
        const fast = linesOf(text);
        const slow = linesOf(text, readEveryLine);
        expect(ancestors(fast, lineNo, column, asItem)).toEqual(ancestors(slow, lineNo, column, asItem));
        expect(keysAt(fast, 0, fast.length, column)).toEqual(keysAt(slow, 0, slow.length, column));
        expect(blockEnd(fast, lineNo, column)).toBe(blockEnd(slow, lineNo, column));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a few lines whole for a stage deep in a long list, not every stage above it', () => {
    let text = 'name: long\nenv:\n  A: 1\nstages:\n';
    for (let i = 0; i < 2000; i++) text += `  - name: s${i}\n    run: cat\n`;
    text += '  - name: last\n    use: pick\n';
    const lines = linesOf(text);
    const last = lines.length - 2;
    expect(pathNames(ancestors(lines, last, 4))).toEqual(['stages', '[]']);
    expect(blockEnd(lines, last - 3, 2)).toBe(last - 1);
    expect([...keysAt(lines, 0, lines.length, 0).keys()]).toEqual(['name', 'env', 'stages']);
    expect(lines.read.size).toBeLessThan(10);
  });
});
