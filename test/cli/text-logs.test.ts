// The question a new user asked of /var/log/dpkg.log, "which packages were installed or upgraded
// today, per hour", answered with built-ins only (read lines → parse → filter → count) and compared
// with the shell's answer (grep, awk, sort | uniq -c) on copies of generated dpkg-style logs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../dsl';
import { nodeHost } from '../../dsl/host-node';
import { dpkgLog } from '../../scripts/dpkg-log';
import { cliPath, repoRoot } from './cli';

const example = path.join(repoRoot, 'examples/dpkg-log.pipeline.yaml');

/** `pipewright run` of the example over `log` for `day`, with its stats. */
function ask(
  log: string,
  day: string,
  dir: string,
): { stdout: string; stderr: string; code: number | null; stages: { name: string; status: string; recordsOut: number | null }[] } {
  const stats = path.join(dir, `stats-${day}.json`);
  const r = spawnSync(process.execPath, [cliPath, 'run', '--quiet', '--stats-json', stats, example], {
    cwd: repoRoot,
    env: { ...process.env, LOG: log, DAY: day },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const { stages } = JSON.parse(fs.readFileSync(stats, 'utf8')) as { stages: { name: string; status: string; recordsOut: number | null }[] };
  return { stdout: r.stdout, stderr: r.stderr, code: r.status, stages };
}

/** The same question in the shell, its answer written as the same records in the same order. */
function shell(log: string, day: string): string {
  const script =
    `grep -E "^$DAY [0-9:]+ (install|upgrade) " "$LOG" | awk '{ print substr($2, 1, 2), $3 }' | sort | uniq -c | sort -k1,1nr -k2 |` +
    ` awk '{ printf "{\\"hour\\":\\"%s\\",\\"action\\":\\"%s\\",\\"count\\":%d}\\n", $2, $3, $1 }'`;
  const r = spawnSync('/bin/bash', ['-c', script], { env: { ...process.env, LOG: log, DAY: day, LC_ALL: 'C' }, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe('a text log as records: the dpkg.log question', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-dpkg-'));

  it('the example asks it with built-ins only, no shell stage', () => {
    const { pipeline, problems } = check(fs.readFileSync(example, 'utf8'), { file: example, host: nodeHost() });
    expect(problems).toEqual([]);
    expect(pipeline.stages.map((s) => s.action?.kind === 'use' && s.action.builtin)).toEqual(['read', 'parse', 'filter', 'count']);
  });

  it('equals the shell on a copy of the shipped log, for two days', () => {
    const log = path.join(dir, 'dpkg.log');
    fs.copyFileSync(path.join(repoRoot, 'examples/data/dpkg.log'), log);
    const lines = fs.readFileSync(log, 'utf8').split('\n').length - 1;
    for (const day of ['2026-06-02', '2026-05-20']) {
      const ours = ask(log, day, dir);
      expect(ours.stderr).toBe('');
      expect(ours.code).toBe(0);
      const expected = shell(log, day);
      expect(expected.split('\n').length).toBeGreaterThan(3); // a real answer, not two empty ones
      expect(ours.stdout).toBe(expected);
      expect(ours.stages.map((s) => [s.name, s.status])).toEqual([
        ['read', 'succeeded'],
        ['fields', 'succeeded'],
        ['installs-that-day', 'succeeded'],
        ['per-hour', 'succeeded'],
      ]);
      expect(ours.stages[0]!.recordsOut).toBe(lines);
    }
  });

  it('equals the shell on a freshly generated log whose last day is today', () => {
    const today = new Date().toISOString().slice(0, 10);
    const log = path.join(dir, 'today.log');
    fs.writeFileSync(log, dpkgLog({ seed: 3, days: 3, end: today }));
    const ours = ask(log, today, dir);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe(shell(log, today));
    expect(ours.stdout).not.toBe('');
  });
});
