import { describe, expect, it } from 'vitest';
import { check, durationMs, interpolate, resolveStage, type Fix } from '../../../dsl';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lookupProgram, nodeHost } from '../../../dsl/host-node';
import { fakeHost } from './fake-host';

const host = fakeHost({ HOME: '/home/user', TOKEN: 's3cret' });

function applyFix(text: string, fix: Fix): string {
  return [...fix.edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.newText + t.slice(e.end), text);
}

describe('check', () => {
  it('reports an empty file as an empty pipeline, at the start', () => {
    const r = check('', { host });
    expect(r.problems.map((p) => [p.code, p.start, p.end])).toEqual([['empty-pipeline', 0, 0]]);
    expect(r.ok).toBe(false);
  });

  it('leaves the data as the YAML gives it (what it remembers of each stage between versions does not show)', () => {
    const text = 'stages:\n  - name: a\n    run: cat\n  - use: head\n    with: { n: 3 }\n';
    const r = check(text, { host });
    const again = check(text, { host });
    expect(r.parsed.data).toEqual({
      stages: [
        { name: 'a', run: 'cat' },
        { use: 'head', with: { n: 3 } },
      ],
    });
    expect(r.parsed.data).toEqual(again.parsed.data);
    const stages = (r.parsed.data as { stages: object[] }).stages;
    expect(stages.map((s) => Object.keys(s))).toEqual([
      ['name', 'run'],
      ['use', 'with'],
    ]);
    expect(stages.map((s) => ({ ...s }))).toEqual([
      { name: 'a', run: 'cat' },
      { use: 'head', with: { n: 3 } },
    ]);
    expect(JSON.stringify(r.parsed.data)).toBe('{"stages":[{"name":"a","run":"cat"},{"use":"head","with":{"n":3}}]}');
  });

  it('names unnamed stages after their built-in or program, uniquely', () => {
    const r = check(
      'stages:\n  - use: head\n  - run: grep -v x\n  - command: [/usr/bin/jq, .]\n  - run: grep y\n  - name: grep-2\n    run: cat\n  - run: "| weird"\n',
      { host },
    );
    expect(r.pipeline.stages.map((s) => s.name)).toEqual(['head', 'grep', 'jq', 'grep-3', 'grep-2', 'stage6']);
    expect(r.pipeline.stages.map((s) => s.named)).toEqual([false, false, false, false, true, false]);
  });

  it('defaults the pipeline name to the file name', () => {
    expect(check('stages: [{run: cat}]', { host, file: '/x/top-products.pipeline.yaml' }).pipeline.name).toBe('top-products');
    expect(check('name: mine\nstages: [{run: cat}]', { host, file: '/x/a.pipeline.yaml' }).pipeline.name).toBe('mine');
  });

  it('builds the stage action and options', () => {
    const r = check('stages:\n  - use: head\n    with: { count: 3 }\n    timeout: 2m\n    workers: 2\n    ordered: true\n    stderr: ignore\n', { host });
    const [stage] = r.pipeline.stages;
    expect(stage?.action).toEqual({ kind: 'use', builtin: 'head', options: { count: 3 } });
    expect([stage?.timeoutMs, stage?.workers, stage?.ordered, stage?.stderr]).toEqual([120_000, 2, true, 'ignore']);
  });

  it('gives a stage with problems no action, so it cannot be run', () => {
    const r = check('stages:\n  - run: cat\n    command: [cat]\n', { host });
    expect(r.pipeline.stages[0]?.action).toBeUndefined();
    expect(r.ok).toBe(false);
  });

  it.each([
    ['unknown key', 'stages:\n  - rn: cat\n', 'unknown-key', 'run'],
    ['unknown built-in', 'stages:\n  - use: haed\n', 'unknown-builtin', 'head'],
    ['unknown option', 'stages:\n  - use: head\n    with: { cuont: 2 }\n', 'bad-option', 'count'],
    ['enum value', 'stages:\n  - run: cat\n    stderr: ignroe\n', 'invalid-value', 'ignore'],
    ['workers', 'stages:\n  - run: cat\n    workers: 100\n', 'workers-range', '64'],
  ])('offers a fix that makes a %s clean', (_what, text, code, replacement) => {
    const r = check(text, { host });
    const p = r.problems.find((x) => x.code === code);
    expect(p?.fixes?.[0]?.edits[0]?.newText).toBe(replacement);
    expect(check(applyFix(text, p!.fixes![0]!), { host }).problems).toEqual([]);
  });

  it('fixes conflicting commands by keeping one of them', () => {
    const text = 'stages:\n  - run: cat\n    command: [sort]\n';
    const p = check(text, { host }).problems.find((x) => x.code === 'conflicting-command')!;
    expect(p.fixes?.map((f) => f.title)).toEqual(['Keep `run`', 'Keep `command`']);
    for (const fix of p.fixes!) expect(check(applyFix(text, fix), { host }).problems).toEqual([]);
  });

  it('never puts a variable value in a message', () => {
    const r = check('stages:\n  - command: [echo, "${TOKEN}", "${NOPE}"]\n', { host });
    expect(r.problems.map((p) => p.code)).toEqual(['undefined-variable']);
    expect(JSON.stringify(r.problems)).not.toContain('s3cret');
  });
});

