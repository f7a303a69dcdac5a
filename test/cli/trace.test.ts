import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChromeTrace } from '../../engine/trace';
import { pipewright } from './cli';

describe('pipewright run --trace', () => {
  it("writes the run as a Chrome trace: a lifetime per stage, counters, and the run's outcome", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-trace-'));
    try {
      const file = path.join(dir, 'trace.json');
      const r = pipewright(['run', '--quiet', '--trace', file, 'examples/word-counts.pipeline.yaml']);
      expect(r.code).toBe(0);
      const trace = JSON.parse(fs.readFileSync(file, 'utf8')) as ChromeTrace;
      expect(trace.otherData).toMatchObject({ pipeline: 'word-counts', outcome: 'succeeded' });
      const stages = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'stage').map((e) => e.name);
      expect(stages.length).toBeGreaterThan(2);
      expect(stages.at(-1)).toBe('as-records');
      const last = trace.traceEvents.filter((e) => e.ph === 'C' && e.name === 'as-records: records/s');
      expect(last.length).toBeGreaterThan(0);
      for (const name of ['bytes/s', 'CPU %', 'RSS KiB']) expect(trace.traceEvents.some((e) => e.ph === 'C' && e.name === `as-records: ${name}`)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a trace file it cannot write before anything runs (exit 2), like --stats-json', () => {
    const r = pipewright(['run', '--quiet', '--trace', '/nonexistent-dir/trace.json', 'examples/word-counts.pipeline.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^pipewright: cannot write --trace \/nonexistent-dir\/trace\.json: its folder \/nonexistent-dir does not exist; nothing was run$/m,
    );
  });
});
