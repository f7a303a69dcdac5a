import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipelineGraph, resolveStage, stagesToRun, type HostEntry, type Pipeline, type Stage } from '../dsl';
import type { SlurmEntry } from '../dsl/model';
import { lookupProgram } from '../dsl/host-node';
import { stageLabel } from '../dsl/model';
import { builtinOptionsVariable } from './builtins/protocol';
import { filePrefix, runError, type RunError } from './errors';
import type { ResolvedStage } from '../dsl/resolve';
import { interpolate } from '../dsl/vars';
import { execPrefixed, type StagePlan } from './plumbing';

export interface PlanInput {
  file?: string | undefined;
  fileDir: string;
  env: Readonly<Record<string, string | undefined>>;
  to?: string | undefined;
  limit?: number | undefined;
  /** Stages whose output edge to tap (RunOptions.tap). */
  tap?: readonly string[] | undefined;
}

/** A host a stage runs on (`hosts:` entry; engine/ssh.ts turns it into ssh arguments, engine/slurm.ts a Slurm cluster's into srun's). */
export interface RemoteHost {
  name: string;
  /** The ssh destination; for a Slurm cluster, `Slurm`. */
  destination: string;
  port?: number;
  identityFile?: string;
  options: string[];
  slurm?: SlurmEntry;
}

export interface PlannedStage {
  stage: Stage;
  /** The stages it reads, by position in the run: [] for the first, [k - 1] in a straight line. */
  inputs: number[];
  plan: StagePlan;
  /** `on:` — the hosts of its copies, in turn (copy c runs on hosts[c % length]); absent: this machine. */
  hosts?: RemoteHost[];
  /** A `write` stage: the file it writes (resolved against its working directory). */
  writes?: string;
}

/**
 * The bundled program of the built-in stages: next to this code when it runs bundled
 * (dist/cli.cjs, dist/extension.cjs), or in ../dist when it runs from the TypeScript sources.
 */
export function builtinProgram(): { ok: true; path: string } | { ok: false; tried: string[] } {
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const tried = [path.join(here, 'builtin.cjs'), path.join(here, '..', 'dist', 'builtin.cjs')];
  const found = tried.find((p) => fs.existsSync(p));
  return found ? { ok: true, path: found } : { ok: false, tried };
}

/**
 * Everything that can be refused before a process starts: options, a missing built-in program,
 * programs missing from PATH, stages without an action. A `use:` stage runs as
 * `node dist/builtin.cjs NAME` (engine/builtins/), like any other stage. Returns the stages to run (`to` and the stages it reads from).
 */
