// Bundles each entry point into one CommonJS file under dist/ (type-checking is `npm run typecheck`).
import { readFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';

const entries = [
  { in: 'cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'server/main.ts', out: 'server' },
];

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  outExtension: { '.js': '.cjs' },
  outdir: 'dist',
  external: ['vscode'],
  logLevel: 'warning',
  define: { PIPEWRIGHT_VERSION: JSON.stringify(JSON.parse(await readFile('package.json', 'utf8')).version) },
};

for (const entry of entries) {
  const options = {
    ...common,
    entryPoints: [{ in: entry.in, out: entry.out }],
    banner: entry.banner ? { js: entry.banner } : undefined,
  };
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
