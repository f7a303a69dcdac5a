import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './harness';

export const dslFixtureDir = path.join(repoRoot, 'test/fixtures/dsl');

export interface Fixture {
  name: string;
  file: string;
  uri: string;
  text: string;
  /** Sorted `line code` strings (1-based lines) from the `# want:` markers. */
  want: string[];
}

/** `# want: code[, code]` on the offending line, or `# want@N: code` for line N (as the dsl golden test reads them). */
export function wantedProblems(text: string): string[] {
  const want: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const m of line.matchAll(/# want(?:@(\d+))?: ([a-z-]+(?:, *[a-z-]+)*)/g)) {
      const at = m[1] ? Number(m[1]) : i + 1;
      for (const code of m[2]!.split(/, */)) want.push(`${at} ${code}`);
    }
  });
  return want.sort();
}

export function dslFixtures(): Fixture[] {
  return fs
    .readdirSync(dslFixtureDir)
    .filter((f) => f.endsWith('.pipeline.yaml'))
    .sort()
    .map((name) => {
      const file = path.join(dslFixtureDir, name);
      const text = fs.readFileSync(file, 'utf8');
      return { name, file, uri: pathToFileURL(file).href, text, want: wantedProblems(text) };
    });
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') continue;
    if (text[i] === '\n' || text[i] === '\r') lineStarts.push(i + 1);
  }
  const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