export function planStages(pipeline: Pipeline, input: PlanInput): { stages: PlannedStage[] } | { error: RunError } {
  const at = filePrefix(input.file);
  const withFile = { file: input.file };
  if (pipeline.stages.length === 0)
    return { error: runError('invalid-pipeline', `${at}the pipeline has no stages; add at least one under \`stages:\``, withFile) };
  const stages = stagesToRun(pipeline, input.to);
  if (!stages) {
    return {
      error: runError(
        'bad-option',
        `${at}there is no stage named \`${input.to}\` to run to; the stages are ${pipeline.stages.map((s) => `\`${s.name}\``).join(', ')}`,
        withFile,
      ),
    };
  }
  const graph = pipelineGraph(pipeline);
  // What each stage reads, by position in this run (stagesToRun keeps every input of a stage it keeps).
  const runIndex = new Map(stages.map((s, k) => [s.index, k]));
  const inputsOf = (stage: Stage) => graph.inputs[stage.index]!.map((i) => runIndex.get(i)!);
  for (const name of input.tap ?? []) {
    if (!pipeline.stages.some((s) => s.name === name)) {
      return {
        error: runError(
          'bad-option',
          `${at}there is no stage named \`${name}\` to peek at; the stages are ${pipeline.stages.map((s) => `\`${s.name}\``).join(', ')}`,
          withFile,
        ),
      };
    }
    if (!stages.some((s) => s.name === name)) {
      return {
        error: runError(
          'bad-option',
          `${at}stage \`${name}\` does not run when running to \`${input.to}\` (it is neither that stage nor one it reads from), so there is nothing to peek at; peek at \`${input.to}\` or a stage it reads from`,
          withFile,
        ),
      };
    }
  }
  if (input.limit !== undefined && !(Number.isSafeInteger(input.limit) && input.limit > 0)) {
    return { error: runError('bad-option', `${at}the record limit must be a whole number of at least 1 (got ${String(input.limit)})`, withFile) };
  }
  const planned: PlannedStage[] = [];
  for (const stage of stages) {
    const label = stageLabel(stage);
    const r = resolveStage(pipeline, stage, input.env, input.fileDir);
    const a = r.action;
    const extra = { ...withFile, stage: stage.name };
    if (!a)
      return {
        error: runError('invalid-pipeline', `${at}${label} has nothing to run; give it \`run:\` or \`command:\` (run \`pipewright check\` for details)`, extra),
      };
    if (stage.on) {
      const remote = remotePlan(pipeline, stage, r, input.env);
      if ('error' in remote) return { error: runError('invalid-pipeline', `${at}${label}: ${remote.error} (run \`pipewright check\` for details)`, extra) };
      planned.push({ ...remote, inputs: inputsOf(stage) });
      continue;
    }
    let argv: string[];
    let env = r.env;
    let writes: string | undefined;
    if (a.kind === 'use') {
      const program = builtinProgram();
      if (!program.ok)
        return {
          error: runError(
            'spawn-failed',
            `${at}${label}: the built-in stages' program is missing (looked for ${program.tried.join(' and ')}); run \`npm run build\``,
            extra,
          ),
        };
      // Options travel in the environment, not in argv (see engine/builtins/protocol.ts).
      argv = [process.execPath, program.path, a.builtin];
      env = { ...r.env, ELECTRON_RUN_AS_NODE: '1', [builtinOptionsVariable]: JSON.stringify(a.options) };
      if (a.builtin === 'write' && typeof a.options.path === 'string') writes = path.resolve(r.dir, a.options.path);
    } else if (a.kind === 'command') {
      const program = a.argv[0];
      if (program === undefined || program === '')
        return { error: runError('invalid-pipeline', `${at}${label} has an empty \`command:\`; give the program and its arguments`, extra) };
      const found = lookupProgram(program, r.dir, r.env.PATH);
      if (found.kind === 'not-executable') {
        const message = `${at}${label}: the program \`${program}\` (${found.path}) is not executable; make it executable (chmod +x) or fix \`command:\``;
        return { error: runError('command-not-found', message, extra) };
      }
      if (found.kind === 'not-found') {
        const where = program.includes('/') ? `at ${path.resolve(r.dir, program)}` : 'on PATH';
        return {
          error: runError('command-not-found', `${at}${label}: the program \`${program}\` was not found ${where}; install it or fix \`command:\``, extra),
        };
      }
      argv = a.argv;
    } else {
      argv = ['/bin/sh', '-c', execPrefixed(a.script)];
    }
    const inputs = inputsOf(stage);
    planned.push(
      writes === undefined ? { stage, inputs, plan: { argv, dir: r.dir, env } } : { stage, inputs, plan: { argv, dir: r.dir, env, commit: true }, writes },
    );
  }
  return { stages: planned };
}

/** How a run reaches the host `name` of `hosts:`: ssh, or a Slurm cluster's job steps (runs, and `pipewright doctor --host`). */
export function remoteHostOf(name: string, h: HostEntry): RemoteHost {
  const host: RemoteHost = h.slurm ? { name, destination: 'Slurm', options: [], slurm: h.slurm } : { name, destination: h.ssh, options: h.options };
  if (h.port !== undefined) host.port = h.port;
  if (h.identityFile !== undefined) host.identityFile = h.identityFile;
  return host;
}

/**
 * A stage on another host: nothing is looked up here (its programs are there). It runs in the
 * remote login folder, or its own `cwd` there; its environment is the remote login one plus the
 * `env` the pipeline and the stage declare (values resolved here, like `${VAR}` in `command`).
 */
function remotePlan(pipeline: Pipeline, stage: Stage, r: ResolvedStage, env: PlanInput['env']): Omit<PlannedStage, 'inputs'> | { error: string } {
  const hosts: RemoteHost[] = [];
  for (const name of stage.on ?? []) {
    const h = pipeline.hosts[name];
    if (!h) return { error: `runs on \`${name}\`, which is not under \`hosts:\`` };
    hosts.push(remoteHostOf(name, h));
  }
  const a = r.action;
  if (!a || a.kind === 'use') return { error: 'built-in stages (`use:`) run on this machine only; remove `on:` or give a `run:` command' };
  if (a.kind === 'command' && !a.argv[0]) return { error: 'has an empty `command:`; give the program and its arguments' };
  const argv = a.kind === 'command' ? a.argv : ['/bin/sh', '-c', execPrefixed(a.script)];
  const declared: Record<string, string> = {};
  for (const k of Object.keys({ ...pipeline.env, ...stage.env })) if (r.env[k] !== undefined) declared[k] = r.env[k];
  const dir = stage.cwd === undefined ? '.' : interpolate(stage.cwd, (n) => r.env[n] ?? env[n]);
  return { stage, plan: { argv, dir, env: declared }, hosts };
}
