import type { LineCounter } from 'yaml';

/** 1-based line and column (in UTF-16 units) of a text offset. */
export interface LineCol {
  line: number;
  col: number;
}

/**
 * The one place in dsl/ where offsets become lines and columns: from the yaml parser's own
 * LineCounter, filled while parsing. The CLI reports with it and dsl/fixes.ts indents with it;
 * the language server converts offsets with `TextDocument` instead (LSP's line rules).
 */
export function lineCol(lineCounter: LineCounter, offset: number): LineCol {
  return lineCounter.linePos(offset);
}
