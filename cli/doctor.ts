/**
 * `pipewright doctor`: what this machine has and lacks for local and remote runs, each lack with
 * the command that fixes it (docs/cli.md#pipewright-doctor). Every probe asks the real thing: the
 * engine programs are started (as the engine starts them), ssh is asked its version, a host is
 * reached through the run's own ssh arguments. Nothing of a pipeline is run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostBuilds, hostVersion, machineTargets, unsupportedMachine } from '../engine/host-install';
import { loadPipeline } from '../engine/load';
import { nativeProgram } from '../engine/native-programs';
import { builtinProgram, remoteHostOf } from '../engine/preflight';
import { SshSessions, sshCommandLine } from '../engine/ssh';
import { ExitCode } from './exit-codes';
import { minimumNodeMajor } from './node-version';

export interface Finding {
  /** What was looked for, e.g. "ssh" or "engine program (linux-x64)". */
  what: string;
  ok: boolean;
  /** Where it was found and its version, or what is wrong and what needs it. */
  detail: string;
  /** A command that fixes a lack. */
  fix?: string | undefined;
}

export interface Section {
  title: string;
  findings: Finding[];
}

/** Debian/Ubuntu packages for what the engine uses; elsewhere the same names usually fit. */
function install(...packages: string[]): string {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return fs.existsSync('/usr/bin/apt-get') ? `${sudo}apt-get install ${packages.join(' ')}` : `install ${packages.join(', ')} with your package manager`;
}

/** The first line a program prints for `args` (stdout, else stderr), or undefined when it does not start. */
function versionOf(file: string, args: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(file, args, { encoding: 'utf8', env, timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) return undefined;
  return (r.stdout.trim() || r.stderr.trim()).split('\n')[0];
}

/** The Node/Linux name of this machine's platform, e.g. linux-x64: the names of the engine's builds. */
export const thisTarget = `${process.platform}-${process.arch}`;

/** Where a missing engine program comes from: a build in a clone, the package anywhere else, nowhere on other systems yet. */
function programFix(): string {
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch))
    return `there is no engine for ${thisTarget} yet: run Pipewright on Linux (a container, WSL, or a Linux host; see the README)`;
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  if (fs.existsSync(path.join(here, '..', 'engine', 'native', 'segment.c'))) return `${install('gcc', 'libc6-dev')} && npm run build`;
  return 'npm install -g pipewright (this install is missing it; reinstalling puts it back)';
}

/** This machine: what local runs need. */
export function localFindings(env: NodeJS.ProcessEnv = process.env): Finding[] {
  const major = Number(process.versions.node.split('.')[0]);
  const findings: Finding[] = [
    {
      what: 'Node',
      ok: major >= minimumNodeMajor,
      detail: `${process.version} (${process.execPath})${major >= minimumNodeMajor ? '' : `: Pipewright needs Node ${minimumNodeMajor} or later`}`,
      fix: major >= minimumNodeMajor ? undefined : 'install Node 20 or later (https://nodejs.org), then npm install -g pipewright again',
    },
  ];
  const builtin = builtinProgram();
  findings.push(
    builtin.ok
      ? { what: 'built-in stages', ok: true, detail: builtin.path }
      : { what: 'built-in stages', ok: false, detail: `not found (looked at ${builtin.tried.join(', ')}): \`use:\` stages cannot run`, fix: programFix() },
  );
  // Found as the engine finds it (engine/segment.ts): a copy built for another machine is a lack too.
  const engine = nativeProgram();
  const what = `engine program (${thisTarget})`;
  findings.push(
    engine
      ? { what, ok: true, detail: engine }
      : { what, ok: false, detail: 'not there or built for another machine: no pipeline can run here', fix: programFix() },
  );
  const sort = versionOf('sort', ['--version'], env);
  const gnuSort = sort?.includes('GNU') === true;
  findings.push({
    what: 'GNU sort',
    ok: gnuSort,
    detail: gnuSort ? sort : `${sort ?? 'sort not found on PATH'}: \`pipewright compare --records\` and the editor's record comparison need GNU sort`,
    fix: gnuSort ? undefined : install('coreutils'),
  });
  return findings;
}

/**
 * What stages on other hosts (`on:`) need here: the system OpenSSH client (engine/ssh.ts; this
 * machine's pw-segment starts it, checked above). Slurm clusters need srun (the language server warns
 * without it) and nothing more here; a host or a node needs no perl and no bash (hostSection).
 */
export function remoteFindings(env: NodeJS.ProcessEnv = process.env): Finding[] {
  const ssh = versionOf('ssh', ['-V'], env);
  return [
    ssh
      ? { what: 'ssh', ok: true, detail: ssh }
      : { what: 'ssh', ok: false, detail: 'not found on PATH: stages with `on:` reach their hosts through it', fix: install('openssh-client') },
  ];
}

