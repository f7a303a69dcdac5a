import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Pipeline, Stage } from './model';
import type { Parsed } from './parse';
import { lineCol } from './positions';
import type { Edit, Fix } from './problems';
import { yamlScalar } from './yaml-text';
import { nodeSpan } from './yaml-nodes';

/**
 * Fixes that need the whole model rather than the one spot a problem is found at, computed here
 * so that every client (the language server, a future `pipewright fix`) makes the same edit.
 * Pure: text in, offsets out.
 */

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Column (from 0) of an offset, by the parser's line counter: the one offset→line/col helper. */
function columnOf(parsed: Parsed, offset: number): number {
  return lineCol(parsed.lineCounter, offset).col - 1;
}

function lineStartOf(parsed: Parsed, offset: number): number {
  return offset - columnOf(parsed, offset);
}

/** End of the line holding `offset`, before its line break. */
function lineEndOf(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** End of a node's own text, leaving out a line break that block nodes include at their end. */
function contentEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && (text[e - 1] === '\n' || text[e - 1] === '\r')) e--;
  return e;
}

/**
 * "Define `${NAME}` in env": adds `NAME: ""` to the pipeline's `env:` mapping (block or flow,
 * keeping its indentation), or creates `env:` just above `stages:`. Undefined when `env` holds
 * something other than a mapping.
 */
export function defineVariableFix(parsed: Parsed, pipeline: Pipeline, name: string): Fix | undefined {
  const { text } = parsed;
  const eol = eolOf(text);
  const entry = `${name}: ""`;
  const title = `Define \`${name}\` in the pipeline's env`;
  const root = parsed.doc.contents;
  const envPair = isMap(root) ? (root.items.find((p) => isScalar(p.key) && p.key.value === 'env') as Pair<Node, Node | null> | undefined) : undefined;

  if (!envPair) {
    const anchor = pipeline.stagesKeySpan?.start;
    if (anchor === undefined) {
      const prefix = text.length > 0 && !/[\r\n]$/.test(text) ? eol : '';
      return { title, edits: [{ start: text.length, end: text.length, newText: `${prefix}env:${eol}  ${entry}${eol}` }] };
    }
    // A byte order mark stays first in the file, and is no part of the indentation.
    const lineStart = lineStartOf(parsed, anchor);
    const start = lineStart === 0 && text.startsWith('\ufeff') ? 1 : lineStart;
    const indent = text.slice(start, anchor);
    return { title, edits: [{ start, end: start, newText: `${indent}env:${eol}${indent}  ${entry}${eol}` }] };
  }

  const keySpan = nodeSpan(envPair.key);
  const value = envPair.value;
  if (!keySpan) return undefined;
  if (value === null || (isScalar(value) && (value.value === null || value.value === ''))) {
    // `env:` with nothing after it: the entry goes on the next line, indented under `env`.
    const at = lineEndOf(text, keySpan.end);
    return { title, edits: [{ start: at, end: at, newText: `${eol}${' '.repeat(columnOf(parsed, keySpan.start) + 2)}${entry}` }] };
  }
  if (!isMap(value)) return undefined;
  const edit = appendEntryEdit(parsed, value, entry);
  return edit && { title, edits: [edit] };
}

/** An edit that adds `entry` (`key: value`) after the last entry of a mapping, flow or block, at its indentation. */
export function appendEntryEdit(parsed: Parsed, map: YAMLMap<unknown, unknown>, entry: string): Edit | undefined {
  const { text } = parsed;
  const span = nodeSpan(map);
  if (!span) return undefined;
  if (map.flow) {
    const last = map.items[map.items.length - 1];
    const lastEnd = last ? (nodeSpan(last.value as Node) ?? nodeSpan(last.key as Node))?.end : undefined;
    if (lastEnd === undefined) return { start: span.start, end: contentEnd(text, span.end), newText: `{ ${entry} }` };
    return { start: lastEnd, end: lastEnd, newText: `, ${entry}` };
  }
  const first = map.items[0];
  const last = map.items[map.items.length - 1];
  const firstKey = first && nodeSpan(first.key as Node);
  const lastEnd = last && (nodeSpan(last.value as Node) ?? nodeSpan(last.key as Node))?.end;
  if (!firstKey || lastEnd === undefined) return undefined;
  const at = lineEndOf(text, Math.max(contentEnd(text, lastEnd), firstKey.start));
  return { start: at, end: at, newText: `${eolOf(text)}${' '.repeat(columnOf(parsed, firstKey.start))}${entry}` };
}

/**
 * The mapping written at `stages[index]` itself: not through an alias (editing the anchor would
 * change every stage that uses it), and not a scalar such as `- cat`.
 */
