// Bundles each entry point into one CommonJS file under dist/ (type-checking is `npm run typecheck`).
import { chmod, readdir, readFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';
import { precompiledAjv } from './esbuild-ajv.mjs';

// --production (npm run package): minified, no source maps, no test bundles.
const production = process.argv.includes('--production');

const entries = [
  { in: 'cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'server/main.ts', out: 'server' },
  { in: 'extension/extension.ts', out: 'extension' },
  { in: 'engine/builtins/main.ts', out: 'builtin' },
];
if (!production) {
  // The end-to-end suite, loaded by mocha inside VS Code's extension host (test/e2e/run.ts).
  entries.push({ in: 'test/e2e/suite/index.ts', out: 'e2e/index', external: ['mocha'] });
  for (const f of await readdir('test/e2e/suite')) {
    if (f.endsWith('.test.ts')) entries.push({ in: `test/e2e/suite/${f}`, out: `e2e/${f.replace(/\.ts$/, '')}`, external: ['mocha'] });
  }
}

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  outExtension: { '.js': '.cjs' },
  outdir: 'dist',
  // engine/segment.sh and engine/wrapper.pl are bundled as strings (the scripts of every segment).
  loader: { '.sh': 'text', '.pl': 'text' },
  external: ['vscode'],
  logLevel: 'warning',
  plugins: [precompiledAjv()],
  define: { PIPEWRIGHT_VERSION: JSON.stringify(JSON.parse(await readFile('package.json', 'utf8')).version) },
};

for (const entry of entries) {
  const options = {
    ...common,
    entryPoints: [{ in: entry.in, out: entry.out }],
    banner: entry.banner ? { js: entry.banner } : undefined,
    external: [...common.external, ...(entry.external ?? [])],
  };
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
  // A bundle with a shebang is a command (package.json `bin`): `npx pipewright` runs it directly.
  if (entry.banner?.startsWith('#!')) await chmod(`dist/${entry.out}.cjs`, 0o755);
}
