/**
 * Where in the pipeline structure a cursor is, read from indentation alone. Completion needs this
 * while the user is typing, when the YAML is often broken (`    wor` is not valid YAML), so it
 * cannot lean on the parsed document. Block style is understood; of flow collections only a
 * one-line `with: { … }` is (see completion.ts), elsewhere inside `{ … }` and `[ … ]` only
 * `${VAR}` completion applies.
 */

export interface LineInfo {
  /** Leading spaces. */
  indent: number;
  /** Blank, comment-only, or a document marker. */
  blank: boolean;
  /** Column of a leading `- `. */
  dash?: number;
  /** Key of a `key:` entry on this line (after the dash, if any), and its column. */
  key?: string;
  keyColumn?: number;
  /** The text after `key:`, trimmed, comments dropped ('' when the value is on the next lines). */
  value?: string;
  /** Column of the first character of the value, when there is one on this line. */
  valueColumn?: number;
}

/** Lines of a document as LineInfo, by index, each read when first asked for (see completion.ts). */
export interface Lines {
  readonly length: number;
  at(line: number): LineInfo | undefined;
  /**
   * A line's leading spaces, and whether a `- ` (or a `-` that ends the line) follows them: read from the line's first
   * characters, not the whole line, so that the many lines a search passes over cost little.
   */
  lead(line: number): { indent: number; dash: boolean };
}

const keyPattern = /^([A-Za-z_$][\w.$-]*|"[^"\n]*"|'[^'\n]*')[ \t]*:(?=[ \t]|$)/;

export function lineInfo(line: string): LineInfo {
  const indent = /^ */.exec(line)![0].length;
  const rest = line.slice(indent);
  if (rest === '' || /^\s*$/.test(rest) || rest.startsWith('#') || /^(---|\.\.\.)(\s|$)/.test(rest)) return { indent, blank: true };
  const info: LineInfo = { indent, blank: false };
  let column = indent;
  let body = rest;
  const dash = /^-( +|$)/.exec(body);
  if (dash) {
    info.dash = indent;
    column += dash[0].length;
    body = body.slice(dash[0].length);
  }
  const key = keyPattern.exec(body);
  if (key) {
    info.key = key[1]!.replace(/^["']|["']$/g, '');
    info.keyColumn = column;
    const after = body.slice(key[0].length);
    const lead = /^[ \t]*/.exec(after)![0].length;
    const value = after
      .slice(lead)
      .replace(/(^|\s)#.*$/, '')
      .trimEnd();
    info.value = value;
    if (value !== '') info.valueColumn = column + key[0].length + lead;
  }
  return info;
}

const space = 32;
/** What may follow the `-` of an item: a space or the end of the line (lineInfo's `^-( +|$)`). */
const afterDash = new Set([space, 10, 13, Number.NaN]);

/** `Lines.lead` of the line that starts at offset `start` of `text`, as lineInfo would read it. */
export function lineLead(text: string, start: number): { indent: number; dash: boolean } {
  let end = start;
  while (text.charCodeAt(end) === space) end++;
  return { indent: end - start, dash: text[end] === '-' && afterDash.has(text.charCodeAt(end + 1)) };
}

/** A step from the root to the cursor: a mapping key, or an item of a sequence. */
export type Segment = { kind: 'key'; key: string; line: number; column: number } | { kind: 'item'; line: number; column: number };

/**
 * Ancestors of whatever sits at `column` of line `line`, root first. With `asItem`, that thing is
 * a sequence item (a `- ` at `column`), whose parent key may be at the same column
 * (`stages:` followed by `- run: x` without indentation).
 */
export function ancestors(lines: Lines, line: number, column: number, asItem = false): Segment[] {
  const path: Segment[] = [];
  let limit = column;
  let itemMode = asItem;
  for (let l = line - 1; l >= 0; l--) {
    // A line right of `limit` (its key is further right still), or a sibling item once an item is found, changes nothing:
    // passed over unread, as are most of the hundreds of thousands of stages above one deep in a big file.
    const lead = lines.lead(l);
    if ((limit > 0 || itemMode) && (lead.indent > limit || (lead.dash && lead.indent === limit && (itemMode || path.length > 0)))) continue;
    const info = lines.at(l)!;
    if (info.blank) continue;
    if (info.key !== undefined && info.keyColumn !== undefined) {
      const k = info.keyColumn;
      if (k < limit || (itemMode && k === limit && info.value === '')) {
        path.push({ kind: 'key', key: info.key, line: l, column: k });
        limit = k;
        itemMode = false;
      }
    }
    if (info.dash !== undefined) {
      if (info.dash < limit) {
        path.push({ kind: 'item', line: l, column: info.dash });
        limit = info.dash;
        itemMode = true;
      } else if (info.dash === limit && !itemMode && path.length === 0) {
        // The cursor is level with sibling items: it is at a new item of the same sequence.
        itemMode = true;
      }
    } else if (info.key === undefined && info.indent < limit) {
      // A plain scalar or flow text less indented than us: not a structure we understand.
      break;
    }
    if (limit === 0 && !itemMode) break;
  }
  return path.reverse();
}

/** Keys (with their line) of the mapping whose entries start at `column`, within lines [from, to). */
export function keysAt(lines: Lines, from: number, to: number, column: number): Map<string, number> {
  const keys = new Map<string, number>();
  for (let l = from; l < to; l++) {
    // A key's column is at least its line's indent: a line indented further holds none at `column`.
    if (lines.lead(l).indent > column) continue;
    const info = lines.at(l)!;
    if (info.key !== undefined && info.keyColumn === column && !keys.has(info.key)) keys.set(info.key, l);
  }
  return keys;
}

/** End (exclusive) of the block that a line at `column` opens: the next non-blank line at or left of `column`. */
export function blockEnd(lines: Lines, line: number, column: number): number {
  for (let l = line + 1; l < lines.length; l++) {
    if (lines.lead(l).indent > column) continue;
    const info = lines.at(l)!;
    if (!info.blank && info.indent <= column) return l;
  }
  return lines.length;
}

/** Column of the entries of the mapping that an item (`- ` at `line`) holds. */
export function itemContentColumn(lines: Lines, line: number): number | undefined {
  const info = lines.at(line)!;
  if (info.keyColumn !== undefined) return info.keyColumn;
  for (let l = line + 1; l < lines.length; l++) {
    const next = lines.at(l)!;
    if (next.blank) continue;
    return next.indent > (info.dash ?? -1) ? next.indent : undefined;
  }
  return undefined;
}

/** Column of the entries of the block mapping under a `key:` line, or undefined when it has none yet. */
export function childColumn(lines: Lines, line: number): number | undefined {
  const parent = lines.at(line)!;
  for (let l = line + 1; l < lines.length; l++) {
    const next = lines.at(l)!;
    if (next.blank) continue;
    return next.indent > (parent.keyColumn ?? 0) ? (next.dash ?? next.keyColumn ?? next.indent) : undefined;
  }
  return undefined;
}

/** The path as plain names: keys, and `[]` for items. */
export function pathNames(path: readonly Segment[]): string[] {
  return path.map((s) => (s.kind === 'key' ? s.key : '[]'));
}
