// `pipewright graph` draws what `input:` says, with a run's counts; `pipewright run` runs the graph,
// or one branch of it with --to (that stage and the stages it reads from).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipewright, repoRoot } from './cli';

const file = 'test/fixtures/engine/graph.pipeline.yaml';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-graph-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('pipewright graph', () => {
  it('prints, for a terminal, a line per stage with the stages that read it, the last feeding the output', () => {
    const r = pipewright(['graph', file]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        'graph: 6 stages',
        '  read           → failing, slow',
        '  failing        → failing-paths',
        '  failing-paths  → both',
        '  slow           → slow-paths',
        '  slow-paths     → both',
        '  both           → (output)',
        '',
      ].join('\n'),
    );
  });

  it('prints a mermaid flowchart of every edge with --format mermaid', () => {
    const r = pipewright(['graph', '--format', 'mermaid', file]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        'flowchart LR',
        '  s0["read"]',
        '  s1["failing"]',
        '  s2["failing-paths"]',
        '  s3["slow"]',
        '  s4["slow-paths"]',
        '  s5["both"]',
        '  out(["output"])',
        '  s0 --> s1',
        '  s1 --> s2',
        '  s0 --> s3',
        '  s3 --> s4',
        '  s2 --> s5',
        '  s4 --> s5',
        '  s5 --> out',
        '',
      ].join('\n'),
    );
  });

  it("prints JSON with each stage's inputs and readers", () => {
    const r = pipewright(['graph', '--format', 'json', file]);
    const g = JSON.parse(r.stdout) as { stages: { name: string; inputs: string[]; readers: string[] }[] };
    expect(g.stages.find((s) => s.name === 'read')).toEqual({ name: 'read', inputs: [], readers: ['failing', 'slow'] });
    expect(g.stages.find((s) => s.name === 'both')).toEqual({ name: 'both', inputs: ['failing-paths', 'slow-paths'], readers: [] });
  });

  it('labels an edge of one record "1 record", in every format', () => {
    const one = path.join(dir, 'one.pipeline.yaml');
    const stats = path.join(dir, 'one.json');
    fs.writeFileSync(one, 'stages:\n  - { name: a, run: echo x }\n  - { name: b, run: cat }\n');
    expect(pipewright(['run', '-q', '--stats-json', stats, one]).code).toBe(0);
    const graph = (format: string) => pipewright(['graph', '--format', format, '--stats-json', stats, one]).stdout;
    expect(graph('mermaid')).toContain('s0 -->|"1 record"| s1');
    expect(graph('dot')).toContain('"a" -> "b" [label="1 record"];');
    expect(graph('text')).toContain('  a  → b [1 record, 2 B]');
  });

  it('refuses a file with errors (exit 2) and an unknown format (usage, exit 2)', () => {
    const bad = pipewright(['graph', 'test/fixtures/dsl/inputs.pipeline.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown-input/);
    expect(bad.stdout).toBe('');
    const usage = pipewright(['graph', '--format', 'png', file]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--format is one of text, mermaid, dot, json/);
  });
});

describe('pipewright run on a graph', () => {
  it('runs the whole graph: the fan-in stage sees both branches, as bash with tee and process substitution', () => {
    const stats = path.join(dir, 'all.json');
    const r = pipewright(['run', '--quiet', '--stats-json', stats, file]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    // The process substitution holds the pipe to `cat` on its stderr: `cat` ends when it has ended.
    const script =
      '{ cat data/access.ndjson | tee >(jq -c \'select(.status >= 500)\' | jq -r .path > "$0/a") | jq -c \'select(.ms > 1000)\' | jq -r .path > "$0/b"; } 2>&1 | cat;' +
      ' sort "$0/a" "$0/b" | uniq -c | sort -rn';
    const bash = execFileSync('bash', ['-c', script, dir], { cwd: path.join(repoRoot, 'examples'), encoding: 'utf8' });
    expect(r.stdout).toBe(bash);
    const mermaid = pipewright(['graph', '--format', 'mermaid', '--stats-json', stats, file]).stdout;
    expect(mermaid).toContain('s0 -->|"400 records"| s1');
    expect(mermaid).toContain('s0 -->|"400 records"| s3');
    expect(pipewright(['graph', '--stats-json', stats, file]).stdout).toMatch(
      /^ {2}read +→ failing \[400 records, [\d.]+ KiB\], slow \[400 records, [\d.]+ KiB\]$/m,
    );
  });

  it('runs workers in a graph, and peeks at a stage whose output fans out', () => {
    const graphFile = path.join(dir, 'workers.pipeline.yaml');
    fs.writeFileSync(graphFile, 'stages:\n  - { name: a, run: seq 3 }\n  - { name: b, run: cat, workers: 2 }\n  - { name: c, run: sort -n, input: [a, b] }\n');
    const r = pipewright(['run', '--quiet', '--peek', 'a', graphFile]);
    expect([r.code, r.stdout]).toEqual([0, '1\n1\n2\n2\n3\n3\n']);
    expect(r.stderr).toMatch(/peek `a`: 3 records \(6 B\) written; the last 3:\n {2}1\n {2}2\n {2}3/);
  });

  it('--to runs that stage and the stages it reads from, byte for byte as bash, and graph draws its counts', () => {
    const stats = path.join(dir, 'slow.json');
    const r = pipewright(['run', '--quiet', '--to', 'slow-paths', '--stats-json', stats, file]);
    expect(r.code).toBe(0);
    const bash = execFileSync('bash', ['-c', "cat data/access.ndjson | jq -c 'select(.ms > 1000)' | jq -r .path"], {
      cwd: path.join(repoRoot, 'examples'),
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(bash);
    const json = JSON.parse(fs.readFileSync(stats, 'utf8')) as { stages: { name: string }[] };
    expect(json.stages.map((s) => s.name)).toEqual(['read', 'slow', 'slow-paths']);
    const lines = bash.split('\n').length - 1;
    const dot = pipewright(['graph', '--format', 'dot', '--stats-json', stats, file]);
    expect(dot.stdout).toContain('"read" -> "slow" [label="400 records"];');
    expect(dot.stdout).toContain(`"slow-paths" -> "(output)" [label="${lines} records"];`);
    expect(dot.stdout).toContain('"read" -> "failing";'); // not run: no count
  });

  it('runs the examples: fan-out keeps every record in its file and counts the failing ones, as bash', () => {
    const r = pipewright(['run', '--quiet', 'examples/fan-out.pipeline.yaml']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const examples = path.join(repoRoot, 'examples');
    const bash = execFileSync('bash', ['-c', "jq -c 'select(.status >= 500)' data/access.ndjson | jq -r .path | sort | uniq -c | sort -rn"], {
      cwd: examples,
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(bash);
    expect(fs.readFileSync(path.join(examples, 'out/requests.ndjson'), 'utf8')).toBe(fs.readFileSync(path.join(examples, 'data/access.ndjson'), 'utf8'));
    const fanIn = pipewright(['run', '--quiet', 'examples/fan-in.pipeline.yaml']);
    expect(fanIn.code).toBe(0);
    const counts = fanIn.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; count: number });
    const total = (kind: string) => counts.filter((c) => c.kind === kind).reduce((n, c) => n + c.count, 0);
    expect([total('failing'), total('slow')]).toEqual([109, 170]);
  });
});