describe('Slurm hosts', () => {
  const text =
    'hosts:\n  cluster: { slurm: { partition: debug, cpus: 2, options: [--qos=short] } }\n  idle: { slurm: {} }\nstages:\n  - run: cat\n    on: cluster\n';

  it('reads a cluster into the model, and warns about srun only where it is missing and a stage uses the cluster', () => {
    const missing = check(text, { host });
    expect(missing.pipeline.hosts.cluster).toEqual({ name: 'cluster', ssh: '', options: [], slurm: { partition: 'debug', cpus: 2, options: ['--qos=short'] } });
    expect(missing.problems.map((p) => [p.code, text.slice(p.start, p.end)])).toEqual([['srun-not-found', 'slurm']]);
    const withSrun = fakeHost();
    const found = check(text, {
      host: { ...withSrun, findProgram: (p, d) => (p === 'srun' ? { kind: 'found', path: '/usr/bin/srun' } : withSrun.findProgram(p, d)) },
    });
    expect(found.problems).toEqual([]);
  });
});

describe('resolveStage', () => {
  it('layers env and working directories, and interpolates command and with', () => {
    const r = check(
      'env: { DIR: data, A: "${HOME}/a" }\ncwd: sub\nstages:\n' +
        '  - command: [ls, "${A}", "$${A}"]\n    env: { B: "${A}/b" }\n    cwd: "${DIR}"\n  - use: read\n    with: { path: "${DIR}/x.csv" }\n',
      { host, file: '/p/f.pipeline.yaml' },
    );
    const [first, second] = r.pipeline.stages.map((s) => resolveStage(r.pipeline, s, host.env, '/p'));
    expect(first?.dir).toBe('/p/sub/data');
    expect(first?.env.B).toBe('/home/user/a/b');
    expect(first?.action).toEqual({ kind: 'command', argv: ['ls', '/home/user/a', '${A}'] });
    expect(second?.action).toEqual({ kind: 'use', builtin: 'read', options: { path: 'data/x.csv' } });
    expect(second?.dir).toBe('/p/sub');
  });
});

describe('small parts', () => {
  it('parses durations', () => {
    expect([durationMs(2), durationMs('500ms'), durationMs('1.5s'), durationMs('5m'), durationMs('1h'), durationMs('5x'), durationMs(0)]).toEqual([
      2000,
      500,
      1500,
      300_000,
      3_600_000,
      undefined,
      undefined,
    ]);
  });

  it('interpolates with defaults and escapes', () => {
    const lookup = (n: string) => ({ A: 'a', EMPTY: '' })[n];
    expect(interpolate('${A}-${B:-b}-${EMPTY:-e}-$${A}-${B}', lookup)).toBe('a-b-e-${A}-');
  });

  it('finds programs on the real PATH without running them', () => {
    const real = nodeHost();
    const sh = real.findProgram('sh', '/');
    expect(sh.kind).toBe('found');
    expect('path' in sh ? sh.path : '').toMatch(/\/sh$/);
    expect(real.findProgram('no-such-program-here', '/')).toEqual({ kind: 'not-found' });
    expect(real.statKind('/')).toBe('dir');
  });

  it('looks programs up as execvp does: relative paths and PATH entries from the stage dir, the execute bit', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-lookup-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'plain.sh'), 'echo hi\n', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'bin', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    // Tests run as root too, where access(X_OK) is true for any file with one x bit: use none.
    expect(lookupProgram('./plain.sh', dir, '/usr/bin')).toEqual({ kind: 'not-executable', path: path.join(dir, 'plain.sh') });
    expect(lookupProgram('plain.sh', dir, '.')).toEqual({ kind: 'not-executable', path: path.join(dir, 'plain.sh') });
    expect(lookupProgram('tool', dir, 'nope:bin')).toEqual({ kind: 'found', path: path.join(dir, 'bin', 'tool') });
    // A PATH entry that is a file (ENOTDIR on the way) is passed over like a missing one.
    expect(lookupProgram('tool', dir, 'plain.sh:bin')).toEqual({ kind: 'found', path: path.join(dir, 'bin', 'tool') });
    expect(lookupProgram('./bin', dir, '')).toEqual({ kind: 'not-found' });
    expect(lookupProgram('tool', dir, '/usr/bin')).toEqual({ kind: 'not-found' });
    fs.rmSync(dir, { recursive: true });
  });
});
