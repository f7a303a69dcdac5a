/** A half-open range of UTF-16 offsets into the pipeline text: [start, end). */
export interface Span {
  start: number;
  end: number;
}

export const emptySpan: Span = { start: 0, end: 0 };
