import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonProblem } from '../../cli/check';
import { pipewright, repoRoot } from './cli';

const examples = fs
  .readdirSync(path.join(repoRoot, 'examples'))
  .filter((f) => f.endsWith('.pipeline.yaml'))
  .map((f) => `examples/${f}`);

describe('pipewright check', () => {
  it('passes every example silently', () => {
    expect(examples.length).toBeGreaterThan(1);
    const r = pipewright(['check', ...examples]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  it('prints compiler-style lines and exits 1 on errors', () => {
    const r = pipewright(['check', 'test/fixtures/dsl/unknown-keys.pipeline.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'test/fixtures/dsl/unknown-keys.pipeline.yaml:2:1: error unknown-key: unknown key `descripton` in a pipeline. Did you mean `description`?',
      'test/fixtures/dsl/unknown-keys.pipeline.yaml:5:5: error unknown-key: Stage `one`: unknown key `rn` in a stage. Did you mean `run`?',
      'test/fixtures/dsl/unknown-keys.pipeline.yaml:9:5: error unknown-key: Stage `two`: unknown key `wrokers` in a stage. Did you mean `workers`?',
    ]);
    expect(r.stderr).toBe('3 errors, 0 warnings in 1 file\n');
  });

  it('names a list item by its value, as the editor does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-check-'));
    try {
      const file = path.join(dir, 'seq.pipeline.yaml');
      fs.writeFileSync(file, 'stages:\n  - command: [seq, "1", 10]\n');
      const r = pipewright(['check', file]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(':2:25: error wrong-type: Stage 1: `10` in `command` must be a string, but YAML reads it as a number: quote it, `"10"`.');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 0 when there are only warnings', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-check-'));
    try {
      const file = path.join(dir, 'w.pipeline.yaml');
      fs.writeFileSync(file, 'stages:\n  - command: [surely-not-a-program-xyz]\n');
      const r = pipewright(['check', file]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(':2:15: warning command-not-found: Stage 1: `surely-not-a-program-xyz` was not found on PATH.');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints JSON with --json', () => {
    const r = pipewright(['check', '--json', 'test/fixtures/dsl/workers.pipeline.yaml', examples[0]!]);
    expect(r.code).toBe(1);
    const problems = JSON.parse(r.stdout) as JsonProblem[];
    expect(problems.map((p) => `${p.line}:${p.column}-${p.endLine}:${p.endColumn} ${p.code}`)).toEqual([
      '4:14-4:15 workers-range',
      '6:14-6:16 workers-range',
      '8:14-8:17 wrong-type',
    ]);
    expect(Object.keys(problems[0]!).sort()).toEqual(['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity']);
  });

  it('exits 2 for an unreadable file and still checks the others', () => {
    const r = pipewright(['check', 'no/such.pipeline.yaml', 'test/fixtures/dsl/names.pipeline.yaml', 'examples']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pipewright: cannot read no/such.pipeline.yaml: no such file\n');
    expect(r.stderr).toContain('pipewright: cannot read examples: it is a folder; give a *.pipeline.yaml file\n');
    expect(r.stdout).toContain('names.pipeline.yaml:5:11: error duplicate-stage-name:');
  });

  it('exits 2 with usage on a bad command line', () => {
    for (const args of [['check'], ['check', '--bogus', 'x'], ['frobnicate'], []]) {
      const r = pipewright(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('Usage:');
    }
  });
});
