// Bundles each entry point into one CommonJS file under dist/ (type-checking is `npm run typecheck`).
//   tsx scripts/build.ts               development bundles (source maps, the e2e suite), dist/meta.json
//   tsx scripts/build.ts --production  minified, no source maps, no test bundles (npm run package)
//   tsx scripts/build.ts --watch       rebuilds on change, with `tsc --watch` alongside (npm run watch)
// scripts/npm-package.ts bundles the CLI's entries into a folder of its own (`bundleInto`).
import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, watchFile, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { nodeBundlePlugin } from './node-bundle';
import { generateValidator, schemaFile } from './gen-validator';
import { hostTarget } from '../engine/native-programs';
import { buildTargets } from './native';

const root = path.resolve(__dirname, '..');

interface Entry {
  in: string;
  out: string;
  /** A shebang makes the bundle a command (package.json `bin`): `npx pipewright` runs it directly. */
  shebang?: boolean;
  external?: string[];
  /** A script for a webview page (the run panel): a browser bundle, not a Node module. */
  browser?: boolean;
  /**
   * A command started once per run: whitespace and syntax minified in the development build too
   * (names kept, source maps as before), since the bundle is read and compiled at each start (bench/README.md, issue 21).
   */
  command?: boolean;
}

function entries(production: boolean): Entry[] {
  const list: Entry[] = [
    // The command is a small launcher that loads the CLI through a V8 code cache (cli/launch.ts).
    { in: 'cli/launch.ts', out: 'cli', shebang: true },
    { in: 'cli/main.ts', out: 'cli-main', command: true },
    { in: 'server/main.ts', out: 'server' },
    { in: 'extension/extension.ts', out: 'extension' },
    { in: 'engine/builtins/main.ts', out: 'builtin', command: true },
    { in: 'extension/panel/webview/main.ts', out: 'panel', browser: true },
    { in: 'extension/records/webview/main.ts', out: 'records', browser: true },
    { in: 'extension/compare/webview/main.ts', out: 'compare', browser: true },
  ];
  if (production) return list;
  // The end-to-end suite, loaded by mocha inside VS Code's extension host (test/e2e/run.ts).
  list.push({ in: 'test/e2e/suite/index.ts', out: 'e2e/index', external: ['mocha'] });
  for (const f of readdirSync(path.join(root, 'test/e2e/suite'))) {
    if (f.endsWith('.test.ts')) list.push({ in: `test/e2e/suite/${f}`, out: `e2e/${f.replace(/\.ts$/, '')}`, external: ['mocha'] });
  }
  return list;
}

function options(entry: Entry, production: boolean, outdir = 'dist'): esbuild.BuildOptions {
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const runtime: esbuild.BuildOptions = entry.browser
    ? { platform: 'browser', target: 'es2022', format: 'iife' }
    : {
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        outExtension: { '.js': '.cjs' },
        external: ['vscode', ...(entry.external ?? [])],
        plugins: [nodeBundlePlugin],
      };
  return {
    absWorkingDir: root,
    entryPoints: [{ in: entry.in, out: entry.out }],
    bundle: true,
    ...runtime,
    sourcemap: !production,
    minify: production,
    ...(entry.command && !production ? { minifyWhitespace: true, minifySyntax: true } : {}),
    outdir,
    logLevel: 'warning',
    metafile: true,
    define: { PIPEWRIGHT_VERSION: JSON.stringify(version) },
    ...(entry.shebang ? { banner: { js: '#!/usr/bin/env node' } } : {}),
  };
}

/**
 * The native program (scripts/native.ts) for each target a C compiler is there for. Without this
 * machine's own, local runs fail with a message that says what to do (engine/segment.ts); without
 * another's, `npm run package` makes no VSIX for it. These warnings are the one place the build says so.
 */
function buildPrograms(): void {
  for (const [target, why] of buildTargets(path.join(root, 'dist'))) {
    const what =
      target === hostTarget
        ? 'local runs need it: install gcc and libc6-dev'
        : `no package for ${target} (scripts/setup-system.sh installs its cross compiler)`;
    console.warn(`build: WARNING: pw-segment for ${target} not built (${why}): ${what}.`);
  }
}

/** Builds every bundle once; writes dist/meta.json (each bundle's inputs, read by test/unit/bundles.test.ts). */
export async function build(production = false): Promise<void> {
  generateValidator();
  buildPrograms();
  const inputs: Record<string, string[]> = {};
  for (const entry of entries(production)) {
    const result = await esbuild.build(options(entry, production));
    inputs[`dist/${entry.out}.${entry.browser ? 'js' : 'cjs'}`] = Object.keys(result.metafile?.inputs ?? {});
    if (entry.shebang) chmodSync(path.join(root, `dist/${entry.out}.cjs`), 0o755);
  }
  writeFileSync(path.join(root, 'dist/meta.json'), `${JSON.stringify(inputs, null, 1)}\n`);
}

/** Minified bundles of the entries whose `out` is in `outs`, into `outDir` (absolute); dist/ is left as it is. */
export async function bundleInto(outDir: string, outs: readonly string[]): Promise<void> {
  generateValidator();
  for (const entry of entries(true).filter((e) => outs.includes(e.out))) {
    await esbuild.build(options(entry, true, outDir));
    if (entry.shebang) chmodSync(path.join(outDir, `${entry.out}.cjs`), 0o755);
  }
}

/** Rebuilds each bundle on change and type-checks alongside; Ctrl-C stops both. */
async function watch(): Promise<void> {
  generateValidator();
  buildPrograms();
  for (const entry of entries(false)) {
    const shebang = entry.shebang
      ? [{ name: 'chmod', setup: (b: esbuild.PluginBuild) => b.onEnd(() => chmodSync(path.join(root, `dist/${entry.out}.cjs`), 0o755)) }]
      : [];
    const base = options(entry, false);
    const context = await esbuild.context({ ...base, plugins: [...(base.plugins ?? []), ...shebang] });
    await context.watch();
  }
  // The schema is not an esbuild input (the generated module is): regenerate that when the schema changes.
  watchFile(schemaFile, { interval: 500 }, () => generateValidator());
  const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin/tsc');
  const typecheck = spawn(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', '--watch', '--preserveWatchOutput'], { cwd: root, stdio: 'inherit' });
  const stop = () => {
    typecheck.kill();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  const done = process.argv.includes('--watch') ? watch() : build(process.argv.includes('--production'));
  done.catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
