import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostTarget, nativeProgramPath } from '../../engine/native-programs';

// Written by scripts/build.ts (run by the global setup): each bundle's input files, from esbuild's metafile.
const meta = JSON.parse(readFileSync(path.join(__dirname, '../../dist/meta.json'), 'utf8')) as Record<string, string[]>;

describe('bundles', () => {
  it('hold the generated validator and none of ajv but its small run-time helpers (no schema compiler)', () => {
    for (const bundle of ['dist/cli-main.cjs', 'dist/server.cjs', 'dist/extension.cjs']) {
      const inputs = meta[bundle] ?? [];
      expect(inputs, bundle).toContain('dsl/generated/pipeline-validator.cjs');
      expect(
        inputs.filter((i) => i.includes('node_modules/ajv/') && !i.includes('node_modules/ajv/dist/runtime/')),
        bundle,
      ).toEqual([]);
    }
  });

  it('carry no shell or perl script but what a Slurm step runs (segments run on pw-segment)', () => {
    const slurm = ['engine/slurm.pl', 'engine/slurm-step.pl', 'engine/splice-relay.pl'];
    for (const bundle of ['dist/cli-main.cjs', 'dist/extension.cjs']) {
      const scripts = (meta[bundle] ?? []).filter((i) => /\.(sh|pl)$/.test(i));
      expect(
        scripts.filter((i) => !slurm.includes(i)),
        bundle,
      ).toEqual([]);
    }
  });

  it('include the native program, pw-segment, which runs every local segment', () => {
    const program = nativeProgramPath(path.join(__dirname, '../../dist'), hostTarget);
    expect(existsSync(program)).toBe(true);
    const segment = spawnSync(program, ['--version'], { encoding: 'utf8' });
    expect(segment.stdout).toBe('pw-segment 3\n');
    // Static: it runs on any Linux of its architecture, whatever its C library.
    const ldd = spawnSync('ldd', [program], { encoding: 'utf8' });
    expect(ldd.stdout + ldd.stderr).toMatch(/not a dynamic executable/);
  });
});
