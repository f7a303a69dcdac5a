import type { Span } from './span';

/**
 * Where each character of a string value sits in the pipeline text, so that a problem with part
 * of a value (one group of a regex) is underlined there and a fix edits just that part. Handles
 * one-line plain, single-quoted and double-quoted scalars and any value found verbatim in its
 * source (a block scalar of one line); undefined otherwise, and the caller points at the whole value.
 * `offsets[i]` is where character `i` starts; `offsets[value.length]` is where the value ends.
 */
export function valueOffsets(text: string, span: Span, value: string): number[] | undefined {
  const source = text.slice(span.start, span.end);
  const quote = source[0];
  if (quote === "'" || quote === '"') {
    if (source.includes('\n')) return undefined; // folded lines: not one character per place
    const offsets: number[] = [];
    let i = 1;
    while (i < source.length - 1) {
      offsets.push(span.start + i);
      if (quote === "'") i += source[i] === "'" ? 2 : 1;
      else if (source[i] !== '\\') i++;
      else {
        const hex = { x: 2, u: 4, U: 8 }[source[i + 1] as 'x' | 'u' | 'U'] ?? 0;
        const units = hex === 8 ? String.fromCodePoint(parseInt(source.slice(i + 2, i + 10), 16) || 0).length : 1;
        for (let u = 1; u < units; u++) offsets.push(span.start + i);
        i += 2 + hex;
      }
    }
    offsets.push(span.start + i);
    return offsets.length === value.length + 1 ? offsets : undefined;
  }
  const at = source.indexOf(value);
  if (at < 0 || source.indexOf(value, at + 1) >= 0) return undefined;
  return Array.from({ length: value.length + 1 }, (_, i) => span.start + at + i);
}

/** The span of `value[from, to)` in the text, by `valueOffsets`. */
export function partSpan(offsets: readonly number[], from: number, to: number): Span {
  const last = offsets.length - 1;
  const start = offsets[Math.min(from, last)]!;
  return { start, end: Math.max(offsets[Math.min(to, last)]!, start) };
}
