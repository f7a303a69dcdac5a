// Problem links that land on the right section in an editor: a `file:` link to docs/dsl.md
// opens it as text, where a markdown anchor means nothing but a line fragment (`#L270`, which
// VS Code's link opener understands) does. Reads the docs file once; never runs anything.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, Map<string, number> | undefined>();

/** The 1-based line of each `<a id="…">` in the file at `docsUrl` (a file: URL), or undefined when it cannot be read. */
function anchorLines(docsUrl: string): Map<string, number> | undefined {
  if (cache.has(docsUrl)) return cache.get(docsUrl);
  let lines: Map<string, number> | undefined;
  try {
    const text = fs.readFileSync(fileURLToPath(docsUrl), 'utf8');
    lines = new Map();
    text.split('\n').forEach((line, i) => {
      const id = /<a id="([^"]+)"><\/a>/.exec(line)?.[1];
      if (id) lines!.set(id, i + 2); // the heading under the anchor
    });
  } catch {
    lines = undefined;
  }
  cache.set(docsUrl, lines);
  return lines;
}

/** `#L<line>` for an anchor of a local docs file, else `#<anchor>` (a web page's own anchors work). */
export function docsFragment(docsUrl: string, anchor: string): string {
  const line = docsUrl.startsWith('file:') ? anchorLines(docsUrl)?.get(anchor) : undefined;
  return line !== undefined ? `L${line}` : anchor;
}
