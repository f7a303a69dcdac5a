// `pipewright graph` draws what `input:` says; `pipewright run` refuses a graph before anything
// starts and runs one branch of it with --to (that stage and the stages it reads from).
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
  it('prints a mermaid flowchart of every edge, the last stage feeding the output', () => {
    const r = pipewright(['graph', file]);
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

  it('refuses a file with errors (exit 2) and an unknown format (usage, exit 2)', () => {
    const bad = pipewright(['graph', 'test/fixtures/dsl/inputs.pipeline.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown-input/);
    expect(bad.stdout).toBe('');
    const usage = pipewright(['graph', '--format', 'png', file]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--format is one of mermaid, dot, json/);
  });
});

describe('pipewright run on a graph', () => {
  it('refuses the whole graph before anything starts, naming the stage where it branches', () => {
    const r = pipewright(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Stage `slow` does not read the stage run before it: this pipeline is a graph .*--to STAGE/);
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
});
