import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, pipewright, repoRoot } from './cli';

const fx = 'test/fixtures/engine';

/** The part of `--stats-json` these tests read. */
interface StatsJson {
  stages: { name: string; status: string; recordsOut: number | null; workers?: unknown[] }[];
}

describe('pipewright run', () => {
  it('prints records on stdout, a summary on stderr, and exits 0', () => {
    const r = pipewright(['run', 'examples/word-counts.pipeline.yaml']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('{"word":"the","count":12}');
    expect(lines.every((l) => (JSON.parse(l) as { count: number }).count > 0)).toBe(true);
    expect(r.stderr).toMatch(/^pipewright: examples\/word-counts\.pipeline\.yaml finished in .*: 51 records/m);
    expect(r.stderr).toMatch(/^ {2}as-records +ok /m);
  });

  it('| head -n 3: prints 3 records and exits 0, upstream stopped early', () => {
    const r = spawnSync(
      '/bin/bash',
      ['-c', `set -o pipefail; node ${cliPath} run ${fx}/endless.pipeline.yaml | head -n 3; echo "status=\${PIPESTATUS[0]}" >&2`],
      { cwd: repoRoot, encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.stdout).toBe('n=1\nn=2\nn=3\n');
    expect(r.stderr).toMatch(/status=0$/m);
    expect(r.stderr).toMatch(/stopped reading early/);
    expect(r.stderr).toMatch(/^ {2}numbers +stopped early \(SIGPIPE\)/m);
    expect(r.stderr).not.toMatch(/Broken pipe|EPIPE/i);
  });

  it('feeds its own stdin, when it is not a terminal, to the first stage', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-stdin-'));
    try {
      const file = path.join(dir, 'upper.pipeline.yaml');
      fs.writeFileSync(file, 'stages:\n  - run: tr a-z A-Z\n  - run: sort\n');
      const r = pipewright(['run', '--quiet', file], { input: 'beta\nalpha\n' });
      expect([r.code, r.stdout]).toEqual([0, 'ALPHA\nBETA\n']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the failing stage and exits 1', () => {
    const r = pipewright(['run', `${fx}/failing.pipeline.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('1\n');
    expect(r.stderr).toContain('[parse] fail-after-one.sh: record 2 is not valid JSON');
    expect(r.stderr).toMatch(/pipewright: test\/fixtures\/engine\/failing\.pipeline\.yaml: stage `parse` failed with exit code 3/);
    expect(r.stderr).toMatch(/^ {2}parse +FAILED \(exit 3\)/m);
  });

  it('refuses an invalid pipeline with its problems and exits 2', () => {
    const r = pipewright(['run', `${fx}/invalid.pipeline.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/invalid\.pipeline\.yaml:4:5: error unknown-key: .*`rn`/);
    expect(r.stderr).toMatch(/the pipeline has \d+ errors? and was not run/);
  });

  it('exits 2 for an unreadable file, an unknown --to stage and a bad --limit', () => {
    const refused = (args: string[]) => {
      const r = pipewright(args);
      expect(r.code).toBe(2);
      return r.stderr;
    };
    expect(refused(['run', 'no/such.pipeline.yaml'])).toMatch(/cannot read the pipeline file: no such file/);
    expect(refused(['run', '--to', 'nope', `${fx}/failing.pipeline.yaml`])).toMatch(/no stage named `nope`.*`numbers`, `parse`, `out`/);
    expect(refused(['run', '--limit', '0', `${fx}/failing.pipeline.yaml`])).toMatch(/--limit needs a whole number/);
    expect(pipewright(['run', `${fx}/builtin.pipeline.yaml`])).toMatchObject({ code: 0, stdout: '' }); // built-ins run (test/unit/builtins)
  });

  it('--to and --limit, with --stats-json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-run-'));
    const json = path.join(dir, 'stats.json');
    const r = pipewright(['run', '--to', 'pass', '--limit', '4', '--stats-json', json, '--quiet', `${fx}/endless.pipeline.yaml`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1\n2\n3\n4\n');
    expect(r.stderr).toBe('');
    const stats = JSON.parse(fs.readFileSync(json, 'utf8')) as StatsJson;
    expect(stats).toMatchObject({ outcome: 'succeeded', records: 4, bytes: 8, stoppedReading: true });
    expect(stats.stages.map((s) => [s.name, s.status])).toEqual([
      ['numbers', 'stopped-early'],
      ['pass', 'stopped-early'],
    ]);
    for (const s of stats.stages) {
      for (const key of ['name', 'status', 'exitCode', 'signal', 'bytesIn', 'bytesOut', 'recordsOut', 'cpuUserMs', 'cpuSysMs', 'maxRssKb', 'durationMs'])
        expect(s).toHaveProperty(key);
    }
    expect(stats.stages[1]).toMatchObject({ recordsOut: 4, bytesOut: 8, signal: 'SIGPIPE' });
    fs.rmSync(dir, { recursive: true });
  });

  it('--peek STAGE: counts that edge and prints its last records on stderr; stdout stays the output; --stats-json has the counts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-run-'));
    const json = path.join(dir, 'stats.json');
    const r = pipewright(['run', '--peek', 'in-stock', '--peek', 'enrich', '--stats-json', json, 'examples/enrich.pipeline.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(enrichExpected().join('\n') + '\n');
    const inStock = productRows().filter((p) => p.available && p.stock > 0);
    expect(r.stderr).toContain(`pipewright: peek \`in-stock\`: ${inStock.length} records`);
    // The last records that went from in-stock into the workers, whole, as the filter wrote them.
    const peeked = r.stderr.split('\n').filter((l) => l.startsWith('  {"id":'));
    expect(peeked.length).toBeGreaterThan(0);
    for (const line of peeked) expect(inStock.map((p) => p.id)).toContain((JSON.parse(line.trim()) as Product).id);
    expect(r.stderr).toMatch(/^ {4}worker 1 +/m);
    const stats = JSON.parse(fs.readFileSync(json, 'utf8')) as StatsJson;
    const byName = new Map(stats.stages.map((s) => [s.name, s]));
    expect(byName.get('in-stock')?.recordsOut).toBe(inStock.length);
    expect(byName.get('first')?.recordsOut).toBe(5);
    expect(byName.get('enrich')?.workers).toHaveLength(2);
    const unknown = pipewright(['run', '--peek', 'nope', 'examples/enrich.pipeline.yaml']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/no stage named `nope` to peek at/);
    fs.rmSync(dir, { recursive: true });
  });

  it('examples/enrich.pipeline.yaml (read, filter, workers, head) gives the expected records through npx pipewright', () => {
    const r = spawnSync('npx', ['--no-install', 'pipewright', 'run', '-q', 'examples/enrich.pipeline.yaml'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(enrichExpected().join('\n') + '\n');
  });

  for (const [signal, exit] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} cancels the run and exits ${exit}`, async () => {
      const child = spawn(process.execPath, [cliPath, 'run', `${fx}/started-then-waits.pipeline.yaml`], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          if (stderr.includes('[wait] started')) resolve();
        });
      });
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(exit);
      expect(stderr).toMatch(/cancelled after/);
      expect(stderr).toMatch(/^ {2}wait +cancelled/m);
    });
  }
});

interface Product {
  id: number;
  name: string;
  price: number;
  stock: number;
  available: boolean;
}

/** examples/data/products.csv, read here on its own (the example's `read` types the columns the same way). */
function productRows(): Product[] {
  const [header, ...rows] = fs.readFileSync(path.join(repoRoot, 'examples/data/products.csv'), 'utf8').trim().split('\n');
  const keys = header!.split(',');
  return rows.map((row) => {
    const v = Object.fromEntries(row.split(',').map((x, i): [string, string] => [keys[i]!, x]));
    return { id: Number(v.id), name: v.name!, price: Number(v.price), stock: Number(v.stock), available: v.available === 'true' };
  });
}

/** What examples/enrich.pipeline.yaml must print: the first 5 in-stock products, banded, in input order. */
function enrichExpected(): string[] {
  return productRows()
    .filter((p) => p.available && p.stock > 0)
    .slice(0, 5)
    .map((p) =>
      JSON.stringify({ id: p.id, name: p.name, band: p.price < 50 ? 'low' : p.price < 200 ? 'mid' : 'high', value: Math.round(p.price * p.stock * 100) / 100 }),
    );
}
