import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
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

  it('the CLI calls nothing that loads ICU locale data (toLocaleString, localeCompare, Intl): a first call costs a start ~25 ms', () => {
    expect(readFileSync(path.join(__dirname, '../../dist/cli-main.cjs'), 'latin1').match(/.{40}(toLocale\w*|localeCompare|\bIntl\.)/g) ?? []).toEqual([]);
  });

  it('a local run does not load node:crypto (~20 modules; remote runs and `sample` load it at their first call)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pipewright-bundles-'));
    try {
      writeFileSync(path.join(dir, 'a.pipeline.yaml'), 'stages:\n  - run: seq 1200\n  - command: [cat]\n');
      // Node's own list of what it loaded, written as the run exits.
      writeFileSync(
        path.join(dir, 'loaded.cjs'),
        "process.on('exit', () => require('fs').writeFileSync(process.env.LOADED, process.moduleLoadList.join('\\n')));",
      );
      const loaded = path.join(dir, 'loaded.txt');
      const run = spawnSync(
        process.execPath,
        ['-r', path.join(dir, 'loaded.cjs'), path.join(__dirname, '../../dist/cli.cjs'), 'run', path.join(dir, 'a.pipeline.yaml')],
        {
          encoding: 'utf8',
          env: { ...process.env, LOADED: loaded, XDG_CACHE_HOME: dir },
        },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain('1,200 rec');
      expect(
        readFileSync(loaded, 'utf8')
          .split('\n')
          .filter((m) => m.includes('crypto')),
      ).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
