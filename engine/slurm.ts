/**
 * Stages on a Slurm cluster (docs/remote.md#slurm): each segment is a job step started with `srun`,
 * whose data does not go through srun's stdio (1 KB reads, no early stop) but through connections
 * the step makes back to this machine. `pw-segment --slurm-local` (engine/native/slurm-local.c) is
 * the local end (to engine/remote.ts what `ssh` is for an ssh host); in the step a few lines of sh
 * find pw-segment in the node's cache folder, as over ssh (or install it from srun's stdin), and
 * exec `pw-segment --slurm-step` (engine/native/slurm-step.c). Nothing but sh, `uname` and
 * `sha256sum` is needed on the node. Slurm places the steps; the engine never picks a node.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as os from 'node:os';
import { findProgram, hostBuilds, hostVersion, installFromStdin } from './host-install';
import { nativeProgram } from './native-programs';
import type { RemoteHost } from './preflight';
import { withParentDeath } from './segment';

/**
 * What the step runs: sh reads the local end's line from srun's stdin (`ADDRESS PORT TOKEN`), finds
 * this version's pw-segment for its machine, and when the node has none asks for it (`\x01n TARGET`
 * on stdout: the bytes follow on stdin), then execs it with the line in its environment only.
 */
const stepScript = [
  'v=$1; shift',
  ...findProgram,
  'IFS= read -r b || exit 75',
  'if ! ok; then printf "\\001n %s\\n" "$t"',
  `  ${installFromStdin} || rm -f "$f"`,
  '  ok || { echo "pipewright: could not install pw-segment into $d on $(uname -n) (it needs sha256sum and room there)" >&2; exit 70; }; fi',
  '__PW_SLURM_BACK=$b exec "$p" --slurm-step',
].join('\n');

/**
 * srun's arguments for a step of `host` named `jobName`: the host's settings, then its `options`
 * (so they win over those), then what the engine needs (one task on one node: the segment is one
 * process tree; stdin for the task only), then the step's sh with this version and the checksum of
 * each build (it checks the node's cached pw-segment against them).
 */
export function srunArgs(host: RemoteHost, jobName: string): string[] {
  const s = host.slurm ?? { options: [] };
  const asked = [
    s.partition === undefined ? [] : [`--partition=${s.partition}`],
    s.time === undefined ? [] : [`--time=${s.time}`],
    s.cpus === undefined ? [] : [`--cpus-per-task=${s.cpus}`],
    s.mem === undefined ? [] : [`--mem=${s.mem}`],
  ].flat();
  const builds = hostBuilds().flatMap((b) => [b.target, b.sha256]);
  return [
    'srun',
    `--job-name=${jobName}`,
    ...asked,
    ...s.options,
    '--ntasks=1',
    '--nodes=1',
    '--input=0',
    '--',
    '/bin/sh',
    '-c',
    stepScript,
    'pipewright',
    hostVersion,
    ...builds,
  ];
}

/** A job name Slurm shows in squeue, unique to the segment (scancel finds it by that name). */
export function jobName(stage: string): string {
  return `pw-${stage}-${crypto.randomBytes(4).toString('hex')}`;
}

const resolved = new Map<string, string>();
/**
 * The numeric address the steps connect back to (the local end listens there): `name` itself when
 * it is one, else its first address from the system's resolver (`getent`, once per name and
 * process: the static pw-segment has no resolver of its own); the name when it has none (the local
 * end then says it cannot resolve it).
 */
export function numericAddress(name: string): string {
  if (net.isIP(name)) return name;
  let ip = resolved.get(name);
  if (ip === undefined) {
    try {
      ip = execFileSync('getent', ['ahosts', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\s/)[0] ?? '';
    } catch {
      ip = '';
    }
    ip = net.isIP(ip) ? ip : name;
    resolved.set(name, ip);
  }
  return ip;
}

/**
 * How the local end is started: `pw-segment --slurm-local` with srun's arguments, with SIGHUP
 * when this process dies (it then scancels its job); undefined without this platform's pw-segment.
 */
export function slurmLaunch(
  host: RemoteHost,
  stage: string,
  controlSocket: string | undefined,
): { file: string; args: string[]; env: Record<string, string> } | undefined {
  const program = nativeProgram();
  const name = jobName(stage);
  const launch = program === undefined ? undefined : withParentDeath([program, '--slurm-local', ...srunArgs(host, name)]);
  if (!launch) return undefined;
  const env: Record<string, string> = {
    __PW_SLURM_ADDR: numericAddress(host.slurm?.address ?? os.hostname()),
    __PW_SLURM_NAME: name,
    __PW_SLURM_PROGRAMS: hostBuilds()
      .map((b) => `${b.target}=${b.file}`)
      .join(' '),
  };
  if (controlSocket !== undefined) env.__PW_CTL_LOCAL = controlSocket;
  return { ...launch, env };
}

/** srun's lines that say how the job is getting on, not what went wrong. */
const progress =
  /queued and waiting for resources|has been allocated resources|Job allocation \d+ has been revoked|Requested partition configuration not available now/;

/** Slurm's reason for ending a step (`*** STEP 12.0 ON node CANCELLED AT … DUE TO TIME LIMIT ***`): `time limit`; undefined when it gave none. */
export function slurmReason(said: readonly string[]): { reason: string; line: string } | undefined {
  for (const line of said.toReversed()) {
    const m =
      /\*\*\* (?:STEP|JOB) \S+ ON \S+ CANCELLED AT \S+ DUE TO ([A-Z ]+?) \*\*\*/.exec(line) ??
      /\*\*\* (?:STEP|JOB) \S+ ON \S+ CANCELLED AT \S+ (?:BY|DUE)/.exec(line);
    if (m) return { reason: m[1]?.toLowerCase() ?? 'cancelled', line: line.replace(/^(?:srun|slurmstepd(?:-\S+)?): error: /, '') };
  }
  return undefined;
}

/**
 * Why a step's stages never reported, naming the cluster: Slurm ended it (its reason), it never
 * started (srun's last error), or it ended on the way.
 */
export function slurmLost(host: RemoteHost, said: readonly string[], started: boolean, exitCode: number | null): string {
  const where = `Slurm cluster \`${host.name}\``;
  const cancelled = slurmReason(said);
  if (cancelled) return `was ended by Slurm on ${where} (${cancelled.reason}): ${cancelled.line}`;
  const last = said.filter((l) => !progress.test(l)).at(-1);
  if (!started) {
    const why = last ?? `srun exited with code ${exitCode}`;
    return `could not start as a job step on ${where}: ${why}; check that \`srun -n1 true\` works from this machine (srun on PATH, the cluster's slurm.conf found)`;
  }
  return `lost its job step on ${where}${last ? `: ${last}` : exitCode === null ? '' : ` (srun exited with code ${exitCode})`}`;
}

/** What a Slurm segment tells its run besides what any segment does: waiting for Slurm, then where its step runs. */
export type SlurmPlacement = { waiting: true; job?: string } | { waiting: false; step: string; node: string };
