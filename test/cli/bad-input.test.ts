// Hostile input to the CLI: what a user may hand it that is not what it expects.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pipewright } from './cli';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bad-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes `text` as `name` in the test's folder and returns its path. */
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('pipewright run with bad input', () => {
  it('`use: write` to /dev/stdout writes straight through (the records then come twice, as with `tee /dev/stdout`)', () => {
    const f = file('out.pipeline.yaml', 'stages:\n  - run: printf \'{"a":1}\\n\'\n  - use: write\n    with: { path: /dev/stdout }\n');
    const r = pipewright(['run', '--quiet', f]);
    expect(r.stderr).toBe('');
    expect([r.code, r.stdout]).toEqual([0, '{"a":1}\n{"a":1}\n']);
  });
});
