import { isMap, isScalar, type Node, type Pair } from 'yaml';
import type { Pipeline, Stage } from './model';
import type { Parsed } from './parse';
import type { Edit, Fix } from './problems';
import { nodeSpan } from './yaml-nodes';

/**
 * Fixes that need the whole model rather than the one spot a problem is found at, computed here
 * so that every client (the language server, a future `pipewright fix`) makes the same edit.
 * Pure: text in, offsets out.
 */

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lineStartOf(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
}

/** End of the line holding `offset`, before its line break. */
function lineEndOf(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
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
    const start = lineStartOf(text, anchor);
    const indent = text.slice(start, anchor);
    return { title, edits: [{ start, end: start, newText: `${indent}env:${eol}${indent}  ${entry}${eol}` }] };
  }

  const keySpan = nodeSpan(envPair.key as Node);
  const value = envPair.value;
  if (!keySpan) return undefined;
  if (value === null || (isScalar(value) && (value.value === null || value.value === ''))) {
    // `env:` with nothing after it: the entry goes on the next line, indented under `env`.
    const at = lineEndOf(text, keySpan.end);
    return { title, edits: [{ start: at, end: at, newText: `${eol}${' '.repeat(columnOf(text, keySpan.start) + 2)}${entry}` }] };
  }
  if (!isMap(value)) return undefined;
  const span = nodeSpan(value);
  if (!span) return undefined;
  if (value.flow) {
    const last = value.items[value.items.length - 1];
    const lastEnd = last ? (nodeSpan(last.value as Node) ?? nodeSpan(last.key as Node))?.end : undefined;
    if (lastEnd === undefined) return { title, edits: [{ start: span.start, end: contentEnd(text, span.end), newText: `{ ${entry} }` }] };
    return { title, edits: [{ start: lastEnd, end: lastEnd, newText: `, ${entry}` }] };
  }
  const first = value.items[0];
  const last = value.items[value.items.length - 1];
  const firstKey = first && nodeSpan(first.key as Node);
  const lastEnd = last && (nodeSpan(last.value as Node) ?? nodeSpan(last.key as Node))?.end;
  if (!firstKey || lastEnd === undefined) return undefined;
  const at = lineEndOf(text, Math.max(contentEnd(text, lastEnd), firstKey.start));
  return { title, edits: [{ start: at, end: at, newText: `${eol}${' '.repeat(columnOf(text, firstKey.start))}${entry}` }] };
}

/**
 * "Name this stage": writes the name the stage already goes by (its built-in or program name,
 * made unique) as its first key, so that "Run to here", stats and logs keep showing it.
 */
export function addStageNameFix(text: string, stage: Stage): Fix | undefined {
  if (stage.named || stage.keys.name || stage.span.end <= stage.span.start || !stage.name) return undefined;
  const title = `Name this stage \`${stage.name}\``;
  const start = stage.span.start;
  if (text[start] === '{') return { title, edits: [{ start: start + 1, end: start + 1, newText: ` name: ${stage.name},` }] };
  const indent = ' '.repeat(columnOf(text, start));
  return { title, edits: [{ start, end: start, newText: `name: ${stage.name}${eolOf(text)}${indent}` }] };
}

/**
 * An edit that removes a `key: value` entry spanning [start, end) without leaving a blank or
 * dangling line: a whole line goes when the entry is alone on it; an entry right after `- ` pulls
 * the next line's entry up beside the dash.
 */
export function removeEntryEdit(text: string, start: number, end: number): Edit {
  const lineStart = lineStartOf(text, start);
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
