import { isDeepStrictEqual } from 'node:util';
import type { Edit } from './problems';
import { parse, type Parsed } from './parse';
import { writeDocument } from './quick-write';

/**
 * Formatting: the yaml library writes the document back (comments, anchors, aliases, quoting
 * styles and blank lines kept; two-space indentation; no line folding; the plain stages of a big
 * file written as it would, faster: dsl/quick-write.ts), and the result is kept
 * only where it changed nothing but whitespace and reads back as the same data. The edits are
 * those whitespace differences (but padding inside `[ ]` and `{ }` is the author's), each one small, so a range format can take the ones inside it.
 * Undefined when the YAML is broken or the writer would change more than whitespace.
 */
export function formatEdits(parsed: Parsed): Edit[] | undefined {
  if (parsed.problems.some((p) => p.code === 'yaml-syntax' || p.code === 'duplicate-key' || p.code === 'multiple-documents')) return undefined;
  const { text } = parsed;
  let written: string;
  try {
    written = writeDocument(parsed.doc);
  } catch {
    return undefined;
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (eol !== '\n') written = written.replace(/\n/g, eol);
  if (text.startsWith('\uFEFF')) written = `\uFEFF${written}`;
  // Padding inside one-line brackets is left as written: files mix `{ a: 1 }` with `[a, b]`.
  const edits = whitespaceEdits(text, written)?.filter(
    (e) => !(/^[ \t]*$/.test(text.slice(e.start, e.end) + e.newText) && (/[[{]/.test(text[e.start - 1] ?? '') || /[\]}]/.test(text[e.end] ?? ''))),
  );
  if (edits === undefined) return undefined;
  // Nothing to change: no need to read the written text back (a whole parse of a big file).
  if (edits.length === 0) return edits;
  const after = parse(written);
  return after.problems.length === 0 && isDeepStrictEqual(after.data, parsed.data) ? edits : undefined;
}

/** Space, tab, LF, CR (NaN past the end is none of them). */
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * One whitespace run made into another: an edit per line when both have the same line breaks (trailing blanks
 * and the next line's indentation are separate edits, so a range format takes the ones on its own lines), else one.
 */
function lineEdits(before: string, after: string): Edit[] {
  // Spaces within a line (a big file's `[a, b]` padding): the one edit the split below gives, without splitting.
  if (!/[\r\n]/.test(before) && !/[\r\n]/.test(after)) return [{ start: 0, end: before.length, newText: after }];
  const a = before.split(/(\r?\n|\r)/);
  const b = after.split(/(\r?\n|\r)/);
  if (a.length !== b.length || a.some((part, k) => k % 2 === 1 && part !== b[k])) return [{ start: 0, end: before.length, newText: after }];
  const edits: Edit[] = [];
  let at = 0;
  a.forEach((part, k) => {
    if (part !== b[k]) edits.push({ start: at, end: at + part.length, newText: b[k]! });
    at += part.length;
  });
  return edits;
}

/**
 * The whitespace runs that differ between two texts with the same non-whitespace characters; undefined when those differ.
 * Compared character by character, a run sliced only where it differs: a 20 MB file has millions of runs.
 */
export function whitespaceEdits(before: string, after: string): Edit[] | undefined {
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  for (;;) {
    const i0 = i;
    const j0 = j;
    while (isSpace(before.charCodeAt(i))) i++;
    while (isSpace(after.charCodeAt(j))) j++;
    let same = i - i0 === j - j0;
    for (let k = 0; same && k < i - i0; k++) same = before.charCodeAt(i0 + k) === after.charCodeAt(j0 + k);
    if (!same) for (const e of lineEdits(before.slice(i0, i), after.slice(j0, j))) edits.push({ ...e, start: i0 + e.start, end: i0 + e.end });
    if (i >= before.length || j >= after.length) return i >= before.length && j >= after.length ? edits : undefined;
    if (before.charCodeAt(i) !== after.charCodeAt(j)) return undefined;
    i++;
    j++;
  }
}
