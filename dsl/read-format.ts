/**
 * What `read` assumes a file holds, shared by the checker (a warning in the editor) and the
 * built-in (a clear failure at run time), so the two never disagree.
 */

export type ReadFormat = 'ndjson' | 'json' | 'csv' | 'tsv' | 'lines';

/** The format a file's extension implies: `.json`, `.csv`, `.tsv`; anything else is NDJSON. */
export function formatOf(file: string): ReadFormat {
  const dot = file.lastIndexOf('.');
  const ext = dot > file.lastIndexOf('/') + 1 ? file.slice(dot).toLowerCase() : '';
  return ext === '.json' ? 'json' : ext === '.csv' ? 'csv' : ext === '.tsv' ? 'tsv' : 'ndjson';
}

/** How many bytes of a file are looked at to tell whether it is NDJSON. */
export const sniffBytes = 4096;

/**
 * The first record line of `head` (the start of a file, decoded; `whole` when it is the whole
 * file) when it is not JSON, else undefined. Blank lines are skipped; a line cut off at the end
 * of `head` is judged by how it starts. One line decides, so `read` stays as fast as `cat`.
 */
export function firstNonJsonLine(head: string, whole: boolean): { line: string; number: number } | undefined {
  const lines = head.replace(/^\uFEFF/, '').split('\n');
  const complete = whole ? lines.length : lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (i < complete) {
      try {
        JSON.parse(line);
        return undefined;
      } catch {
        return { line, number: i + 1 };
      }
    }
    return /^\s*(?:[[{"\d-]|true|false|null)/.test(line) ? undefined : { line, number: i + 1 };
  }
  return undefined;
}
