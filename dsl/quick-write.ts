import { isMap, isScalar, isSeq, Scalar, type Document, type Node, type Pair, type ToStringOptions } from 'yaml';
import { LazyMap } from './quick-nodes';

/**
 * Format Document's writer (dsl/format.ts). The `yaml` library writes a document at ~13 µs a stage whatever the stage:
 * 6–10 s for a generated pipeline of 20 MB. Here the list of stages is written by hand when every stage is a mapping of
 * the plain kind such files are made of (keys and simple values, flow lists and maps, nested mappings; no comments,
 * anchors or tags), and the rest of the document by the library; any other stage and the library writes it all. The
 * result is exactly the library's (test/unit/dsl/quick-write.test.ts compares the two on random documents), as
 * dsl/quick-read.ts is for reading.
 */
export const formatOptions: ToStringOptions = { lineWidth: 0, minContentWidth: 0, indent: 2 };

/** Not written here: the library writes this value its own way (or this writer does not know how). */
class Unwritable extends Error {}
const unwritable = (): never => {
  throw new Unwritable();
};

/**
 * A string written without quotes: only what plainly needs none (no indicators, `: `, ` #`, edge spaces; inside flow
 * brackets no `,[]{}`). One read as a string without quotes never looks like a number or `true` to the schema that read
 * it, which the library also asks.
 */
function plain(value: string, inFlow: boolean): string {
  const ok =
    /^(?:[A-Za-z0-9_./$]|-[^ ])[\x20-\x7e]*$/.test(value) &&
    !/: | #|[ :]$/.test(value) &&
    !(inFlow && /[[\]{},]/.test(value)) &&
    !value.startsWith('---') &&
    !value.startsWith('...');
  return ok ? value : unwritable();
}

/** A scalar as the library writes it with `formatOptions` (inside flow brackets: `inFlow`). */
function scalar(node: Scalar, inFlow: boolean): string {
  const { value, type, source } = node as Scalar & { source?: string };
  if (node.anchor || node.tag || node.comment || node.commentBefore || node.spaceBefore) unwritable();
  if (typeof value === 'string') {
    if (type === Scalar.PLAIN) return plain(value, inFlow);
    // Printable ASCII with nothing to escape: the quotes around it, as written.
    if (type === Scalar.QUOTE_DOUBLE && /^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value)) return `"${value}"`;
    if (type === Scalar.QUOTE_SINGLE && /^[\x20-\x7e]*$/.test(value) && !value.includes("'")) return `'${value}'`;
    return unwritable();
  }
  // Decimal integers and `true`/`false` written as they read (the library writes those from their source).
  if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0) && source === String(value)) return source;
  if (typeof value === 'boolean' && source === String(value)) return source;
  return unwritable();
}

/** A key: a plain string with nothing on it (over 1,024 characters the library writes it as `? key`). */
function key(node: unknown, inFlow: boolean): string {
  if (!isScalar(node) || typeof node.value !== 'string' || node.type !== Scalar.PLAIN || node.anchor || node.tag || node.comment || node.commentBefore)
    return unwritable();
  return node.value.length > 1024 ? unwritable() : plain(node.value, inFlow);
}

/** A flow list or map on one line: `[ a, b ]`, `{ k: v }`, `[]`. */
function flow(node: unknown): string {
  if (!(isSeq(node) || isMap(node)) || !node.flow || node.anchor || node.tag || node.comment || node.commentBefore || node.spaceBefore) return unwritable();
  const [open, close] = isSeq(node) ? ['[', ']'] : ['{', '}'];
  if (node.items.length === 0) return open + close;
  const parts = (node.items as unknown[]).map((item) => {
    if (isScalar(item)) return scalar(item, true);
    if (isSeq(item) || isMap(item)) return flow(item);
    const pair = item as Pair;
    if (!isMap(node) || (pair.key as Node | null)?.spaceBefore) return unwritable();
    return `${key(pair.key, true)}: ${inline(pair.value, true)}`;
  });
  return `${open} ${parts.join(', ')} ${close}`;
}

