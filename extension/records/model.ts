// Records as a table: each line of a run's output parsed (JSON objects flattened to dotted
// columns, other JSON values in one value column, non-JSON lines in one text column), column
// types inferred from the records, search and sort. Pure: the records webview and the save-as-CSV
// writer use it, and it is unit-tested without an editor.

/** A cell: a JSON scalar, or an array (shown and saved as JSON text). */
export type CellValue = string | number | boolean | null | unknown[];

export type ColumnType = 'number' | 'string' | 'boolean' | 'null' | 'array' | 'mixed' | 'text';

export interface RecordRow {
  /** The record's number in its run's output, from 1. */
  n: number;
  /** The line as the stage wrote it (what "copy as JSON" copies for a JSON record). */
  line: string;
  cells: Record<string, CellValue>;
}

export interface Column {
  key: string;
  type: ColumnType;
}

/** Where a line that is not JSON goes, and a JSON value that is not an object (`42`, `"x"`, `[1]`). */
export const textColumn = '(text)';
export const valueColumn = '(value)';

/** Nested objects become dotted keys (`address.city`); arrays stay one cell. Deeper than `maxDepth`, the rest stays JSON text. */
export function flatten(value: Record<string, unknown>, out: Record<string, CellValue> = {}, prefix = '', depth = 0, maxDepth = 8): Record<string, CellValue> {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (depth < maxDepth && Object.keys(v).length > 0) flatten(v as Record<string, unknown>, out, key, depth + 1, maxDepth);
      else out[key] = JSON.stringify(v);
    } else out[key] = v as CellValue;
  }
  return out;
}

export function parseRecord(line: string, n: number): RecordRow {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { n, line, cells: { [textColumn]: line } };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { n, line, cells: flatten(value as Record<string, unknown>) };
  return { n, line, cells: { [valueColumn]: value as CellValue } };
}

export function typeOf(v: CellValue): Exclude<ColumnType, 'mixed' | 'text'> {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as 'number' | 'string' | 'boolean';
}

/** Columns in order of first appearance; a column's type is its values' type (nulls fit any), else `mixed`. */
export function inferColumns(rows: readonly RecordRow[]): Column[] {
  const types = new Map<string, ColumnType>();
  for (const r of rows) {
    for (const [key, v] of Object.entries(r.cells)) {
      const t: ColumnType = key === textColumn ? 'text' : typeOf(v);
      const known = types.get(key);
      if (known === undefined || known === 'null') types.set(key, t);
      else if (t !== 'null' && t !== known) types.set(key, 'mixed');
    }
  }
  return [...types].map(([key, type]) => ({ key, type }));
}

export function cellText(v: CellValue | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

/**
 * Whether the search box holds an expression in `use: filter`'s language (`r.status >= 500 &&
 * r.ms > 1000`) rather than words: it reads a field of the record `r`.
 */
export function isExpression(query: string): boolean {
  return /(^|[^\w$.])r\s*(\?\.|\.|\[)/.test(query);
}

/**
 * Whether a row matches every word of `query` (case-insensitive): `word` anywhere in a row's
 * cells, `column:word` in that column only (the column name may be dotted).
 */
export function wordMatcher(query: string): (r: RecordRow) => boolean {
  const terms = query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => {
      const m = /^([^:]+):(.*)$/.exec(t);
      return m ? { column: m[1]!, text: m[2]! } : { text: t };
    });
  return (r) =>
    terms.every((t) => {
      if (t.column !== undefined) {
        const key = Object.keys(r.cells).find((k) => k.toLowerCase() === t.column);
        return key !== undefined && cellText(r.cells[key]).toLowerCase().includes(t.text);
      }
      return Object.values(r.cells).some((v) => cellText(v).toLowerCase().includes(t.text));
    });
}

/** Rows matching every word of `query` (see wordMatcher). */
export function filterRows(rows: readonly RecordRow[], query: string): RecordRow[] {
  return rows.filter(wordMatcher(query));
}

const typeRank = { boolean: 0, number: 1, string: 2, array: 3, null: 4 } as const;

/** Sorted by one column (numbers as numbers, then by kind); rows without the column last either way; ties keep record order. */
export function sortRows(rows: readonly RecordRow[], key: string, descending: boolean): RecordRow[] {
  return [...rows].sort((a, b) => {
    const x = a.cells[key];
    const y = b.cells[key];
    if (x === undefined || y === undefined) return x === y ? a.n - b.n : x === undefined ? 1 : -1;
    const tx = typeOf(x);
    const ty = typeOf(y);
    let c = typeRank[tx] - typeRank[ty];
    if (c === 0 && tx === 'number') c = (x as number) - (y as number);
    else if (c === 0 && tx === 'boolean') c = Number(x) - Number(y);
    else if (c === 0) c = cellText(x).localeCompare(cellText(y));
    return (descending ? -c : c) || a.n - b.n;
  });
}

/** A row as one line of JSON: the record as written, or a JSON string for a text line. */
export function rowJson(r: RecordRow): string {
  return r.cells[textColumn] !== undefined ? JSON.stringify(r.line) : r.line;
}
