// The `pipewright` command line as an npm package (docs/cli.md#install):
//   tsx scripts/npm-package.ts [OUT_DIR]   (npm run pack:cli) writes OUT_DIR/pipewright-VERSION.tgz
// The repository's package.json is the extension's manifest and stays `private` (a `npm publish`
// there is refused: it would ship sources and development bundles). The package is staged in a
// folder of its own — minified bundles of the CLI and its built-in stages, the prebuilt engine
// programs, cli/README.md as its README — with a package.json made from the repository's (name,
// version, license, links), and packed there by `npm pack`. Publishing is then a deliberate
// `npm publish pipewright-VERSION.tgz`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { supportedNode } from '../cli/node-version';
import { bundleInto } from './build';
import { hostTarget, nativeProgramPath } from '../engine/native-programs';
import { targets } from './native';

const root = path.resolve(__dirname, '..');

/** The bundles the CLI runs: its launcher (cli/launch.ts), itself, and the program of the built-in stages (engine/preflight.ts, `builtinProgram`). */
const bundles = ['cli', 'cli-main', 'builtin'] as const;

/** The engine programs in dist/: one per target that was built (dist/native/TARGET/pw-segment). */
export function builtPrograms(dist = path.join(root, 'dist')): string[] {
  return Object.keys(targets)
    .map((t) => nativeProgramPath(dist, t))
    .filter((p) => fs.existsSync(p))
    .map((p) => path.relative(root, p));
}

/** What the package holds, as package.json `files` (npm adds package.json, README.md and LICENSE itself). */
export function packageFiles(): string[] {
  return [...bundles.map((b) => `dist/${b}.cjs`), path.relative(root, nativeProgramPath(path.join(root, 'dist'), '*')), 'CHANGELOG.md'];
}

interface RootManifest {
  name: string;
  version: string;
  license: string;
  keywords: string[];
  repository: unknown;
  bugs: unknown;
  homepage: string;
  bin: Record<string, string>;
}

/** The published package.json: what npm needs to install and run the command, nothing of the extension or the toolchain. */
export function packageManifest(m: RootManifest): Record<string, unknown> {
  return {
    name: m.name,
    version: m.version,
    description: 'Run streaming data pipelines written in YAML: stages joined by real OS pipes, live per-stage stats, a checker with stable problem codes',
    keywords: [...m.keywords, 'cli'],
    license: m.license,
    repository: m.repository,
    bugs: m.bugs,
    homepage: m.homepage,
    bin: m.bin,
    files: packageFiles(),
    // What the bundles need at run time, not the toolchain's `engines` (cli/node-version.ts).
    engines: { node: supportedNode },
    // The engine drives Linux process APIs (prctl, /proc) for x64 and arm64 (docs/engine.md).
    os: ['linux'],
    cpu: ['x64', 'arm64'],
  };
}

/** Stages the package in `stageDir` and packs it into `outDir`; returns the tarball's path and the files in it. */
export async function packCli(stageDir: string, outDir: string): Promise<{ tarball: string; files: string[] }> {
  const programs = builtPrograms();
  const own = path.relative(root, nativeProgramPath(path.join(root, 'dist'), hostTarget));
  if (!programs.includes(own)) throw new Error(`dist/ has no ${own}: run \`npm run build\` where gcc and libc6-dev are installed first`);
  fs.rmSync(stageDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(stageDir, 'dist'), { recursive: true });
  await bundleInto(path.join(stageDir, 'dist'), bundles);
  for (const p of programs) {
    fs.mkdirSync(path.dirname(path.join(stageDir, p)), { recursive: true });
    fs.copyFileSync(path.join(root, p), path.join(stageDir, p));
    fs.chmodSync(path.join(stageDir, p), 0o755);
  }
  fs.copyFileSync(path.join(root, 'cli/README.md'), path.join(stageDir, 'README.md'));
  for (const f of ['LICENSE', 'CHANGELOG.md']) fs.copyFileSync(path.join(root, f), path.join(stageDir, f));
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as RootManifest;
  fs.writeFileSync(path.join(stageDir, 'package.json'), `${JSON.stringify(packageManifest(manifest), null, 2)}\n`);
  fs.mkdirSync(outDir, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [packed] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return { tarball: path.join(outDir, packed!.filename), files: packed!.files.map((f) => f.path).sort() };
}

if (require.main === module) {
  const outDir = path.resolve(process.argv[2] ?? root);
  packCli(path.join(root, '.tmp/npm-package'), outDir).then(
    ({ tarball, files }) => console.log(`${path.relative(process.cwd(), tarball)}: ${files.join(', ')}`),
    (e: unknown) => {
      console.error(`npm-package: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
