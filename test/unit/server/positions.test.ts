import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { PositionMap } from '../../../server/positions';

describe('PositionMap (offsets <-> LSP positions)', () => {
  it('counts lines at \\n, \\r\\n and a lone \\r, characters in UTF-16 units', () => {
    const map = new PositionMap('a\r\nb\rc\n😀x');
    expect(map.position(0)).toEqual({ line: 0, character: 0 });
    expect(map.position(3)).toEqual({ line: 1, character: 0 });
    expect(map.position(5)).toEqual({ line: 2, character: 0 });
    expect(map.position(9)).toEqual({ line: 3, character: 2 }); // after the surrogate pair
    expect(map.lineText(0)).toBe('a');
    expect(map.lineText(3)).toBe('😀x');
    expect(map.lineCount).toBe(4);
  });

  it('clamps positions past a line end or the text, and offsets outside the text', () => {
    const map = new PositionMap('ab\ncd\n');
    expect(map.offset({ line: 0, character: 99 })).toBe(2);
    expect(map.offset({ line: 99, character: 0 })).toBe(6);
    expect(map.offset({ line: -1, character: 0 })).toBe(0);
    expect(map.position(-5)).toEqual({ line: 0, character: 0 });
    expect(map.position(99)).toEqual({ line: 2, character: 0 });
  });

  it('agrees with vscode-languageserver-textdocument on any text', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '\r\n', '😀', 'é', '-', ':') });
    fc.assert(
      fc.property(text, fc.nat(), (t, n) => {
        const map = new PositionMap(t);
        const doc = TextDocument.create('untitled:x', 'yaml', 1, t);
        const offset = t.length === 0 ? 0 : n % (t.length + 1);
        // textdocument never splits \r\n; compare only at offsets that are not inside one.
        if (t[offset - 1] === '\r' && t[offset] === '\n') return;
        expect(map.position(offset)).toEqual(doc.positionAt(offset));
        expect(map.offset(doc.positionAt(offset))).toBe(offset);
      }),
      { numRuns: 500 },
    );
  });
});
