/**
 * pw-segment on other hosts (docs/remote.md, "What a host needs"): installed once per version and
 * architecture into the host's cache folder, `${XDG_CACHE_HOME:-~/.cache}/pipewright/VERSION/TARGET/pw-segment`,
 * checked against the sha256 of the build this package carries before every run, as VS Code
 * Remote-SSH installs its server. Everything on the host side is POSIX sh plus `uname` and
 * `sha256sum`: no perl, no bash.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { bundledProgram } from './native-programs';
import { shellQuote } from './plumbing';

declare const PIPEWRIGHT_VERSION: string;
/** The folder name of this version's programs on a host (`dev` from the sources: the checksum still tells builds apart). */
export const hostVersion = typeof PIPEWRIGHT_VERSION === 'string' ? PIPEWRIGHT_VERSION : 'dev';

/** The targets of each machine name `uname -m` gives (Linux only: the builds are Linux ones). */
export const machineTargets: Readonly<Record<string, string>> = { x86_64: 'linux-x64', amd64: 'linux-x64', aarch64: 'linux-arm64', arm64: 'linux-arm64' };
/** Each target once. */
const hostTargets = [...new Set(Object.values(machineTargets))];

export interface HostBuild {
  target: string;
  file: string;
  sha256: string;
}

let builds: HostBuild[] | undefined;
/** The builds this package carries (a VSIX: its own target's only), with their checksums, read once per process. */
export function hostBuilds(): readonly HostBuild[] {
  builds ??= hostTargets.flatMap((target) => {
    const file = bundledProgram(target);
    if (!file) return [];
    return [{ target, file, sha256: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') }];
  });
  return builds;
}

/** Where a host keeps the program of this version and `target` (the shell expands it there). */
const folder = (version: string, target: string) => `\${XDG_CACHE_HOME:-$HOME/.cache}/pipewright/${version}/${target}`;

/**
 * sh that finds this version's program for the machine it runs on (`$v`: the version; the script's
 * remaining arguments: TARGET SHA256 pairs): `$t` the target, `$s` its checksum, `$d` its folder, `$p` its place,
 * `sum FILE` whether a file has that checksum and `ok` whether a good one is there; a machine without a build says `\x01a MACHINE` on stderr, exit 70.
 * Over ssh (hostCommand) and in a Slurm step (engine/slurm.ts).
 */
export const findProgram = [
  'm=$(uname -m)',
  `case $m in ${Object.entries(machineTargets)
    .map(([machine, target]) => `${machine}) t=${target};;`)
    .join(' ')} *) t=;; esac`,
  's=; while [ $# -ge 2 ]; do [ "$1" = "$t" ] && s=$2; shift 2; done',
  '[ -n "$s" ] || { printf "\\001a %s\\n" "$m" >&2; exit 70; }',
  `d=${folder('$v', '$t')}; p=$d/pw-segment`,
  'sum() { [ "$(sha256sum < "$1" 2>/dev/null)" = "$s  -" ]; }',
  'ok() { [ -f "$p" ] && sum "$p"; }',
];

/** sh (after findProgram) that writes all of stdin beside `$p` and renames it there once its checksum is `$s`: a run never sees half a file, and two at once both leave a whole one. */
export const installFromStdin = 'f=$d/.pw-segment.$$; mkdir -p "$d" && cat > "$f" && sum "$f" && chmod 755 "$f" && mv -f "$f" "$p"';

/**
 * The session's command on a host: finds the target from `uname -m` (none: `\x01a MACHINE` on
 * stderr, exit 70) and checks the cached program's checksum. When it matches it says so
 * (`\x01g`); when it is missing or does not, it asks for it (`\x01n TARGET`) and reads it from
 * its stdin, framed by the engine (`programFrame`), before the plan: `LENGTH\n`, then the bytes,
 * read by `dd` one read at a time (never past them), written next to its place, checked and
 * renamed there, so a run never sees half a file and two installing at once both leave a whole
 * one. Then it becomes pw-segment, which reads the plan and the data from the same stdin: nothing
 * of sh stays. One session, no perl, no bash. `control`: the forwarded socket, or `-`.
 */
export function hostCommand(control: string, version = hostVersion, available: readonly HostBuild[] = hostBuilds()): string {
  return ['exec', '/bin/sh', '-c', ...hostScript(control, version, available)].map(shellQuote).join(' ');
}

/** What `sh -c` runs for hostCommand: the script and its arguments. */
export function hostScript(control: string, version = hostVersion, available: readonly HostBuild[] = hostBuilds()): string[] {
  const script = [
    'v=$1 c=$2; shift 2',
    ...findProgram,
    'f=$d/.pw-segment.$$',
    'if ok; then printf "\\001g\\n" >&2; else',
    '  printf "\\001n %s\\n" "$t" >&2; IFS= read -r n || exit 75',
    '  mkdir -p "$d" && : > "$f" || n=-1; h=0',
    '  while [ "$h" -lt "$n" ]; do dd bs=$((n - h)) count=1 2>/dev/null >> "$f" || break; g=$(($(wc -c < "$f"))); [ "$g" -gt "$h" ] || break; h=$g; done',
    '  [ "$h" = "$n" ] && sum "$f" && chmod 755 "$f" && mv -f "$f" "$p" ||',
    '    { rm -f "$f"; echo "pipewright: could not install pw-segment into $d (it needs sha256sum and room there)" >&2; exit 1; }',
    'fi',
    'exec "$p" --host "$c"',
  ].join('\n');
  return [script, 'pipewright', version, control, ...available.flatMap((b) => [b.target, b.sha256])];
}

/** What the engine writes on the session's stdin when the host asks for `build` (hostCommand): its length, a newline, its bytes. */
export function programFrame(build: HostBuild): Buffer {
  const bytes = fs.readFileSync(build.file);
  return Buffer.concat([Buffer.from(`${bytes.length}\n`), bytes]);
}

/** Why a host of machine `machine` (`uname -m`) cannot run stages, naming its entry. */
export function unsupportedMachine(where: string, machine: string, available: readonly HostBuild[] = hostBuilds()): string {
  const have = available.map((b) => b.target).join(', ') || 'no target';
  const target = machineTargets[machine];
  const why = target
    ? `this Pipewright carries pw-segment for ${have} only (install the package for ${target}, or the CLI from npm, which carries every build)`
    : `Pipewright has pw-segment builds for ${hostTargets.join(' and ')} only`;
  return `cannot run on ${where}: its machine is ${machine} (uname -m), and ${why}`;
}