/** A value on the line of its key: a scalar or a flow collection. */
function inline(value: unknown, inFlow: boolean): string {
  return isScalar(value) ? scalar(value, inFlow) : flow(value);
}

/**
 * A block mapping whose lines after the first are indented by `indent`; nested mappings go two spaces deeper. A blank
 * line before it (`spaceBefore`) is its caller's to write.
 */
function blockMap(map: unknown, indent: string): string {
  if (!isMap(map) || map.flow || map.anchor || map.tag || map.comment || map.commentBefore || map.items.length === 0) return unwritable();
  const lines = map.items.map((pair) => {
    const written = `${key(pair.key, false)}:`;
    const value = pair.value;
    // A nested mapping with a blank line before it is laid out otherwise by the library.
    const nested = isMap(value) && !value.flow && !value.spaceBefore;
    const line = nested ? `${written}\n${indent}  ${blockMap(value, `${indent}  `)}` : `${written} ${inline(value, false)}`;
    return (pair.key as Scalar).spaceBefore ? `\n${line}` : line;
  });
  return joinLines(lines, indent);
}

/** Lines of a block collection as the library joins them: each after the first on a new line at `indent`; a blank one bare. */
function joinLines(lines: string[], indent: string): string {
  // A line that starts with a line break is one after a blank line (`spaceBefore`): the blank line has no indentation.
  let out = lines[0]!.startsWith('\n') ? lines[0]!.slice(1) : lines[0]!;
  if (out !== lines[0]) out = `\n${indent}${out}`;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    out += line.startsWith('\n') ? `\n\n${indent}${line.slice(1)}` : `\n${indent}${line}`;
  }
  return out;
}

/** The text of the top-level list of stages (after `stages:`), or undefined when the library must write it. */
function stagesText(stages: unknown): string | undefined {
  if (!isSeq(stages) || stages.flow || stages.anchor || stages.tag || stages.comment || stages.commentBefore || stages.spaceBefore) return undefined;
  if (stages.items.length === 0) return undefined;
  try {
    const items = stages.items.map((item) => {
      // A stage not read yet is read for this and let go of (dsl/quick-nodes.ts).
      const line = `- ${blockMap(item instanceof LazyMap ? item.peek() : item, '    ')}`;
      return (item as Node).spaceBefore ? `\n${line}` : line;
    });
    return joinLines(items, '  ');
  } catch (e) {
    if (e instanceof Unwritable) return undefined;
    throw e;
  }
}

/** What the library writes in place of the stages while it writes the rest (found once, or the library writes it all). */
const stand = 'pipewright-stages-written-apart';

/**
 * `doc.toString(formatOptions)` with the list of stages written here, or undefined when the library must write it all
 * (see above).
 */
export function quickWrite(doc: Document): string | undefined {
  const root = doc.contents;
  const pair = isMap(root) && !root.flow ? root.items.find((p) => isScalar(p.key) && p.key.value === 'stages' && !p.key.comment) : undefined;
  const stages = pair && stagesText(pair.value);
  if (!pair || stages === undefined) return undefined;
  const seq = pair.value;
  pair.value = new Scalar(stand);
  let written: string;
  try {
    written = doc.toString(formatOptions);
  } finally {
    pair.value = seq;
  }
  const at = written.indexOf(`: ${stand}`);
  if (at < 0 || written.indexOf(stand, at + 2 + stand.length) >= 0) return undefined;
  return `${written.slice(0, at)}:\n  ${stages}${written.slice(at + 2 + stand.length)}`;
}

/** `doc.toString(formatOptions)`, the stages written by `quickWrite` when it can. */
export function writeDocument(doc: Document): string {
  return quickWrite(doc) ?? doc.toString(formatOptions);
}
