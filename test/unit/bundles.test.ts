import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

// Written by scripts/build.ts (run by the global setup): each bundle's input files, from esbuild's metafile.
const meta = JSON.parse(readFileSync(path.join(__dirname, '../../dist/meta.json'), 'utf8')) as Record<string, string[]>;

describe('bundles', () => {
  it('hold the generated validator and none of ajv but its small run-time helpers (no schema compiler)', () => {
    for (const bundle of ['dist/cli.cjs', 'dist/server.cjs', 'dist/extension.cjs']) {
      const inputs = meta[bundle] ?? [];
      expect(inputs, bundle).toContain('dsl/generated/pipeline-validator.cjs');
      expect(
        inputs.filter((i) => i.includes('node_modules/ajv/') && !i.includes('node_modules/ajv/dist/runtime/')),
        bundle,
      ).toEqual([]);
    }
  });

  it('include the C record counter wherever a C compiler is there (the default counter; perl is the fallback)', () => {
    const cc = spawnSync(process.env.CC ?? 'cc', ['--version'], { stdio: 'ignore' });
    if (cc.status !== 0) return; // no compiler: the engine counts with engine/edge-count.pl, tested on its own
    const counter = path.join(__dirname, '../../dist/edge-count');
    expect(existsSync(counter)).toBe(true);
    expect(spawnSync(counter, ['probe'], { stdio: 'ignore' }).status).toBe(0);
  });
});
