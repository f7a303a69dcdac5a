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
 * remaining arguments: TARGET SHA256 pairs): `$t` the target, `$s` its checksum, `$p` its place
 * and `ok` whether a good one is there; a machine without a build says `\x01a MACHINE` on stderr, exit 70.
 * Over ssh (hostCommand) and in a Slurm step (engine/slurm.ts).
 */
export const findProgram = [
  'm=$(uname -m)',
  `case $m in ${Object.entries(machineTargets)
    .map(([machine, target]) => `${machine}) t=${target};;`)
    .join(' ')} *) t=;; esac`,
  's=; while [ $# -ge 2 ]; do [ "$1" = "$t" ] && s=$2; shift 2; done',
  '[ -n "$s" ] || { printf "\\001a %s\\n" "$m" >&2; exit 70; }',
  `p=${folder('$v', '$t')}/pw-segment`,
  'ok() { [ -f "$p" ] && [ "$(sha256sum < "$p" 2>/dev/null)" = "$s  -" ]; }',
];

/** sh that writes stdin beside `$d/pw-segment` and renames it there once its checksum is `$s`: a run never sees half a file, and two at once both leave a whole one. */
export const installFromStdin =
  'f=$d/.pw-segment.$$; mkdir -p "$d" && cat > "$f" && [ "$(sha256sum < "$f")" = "$s  -" ] && chmod 755 "$f" && mv -f "$f" "$d/pw-segment"';

/**
 * The session's command on a host: finds the target from `uname -m` (none: `\x01a MACHINE` on
 * stderr, exit 70), checks the cached program's checksum, and when it is missing or does not
 * match asks for it (`\x01n TARGET` on stderr: the engine installs it over a session of its own,
 * `installCommand`) and waits until it is there, or until its session has gone (sshd's process,
 * its parent, has exited). Then it becomes pw-segment: nothing of sh stays. Nothing is read from
 * stdin before that (it carries the plan, then the data). `control`: the forwarded socket, or `-`.
 */
export function hostCommand(control: string, version = hostVersion, available: readonly HostBuild[] = hostBuilds()): string {
  const script = [
    'v=$1 c=$2; shift 2',
    ...findProgram,
    'if ! ok; then printf "\\001n %s\\n" "$t" >&2',
    '  until ok; do kill -0 "$PPID" 2>/dev/null || exit 75; sleep 0.05 2>/dev/null || sleep 1; done; fi',
    'exec "$p" --host "$c"',
  ].join('\n');
  return ['exec', '/bin/sh', '-c', script, 'pipewright', version, control, ...available.flatMap((b) => [b.target, b.sha256])].map(shellQuote).join(' ');
}

/**
 * The command of the session that installs `build` (its bytes on stdin): written next to its place
 * and renamed there once its checksum matches, so a run never sees half a file and two installing
 * at once both leave a whole one. Exit 0 when installed; else a line on stderr says why.
 */
export function installCommand(build: HostBuild, version = hostVersion): string {
  const script = [
    `d=${folder('$1', '$2')}; s=$3`,
    `if ${installFromStdin}; then exit 0; fi`,
    'rm -f "$f"; echo "pipewright: could not install pw-segment into $d (it needs sha256sum and room there)" >&2; exit 1',
  ].join('\n');
  return ['exec', '/bin/sh', '-c', script, 'pipewright', version, build.target, build.sha256].map(shellQuote).join(' ');
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
