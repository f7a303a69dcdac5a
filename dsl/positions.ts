import type { LineCounter } from 'yaml';

/** 1-based line and column (in UTF-16 units) of a text offset. */
export interface LineCol {
  line: number;
  col: number;
}

/** The one place offsets become lines and columns; adapters convert to their own base. */
export function lineCol(lineCounter: LineCounter, offset: number): LineCol {
  return lineCounter.linePos(offset);
}
