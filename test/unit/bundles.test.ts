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

  it('carry no shell or perl script (every segment, on a host or a Slurm node too, runs pw-segment)', () => {
    for (const bundle of ['dist/cli-main.cjs', 'dist/extension.cjs'])
      expect(
        (meta[bundle] ?? []).filter((i) => /\.(sh|pl)$/.test(i)),
        bundle,
      ).toEqual([]);
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

  it('the CLI is ASCII, so that the launcher (cli/launch.ts) reads it as one byte a character: no two-byte copy of 0.8 MB', () => {
    // esbuild escapes strings but keeps comments and regular expressions as written: write \u escapes there instead.
    for (const bundle of ['dist/cli.cjs', 'dist/cli-main.cjs']) {
      const lines = readFileSync(path.join(__dirname, '../..', bundle), 'utf8').split('\n');
      const at = lines.findIndex((l) => /[\u0080-\u{10ffff}]/u.test(l));
      expect(at === -1 ? 'ASCII' : `line ${at + 1}: ${lines[at]}`, bundle).toBe('ASCII');
    }
  });

  it("take each Node built-in as one module: no copy of its properties per `import * as` (esbuild's __toESM)", () => {
    for (const bundle of ['dist/cli-main.cjs', 'dist/server.cjs', 'dist/extension.cjs', 'dist/builtin.cjs']) {
      const text = readFileSync(path.join(__dirname, '../..', bundle), 'latin1');
      expect(text.match(/__toESM\(require\("node:[a-z_/]+"\)\)/g) ?? [], bundle).toEqual([]);
      expect(text, bundle).toContain('require("node:fs")');
    }
  });
});
