// The text of a new pipeline file (Pipewright: New Pipeline): it checks clean and runs anywhere
// (only seq and built-in stages), and says in comments how to go on. No vscode here.
import { dslDocsUrl } from './docs-link';

export function pipelineTemplate(name: string): string {
  return `# A pipeline: stages joined by pipes, like a shell. Run it with ▶ Run pipeline above "stages:" (or Ctrl+F5).
# Reference: every key, built-in stage and problem code: ${dslDocsUrl}
name: ${name}
description: Squares of the even numbers up to 100, the first ten
stages:
  - name: numbers
    run: seq 1 100 # any shell command; its output lines are the records
  - name: as-records
    use: map # built-in stages: read, write, head, filter, map, pick, sample
    with: { expr: "({ n: r, square: r * r })" }
  - name: even
    use: filter
    with: { expr: "r.n % 2 === 0" }
  - name: first
    use: head
    with: { count: 10 }
`;
}

/** "My data!" → "my-data": a file and pipeline name. */
export function pipelineSlug(name: string): string {
  return (
    name
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'pipeline'
  );
}
