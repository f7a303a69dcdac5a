// `pipewright compare`, as a new user tries it: run the access-log example, lower SLOW_MS, run it
// again; compare the two runs' stats and the two outputs, and check against `diff`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipewright, repoRoot } from './cli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-compare-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const at = (f: string) => path.join(dir, f);

/** Lines `diff` marks with `<` (only before) and `>` (only after). */
function diffLines(a: string, b: string): { removed: string[]; added: string[] } {
  let out = '';
  try {
    execFileSync('diff', [a, b], { encoding: 'utf8' });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  const lines = out.split('\n');
  return { removed: lines.filter((l) => l.startsWith('< ')).map((l) => l.slice(2)), added: lines.filter((l) => l.startsWith('> ')).map((l) => l.slice(2)) };
}

beforeAll(() => {
  // The example and its data, copied: the second run is the same pipeline with SLOW_MS lowered.
  fs.cpSync(path.join(repoRoot, 'examples/data'), at('data'), { recursive: true });
  const text = fs.readFileSync(path.join(repoRoot, 'examples/access-log.pipeline.yaml'), 'utf8');
  if (!text.includes('SLOW_MS: 1000')) throw new Error('the example no longer sets SLOW_MS: 1000; update this test');
  fs.writeFileSync(at('before.pipeline.yaml'), text);
  fs.writeFileSync(at('after.pipeline.yaml'), text.replace('SLOW_MS: 1000', 'SLOW_MS: 500'));
  for (const run of ['before', 'after']) {
    const r = pipewright(['run', '--quiet', '--stats-json', at(`${run}.stats.json`), `${run}.pipeline.yaml`], { cwd: dir });
    if (r.code !== 0) throw new Error(`the ${run} run failed: ${r.stderr}`);
    fs.writeFileSync(at(`${run}.ndjson`), r.stdout);
  }
});

describe('pipewright compare (stats)', () => {
  it('shows, stage by stage, which counts changed and by how much', () => {
    const r = pipewright(['compare', at('before.stats.json'), at('after.stats.json')]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const row = (stage: string) => r.stdout.split('\n').find((l) => l.startsWith(`  ${stage} `)) ?? '';
    const before = JSON.parse(fs.readFileSync(at('before.stats.json'), 'utf8')) as { stages: { name: string; recordsOut: number }[] };
    const after = JSON.parse(fs.readFileSync(at('after.stats.json'), 'utf8')) as { stages: { name: string; recordsOut: number }[] };
    const out = (s: typeof before, name: string) => s.stages.find((x) => x.name === name)!.recordsOut;
    expect(out(after, 'slow-or-failing')).toBeGreaterThan(out(before, 'slow-or-failing'));
    expect(row('slow-or-failing')).toContain(`${out(before, 'slow-or-failing')} → ${out(after, 'slow-or-failing')} (+`);
    expect(row('read')).toMatch(/^ {2}read +ok +— +400 /);
    expect(r.stdout).toMatch(/^ {2}counts changed in 3 stages: slow-or-failing, per-path, count$/m);
    expect(r.stdout).toMatch(/^ {4}read → slow-or-failing +400 /m);
  });

  it('--json for machines; --fail-on-regression exits 1 when a stage regressed', () => {
    const r = pipewright(['compare', '--json', at('before.stats.json'), at('after.stats.json')]);
    const c = JSON.parse(r.stdout) as { changedCounts: string[]; stages: { name: string; figures: { recordsOut: { a: number; b: number } } }[] };
    expect(c.changedCounts).toEqual(['slow-or-failing', 'per-path', 'count']);
    // A run made to regress: the same stats with one stage's memory tripled.
    const worse = JSON.parse(fs.readFileSync(at('before.stats.json'), 'utf8')) as { stages: { name: string; maxRssKb: number }[] };
    worse.stages[1]!.maxRssKb = worse.stages[1]!.maxRssKb * 3 + 2048;
    fs.writeFileSync(at('worse.stats.json'), JSON.stringify(worse));
    const failing = pipewright(['compare', '--fail-on-regression', at('before.stats.json'), at('worse.stats.json')]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^ {4}slow-or-failing: peak RSS ×\d/m);
    expect(pipewright(['compare', '--fail-on-regression', '--threshold', '20%', at('before.stats.json'), at('before.stats.json')]).code).toBe(0);
  });

  it('refuses a file that is not a run (exit 2, naming the file) and bad usage', () => {
    const bad = pipewright(['compare', at('before.ndjson'), at('after.stats.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^pipewright: cannot compare .*before\.ndjson: it is not JSON/);
    const one = pipewright(['compare', at('before.stats.json')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/compare needs exactly two files/);
    expect(pipewright(['compare', '--threshold', 'lots', at('before.stats.json'), at('after.stats.json')]).stderr).toMatch(/--threshold is a share/);
  });
});

describe('pipewright compare --records', () => {
  it('whole lines: the records only in each output are exactly what diff shows', () => {
    const { removed, added } = diffLines(at('before.ndjson'), at('after.ndjson'));
    expect(added.length).toBeGreaterThan(0);
    const r = pipewright(['compare', '--records', '--json', '--examples', '100', at('before.ndjson'), at('after.ndjson')]);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as { onlyInA: number; onlyInB: number; examples: { onlyInA: { line: string }[]; onlyInB: { line: string }[] } };
    expect(c.examples.onlyInA.map((e) => e.line).sort()).toEqual([...removed].sort());
    expect(c.examples.onlyInB.map((e) => e.line).sort()).toEqual([...added].sort());
    expect([c.onlyInA, c.onlyInB]).toEqual([removed.length, added.length]);
    const text = pipewright(['compare', '--records', at('before.ndjson'), at('after.ndjson')]).stdout;
    expect(text).toContain(`  only in ${at('after.ndjson')}: ${added.length}`);
    expect(text).toMatch(/^ {2}\+ #\d+ {2}\{"path":/m);
  });

  it('--key path: the paths whose count changed, and the paths that appeared', () => {
    const r = pipewright(['compare', '--records', '--json', '--key', 'path', '--examples', '100', at('before.ndjson'), at('after.ndjson')]);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as { changed: number; onlyInB: number; changedFields: unknown; examples: { changed: { key: string; fields: string[] }[] } };
    const paths = (f: string) =>
      new Map(
        fs
          .readFileSync(at(f), 'utf8')
          .trimEnd()
          .split('\n')
          .map((l) => [(JSON.parse(l) as { path: string }).path, l]),
      );
    const before = paths('before.ndjson');
    const after = paths('after.ndjson');
    const changed = [...after].filter(([p, l]) => before.has(p) && before.get(p) !== l).map(([p]) => JSON.stringify(p));
    expect(c.examples.changed.map((e) => e.key).sort()).toEqual(changed.sort());
    expect(c.changed).toBe(changed.length);
    expect(c.onlyInB).toBe([...after.keys()].filter((p) => !before.has(p)).length);
    expect(c.changedFields).toEqual([{ field: 'count', records: changed.length }]);
  });

  it('names a file it cannot read (exit 2)', () => {
    const r = pipewright(['compare', '--records', at('missing.ndjson'), at('after.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pipewright: cannot compare records: cannot read ${at('missing.ndjson')}: no such file\n`);
  });
});