export function ownStageMap(parsed: Parsed, index: number): YAMLMap<Node, Node | null> | undefined {
  const root = parsed.doc.contents;
  const stages = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === 'stages')?.value : undefined;
  const item = isSeq(stages) ? stages.items[index] : undefined;
  return isMap(item) ? (item as YAMLMap<Node, Node | null>) : undefined;
}

/** The entry `key` written in the mapping itself (not brought in by a `<<` merge). */
export function ownPair(map: YAMLMap<Node, Node | null>, key: string): Pair<Node, Node | null> | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

/**
 * "Name this stage": writes the name the stage already goes by (its built-in or program name,
 * made unique) as its first key, so that "Run to here", stats and logs keep showing it. The
 * name is quoted when YAML would read it as something else (`false`, `null`, …).
 */
export function addStageNameFix(parsed: Parsed, stage: Stage): Fix | undefined {
  const map = ownStageMap(parsed, stage.index);
  const span = map && nodeSpan(map);
  if (stage.named || stage.keys.name || !span || span.end <= span.start || !stage.name) return undefined;
  const { text } = parsed;
  const title = `Name this stage \`${stage.name}\``;
  const start = span.start;
  if (map.flow) {
    // Spaced as the mapping is: `{ run: cat }` gets `{ name: cat, run: cat }`, `{run: cat}` gets `{name: cat, run: cat}`.
    const padded = text[start + 1] === ' ';
    const entry = `name: ${yamlScalar(stage.name, true)},`;
    return { title, edits: [{ start: start + 1, end: start + 1, newText: padded ? ` ${entry}` : `${entry} ` }] };
  }
  const indent = ' '.repeat(columnOf(parsed, start));
  return { title, edits: [{ start, end: start, newText: `name: ${yamlScalar(stage.name)}${eolOf(text)}${indent}` }] };
}

/**
 * An edit that removes the entry `pair` of `map` without leaving a blank or dangling line or a
 * stray comma: in a flow mapping the entry goes with its comma; in a block mapping a whole line
 * goes when the entry is alone on it, and an entry right after `- ` pulls the next line's entry
 * up beside the dash.
 */
export function removeEntryEdit(parsed: Parsed, map: YAMLMap<Node, Node | null>, pair: Pair<Node, Node | null>): Edit | undefined {
  const { text } = parsed;
  const keySpan = nodeSpan(pair.key);
  if (!keySpan) return undefined;
  const start = keySpan.start;
  const end = contentEnd(text, nodeSpan(pair.value)?.end ?? keySpan.end);
  if (map.flow) {
    const i = map.items.indexOf(pair);
    const next = map.items[i + 1];
    const nextStart = next && nodeSpan(next.key)?.start;
    if (nextStart !== undefined) return { start, end: nextStart, newText: '' };
    const prev = map.items[i - 1];
    const prevEnd = prev && (nodeSpan(prev.value) ?? nodeSpan(prev.key))?.end;
    if (prevEnd === undefined) return { start, end, newText: '' };
    // The last entry with a trailing comma (`{ run: cat, use: head,  }`): the comma goes too, and the blanks
    // before `}` become the one the mapping had.
    const trailing = /^[ \t]*,([ \t]*)\}/.exec(text.slice(end));
    if (trailing) return { start: prevEnd, end: end + trailing[0].length - 1, newText: trailing[1] === '' ? '' : ' ' };
    return { start: prevEnd, end, newText: '' };
  }
  const lineStart = lineStartOf(parsed, start);
  const before = text.slice(lineStart, start);
  const lineEnd = lineEndOf(text, end);
  if (!/^\s*(#.*)?$/.test(text.slice(end, lineEnd))) return { start, end, newText: '' };
  const nextLine = lineEnd + (text.startsWith('\r\n', lineEnd) ? 2 : lineEnd < text.length ? 1 : 0);
  if (/^[ \t]*$/.test(before)) return { start: lineStart, end: nextLine, newText: '' };
  if (/^[ \t]*-[ \t]+$/.test(before)) {
    const indent = /^[ \t]*/.exec(text.slice(nextLine))![0].length;
    const nextEnd = lineEndOf(text, nextLine);
    // The next line continues the same mapping (same column as the removed key): move it up.
    if (nextLine < text.length && nextLine + indent < nextEnd && indent === start - lineStart) return { start, end: nextLine + indent, newText: '' };
  }
  return { start, end, newText: '' };
}

/**
 * Deletions that overlap or touch, joined into one (removing two neighbours of a flow mapping
 * takes the comma between them twice otherwise); undefined when a replacement overlaps another edit.
 */
export function joinDeletions(edits: readonly Edit[]): Edit[] | undefined {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Edit[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (!last || e.start > last.end) out.push({ ...e });
    else if (last.newText === '' && e.newText === '') last.end = Math.max(last.end, e.end);
    else if (e.start === last.end) out.push({ ...e });
    else return undefined;
  }
  return out;
}