/** What the probe prints on a host: `uname -sm`, sha256sum's path (or -), and the cached program's path and checksum (or -). */
const hostProbe = [
  'uname -sm; command -v sha256sum || echo -',
  `p=\${XDG_CACHE_HOME:-$HOME/.cache}/pipewright/${hostVersion}/`,
  'for t in linux-x64 linux-arm64; do [ -f "$p$t/pw-segment" ] && echo "$p$t/pw-segment $(sha256sum < "$p$t/pw-segment")"; done; true',
].join('; ');

/** A host of FILE's `hosts:`, reached as a run reaches it; a message instead when FILE or NAME is wrong. */
export function hostSection(name: string, file: string, env: NodeJS.ProcessEnv = process.env): Section | string {
  const loaded = loadPipeline(file, env);
  if (!loaded.ok) return loaded.error.message;
  const entry = loaded.pipeline.hosts[name];
  const names = Object.keys(loaded.pipeline.hosts);
  if (!entry)
    return `${file}: there is no host \`${name}\` under \`hosts:\`; ${names.length > 0 ? `its hosts are ${names.map((n) => `\`${n}\``).join(', ')}` : 'it has none'}`;
  if (entry.slurm)
    return `${file}: \`${name}\` is a Slurm cluster; doctor --host checks ssh hosts (try \`srun -n1 true\` with its options, docs/remote.md#slurm)`;
  const host = remoteHostOf(name, entry);
  const sessions = new SshSessions();
  const title = `host ${name} (ssh ${entry.ssh})`;
  const r = spawnSync('ssh', sessions.args(host, hostProbe), { encoding: 'utf8', env, timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    const said = r.error ? r.error.message : r.stderr.trim().split('\n').pop() || `ssh exited with code ${r.status}`;
    return {
      title,
      findings: [{ what: 'reachable', ok: false, detail: said, fix: `make this work without a prompt: ${sshCommandLine(sessions, host)} (docs/remote.md)` }],
    };
  }
  const [uname = '', sha256sum = '-', ...cached] = r.stdout.trim().split('\n');
  const [system, machine = ''] = uname.split(' ');
  const build = hostBuilds().find((b) => b.target === machineTargets[machine]);
  const runs = system === 'Linux' && build !== undefined;
  const findings: Finding[] = [
    { what: 'reachable', ok: true, detail: 'without a prompt, as a run connects' },
    {
      what: 'system',
      ok: runs,
      detail: runs
        ? `Linux ${machine} (${build.target})`
        : `${uname}: ${system === 'Linux' ? unsupportedMachine(`host \`${name}\``, machine) : 'stages on hosts run on Linux only'}`,
      fix: runs ? undefined : 'point `on:` at a Linux host on x86_64 or aarch64',
    },
    sha256sum === '-'
      ? { what: 'sha256sum', ok: false, detail: 'not found there: a run checks the installed pw-segment with it', fix: `on ${name}: ${install('coreutils')}` }
      : { what: 'sha256sum', ok: true, detail: sha256sum },
  ];
  if (!build) return { title, findings };
  const [where, sum] = cached.find((l) => l.includes(`/${build.target}/pw-segment `))?.split(' ') ?? [];
  const size = `${Math.round(fs.statSync(build.file).size / 1024)} KB`;
  findings.push({
    what: 'pw-segment',
    ok: true,
    detail:
      where === undefined
        ? `not installed for ${hostVersion} yet: the first run installs it over ssh (${size})`
        : sum === build.sha256
          ? `installed for ${hostVersion}: ${where}`
          : `${where} does not match this version's checksum: the next run replaces it (${size} over ssh)`,
  });
  return { title, findings };
}

function print(sections: Section[], out: NodeJS.WritableStream): number {
  const width = Math.max(...sections.flatMap((s) => s.findings.map((f) => f.what.length)));
  let lacking = 0;
  for (const s of sections) {
    out.write(`${s.title}\n`);
    for (const f of s.findings) {
      out.write(`  ${f.ok ? 'ok     ' : 'MISSING'}  ${f.what.padEnd(width)}  ${f.detail}\n`);
      if (!f.ok) {
        lacking++;
        if (f.fix) out.write(`  ${' '.repeat(7)}  ${' '.repeat(width)}  fix: ${f.fix}\n`);
      }
    }
  }
  out.write(lacking === 0 ? 'Everything Pipewright uses is there.\n' : `${lacking} missing; each says how to fix it.\n`);
  return lacking;
}

/** `pipewright doctor [--host NAME FILE]`. */
export function doctorCommand(version: string, host?: { name: string; file: string }): number {
  const sections: Section[] = [
    { title: `pipewright ${version} on ${thisTarget}: local runs`, findings: localFindings() },
    { title: 'stages on other hosts (`on:`)', findings: remoteFindings() },
  ];
  if (host) {
    const section = hostSection(host.name, host.file);
    if (typeof section === 'string') {
      process.stderr.write(`pipewright: ${section}\n`);
      return ExitCode.Unreadable;
    }
    sections.push(section);
  }
  return print(sections, process.stdout) === 0 ? ExitCode.Ok : ExitCode.Problems;
}
