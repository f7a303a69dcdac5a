import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostTarget, nativeProgramPath } from '../../engine/native-programs';
import { asciiOnly } from '../../scripts/node-bundle';

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

  it('include the native program, pw-segment, which runs every local segment', () => {
    const program = nativeProgramPath(path.join(__dirname, '../../dist'), hostTarget);
    expect(existsSync(program)).toBe(true);
    const segment = spawnSync(program, ['--version'], { encoding: 'utf8' });
    expect(segment.stdout).toBe('pw-segment 3\n');
    // Static: it runs on any Linux of its architecture, whatever its C library.
    const ldd = spawnSync('ldd', [program], { encoding: 'utf8' });
    expect(ldd.stdout + ldd.stderr).toMatch(/not a dynamic executable/);
  });

  it('are ASCII, so that V8 holds the CLI as one byte a character: what esbuild leaves in comments is escaped', () => {
    expect(asciiOnly('/** a \u2192 b, \u{1f600} */ "x"')).toBe('/** a \\u{2192} b, \\u{1f600} */ "x"');
    for (const bundle of ['dist/cli.cjs', 'dist/cli-main.cjs', 'dist/server.cjs', 'dist/extension.cjs', 'dist/builtin.cjs']) {
      const bytes = readFileSync(path.join(__dirname, '../..', bundle));
      expect(
        bytes.findIndex((b) => b > 0x7f),
        bundle,
      ).toBe(-1);
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
