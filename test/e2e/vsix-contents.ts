// What a VSIX may hold (the allow-list the packaged extension is checked against, test/e2e/vsix.ts):
// the bundles and what they read at run time, the marketplace files, and the engine programs of
// the VSIX's own target only. No sources, no tests, no source maps, no node_modules.
import { nativeProgramNames } from '../../scripts/native';

/** An entry of the VSIX (its path inside the zip) and, for an executable, the architecture its ELF header names. */
export interface VsixEntry {
  path: string;
  machine?: 'x64' | 'arm64' | 'other' | undefined;
}

const allowed: RegExp[] = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt|language-configuration\.json)$/,
  /^extension\/dist\/(extension|server|cli|cli-main|builtin)\.cjs$/,
  /^extension\/dist\/(panel|records|compare)\.js$/,
  /^extension\/schemas\/pipeline\.schema\.json$/,
  /^extension\/syntaxes\/[\w.-]+\.tmLanguage\.json$/,
  /^extension\/media\/[\w-]+\.(css|svg)$/,
  /^extension\/media\/icon\.png$/,
  /^extension\/media\/walkthrough\/[\w-]+\.md$/,
  /^extension\/docs\/dsl\.md$/,
];

/** Files the extension cannot work without. */
const required = [
  'extension/package.json',
  'extension/dist/extension.cjs',
  'extension/dist/server.cjs',
  'extension/dist/builtin.cjs',
  'extension/media/icon.png',
];

/** An engine program and the target whose folder holds it: dist/native/TARGET/NAME (engine/native-programs.ts). */
function programOf(p: string): { name: string; dir: string } | undefined {
  const m = /^extension\/dist\/native\/([\w-]+)\/([\w-]+)$/.exec(p);
  return m && nativeProgramNames.includes(m[2]!) ? { name: m[2]!, dir: m[1]! } : undefined;
}

/**
 * Problems with a VSIX's contents, in words ([] when it is right). `target` is the VSIX's target
 * platform (`vsce package --target`, e.g. linux-x64), undefined for a universal VSIX. A VSIX
 * holds each engine program for its target, in that target's folder, and nothing built for
 * another; a universal VSIX cannot be right (`npm run package` makes one per target).
 */
export function vsixProblems(entries: readonly VsixEntry[], target: string | undefined, packagingArch: string = process.arch): string[] {
  const problems: string[] = [];
  const arch = target === undefined ? packagingArch : /^linux-(x64|arm64)$/.exec(target)?.[1];
  if (arch === undefined) problems.push(`target ${target}: the engine programs are built for linux-x64 and linux-arm64 only`);
  for (const e of entries) {
    const program = programOf(e.path);
    if (program) {
      if (program.dir !== target) problems.push(`${e.path}: a program for ${program.dir} in a VSIX for ${target ?? 'every platform'}`);
      else if (e.machine !== arch) problems.push(`${e.path}: built for ${e.machine ?? 'no known architecture'}, not ${arch} (${target ?? 'universal'} VSIX)`);
    } else if (!allowed.some((re) => re.test(e.path))) {
      problems.push(`${e.path} is not on the allow-list (sources, tests, source maps and node_modules stay out: .vscodeignore)`);
    }
  }
  const paths = new Set(entries.map((e) => e.path));
  for (const r of required) if (!paths.has(r)) problems.push(`${r} is missing`);
  for (const name of nativeProgramNames) {
    if (!entries.some((e) => programOf(e.path)?.name === name))
      problems.push(`the engine program ${name} is missing: build it (gcc, libc6-dev) before packaging`);
  }
  return problems;
}

/** The architecture an ELF header names (e_machine, little-endian at byte 18), for the programs of a VSIX. */
export function elfMachine(head: Buffer): VsixEntry['machine'] {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const machine = head.readUInt16LE(18);
  return machine === 62 ? 'x64' : machine === 183 ? 'arm64' : 'other';
}
