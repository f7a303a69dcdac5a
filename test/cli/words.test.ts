// Every word and number a user reads from `run` is what it says.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pipewright } from './cli';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-words-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('what `write` wrote', () => {
  it("is the file's own size (the process's I/O also counts the records it passed on), in the summary and --stats-json", () => {
    const rows = Array.from({ length: 150 }, (_, i) => `${i},name${i},${i}.5`).join('\n');
    fs.writeFileSync(path.join(dir, 'p.csv'), `id,name,price\n${rows}\n`);
    const file = path.join(dir, 'w.pipeline.yaml');
    fs.writeFileSync(file, 'stages:\n  - use: read\n    with: { path: p.csv }\n  - use: write\n    with: { path: out.ndjson }\n');
    const stats = path.join(dir, 'stats.json');
    const r = pipewright(['run', '--stats-json', stats, file]);
    expect(r.code).toBe(0);
    const out = path.join(dir, 'out.ndjson');
    const size = fs.statSync(out).size;
    const write = (JSON.parse(fs.readFileSync(stats, 'utf8')) as { stages: { name: string; wrote?: unknown; procBytesWritten: number }[] }).stages[1]!;
    expect(write.wrote).toEqual({ file: out, bytes: size });
    expect(write.procBytesWritten).toBeGreaterThan(size);
    expect(r.stderr).toContain(`wrote ${out}: ${size.toLocaleString('en-US')} bytes\n`);
  });
});
