/**
 * The engine's native program, dist/pw-segment, which runs every local segment (engine/native/,
 * built by scripts/build.ts). Each platform's build has its own folder, `dist/native/TARGET/`
 * (TARGET as VS Code names platforms: linux-x64, linux-arm64); a package carries only its own
 * (docs/engine.md, "Platforms"). Whether it runs here is read from its ELF header (its machine
 * must be this process's architecture), not by starting it: a synchronous probe cost a fork and
 * exec in every CLI run (bench/README.md, issue 21).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The target this process runs on, as VS Code names platforms. */
export const hostTarget = `${process.platform}-${process.arch}`;

/** ELF e_machine of each architecture Node runs on that a build exists for. */
const elfMachine: Record<string, number> = { x64: 62, arm64: 183 };

const found = new Map<string, string | undefined>();

/** Where the build of `target` lives, below the folder of the bundles (`dist/`). */
export function nativeProgramPath(dist: string, target: string): string {
  return path.join(dist, 'native', target, 'pw-segment');
}

/** Whether `file` is an ELF executable for `arch` (64-bit, little-endian). */
export function isElfFor(file: string, arch: string): boolean {
  const head = Buffer.alloc(20);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.readUInt32BE(0) === 0x7f454c46 && head[4] === 2 && head[5] === 1 && head.readUInt16LE(18) === elfMachine[arch];
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The build of `target` this package carries, whatever this machine is (a host's may be another): next to the bundles, or in dist/ from the sources. */
export function bundledProgram(target: string): string | undefined {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  return [nativeProgramPath(here, target), nativeProgramPath(path.join(here, '..', 'dist'), target)].find((p) => fs.existsSync(p));
}

/** The path of pw-segment when this platform's build is there (checked once per process). */
export function nativeProgram(): string | undefined {
  if (found.has(hostTarget)) return found.get(hostTarget);
  const file = bundledProgram(hostTarget);
  const runs = process.platform === 'linux' && file !== undefined && isElfFor(file, process.arch);
  found.set(hostTarget, runs ? file : undefined);
  return found.get(hostTarget);
}
