// The engine for in-process benchmarks, bundled the same way as the CLI (esbuild, CommonJS) into dist/,
// where it finds dist/builtin.cjs and dist/native/ as the CLI does.
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type * as Entry from './entry';

/** Bundles bench/entry.ts into dist/NAME.cjs (in dist/, where the engine finds dist/builtin.cjs and dist/native/) and loads it. */
export function loadEngine(name: string): typeof Entry {
  const outfile = path.join(__dirname, '..', 'dist', `${name}.cjs`);
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'entry.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return require(outfile) as typeof Entry;
}
