/**
 * `hosts:` and a stage's `on:` (docs/remote.md): the model, and the rules the schema cannot say.
 * Nothing here connects anywhere: a host is checked as text.
 */
import type { Document } from 'yaml';
import type { DslHost } from './host';
import { stageLabel, type HostEntry, type Pipeline, type SlurmEntry, type Stage } from './model';
import type { Parsed } from './parse';
import type { Span } from './span';
import { unquoted } from './stage-refs';
import { problem, type Problem } from './problems';
import { closest, didYouMean } from './suggest';
import { locate } from './yaml-nodes';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((o): o is string => typeof o === 'string') : []);

/** A `slurm:` mapping as written (the schema checks its values). */
function slurmOf(v: Record<string, unknown>): SlurmEntry {
  const entry: SlurmEntry = { options: strings(v.options) };
  for (const k of ['partition', 'time', 'mem', 'address'] as const) if (typeof v[k] === 'string') entry[k] = v[k];
  if (typeof v.cpus === 'number' && Number.isInteger(v.cpus)) entry.cpus = v.cpus;
  return entry;
}

/**
 * The `hosts:` map as written: ssh hosts, and Slurm clusters (`slurm:` without `ssh:`, kept with
 * an empty `ssh`). Entries with neither, or both, are left out (hostProblems reports them).
 */
export function hostsOf(raw: unknown): Record<string, HostEntry> {
  const hosts: Record<string, HostEntry> = {};
  if (!isObject(raw)) return hosts;
  for (const [name, v] of Object.entries(raw)) {
    if (!isObject(v)) continue;
    if (isObject(v.slurm) && v.ssh === undefined) {
      hosts[name] = { name, ssh: '', options: [], slurm: slurmOf(v.slurm) };
      continue;
    }
    if (typeof v.ssh !== 'string' || v.slurm !== undefined) continue;
    const entry: HostEntry = { name, ssh: v.ssh, options: strings(v.options) };
    if (typeof v.port === 'number' && Number.isInteger(v.port)) entry.port = v.port;
    if (typeof v.identityFile === 'string') entry.identityFile = v.identityFile;
    hosts[name] = entry;
  }
  return hosts;
}

/** A stage's `on:`: one name or a list of them; undefined when absent or of the wrong type. */
export function stageHosts(raw: unknown): string[] | undefined {
  if (typeof raw === 'string' && raw !== '') return [raw];
  if (Array.isArray(raw) && raw.length > 0 && raw.every((h) => typeof h === 'string' && h !== '')) return raw as string[];
  return undefined;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * What ssh would take for an option or a destination but should not come from a pipeline file:
 * a destination starting with `-` (read as an option), blanks or control characters.
 */
function badDestination(ssh: string): string | undefined {
  if (ssh.startsWith('-')) return 'starts with `-`, which ssh would read as an option';
  if (/\s/.test(ssh)) return 'holds a blank; give only the destination (`user@host`), and the port and options in their own keys';
  if (hasControl(ssh)) return 'holds a control character';
  return undefined;
}

/** The ssh keys of a host entry, which a `slurm:` one cannot have. */
const sshKeys = ['ssh', 'port', 'identityFile', 'options'] as const;

/**
 * What a host entry is not: neither `ssh:` nor `slurm:` (invalid-value), or a `slurm:` with ssh
 * keys (slurm-with-ssh; `login` over ssh is not built). `srun` missing from PATH here is a
 * warning (srun-not-found) for a cluster a stage runs on: runs will fail until it is installed.
 */
function entryProblems(doc: Document, pipeline: Pipeline, declared: Record<string, unknown>, used: ReadonlySet<string>, host: DslHost | undefined): Problem[] {
  const problems: Problem[] = [];
  for (const [name, v] of Object.entries(declared)) {
    if (!isObject(v)) continue;
    const at = locate(doc, ['hosts', name]);
    if (v.ssh === undefined && v.slurm === undefined) {
      const message = `\`${name}\` needs the key \`ssh\` (a machine reached over ssh) or \`slurm\` (a Slurm cluster).`;
      problems.push(problem('invalid-value', at.key ?? at.value, message));
    }
    if (v.slurm === undefined) continue;
    const extra = sshKeys.filter((k) => v[k] !== undefined);
    if (extra.length > 0) {
      const keys = extra.map((k) => `\`${k}\``).join(', ');
      const message = `Host \`${name}\` is a Slurm cluster (\`slurm:\`) and has ${keys}, which only an ssh host takes; make it two hosts, or remove ${keys}.`;
      problems.push(problem('slurm-with-ssh', locate(doc, ['hosts', name, 'slurm']).key ?? at.value, message));
    }
  }
  const clusters = Object.values(pipeline.hosts).filter((h) => h.slurm && used.has(h.name));
  if (host && clusters.length > 0 && host.findProgram('srun', '/').kind !== 'found') {
    for (const c of clusters) {
      const message = `Host \`${c.name}\` is a Slurm cluster, but \`srun\` is not on PATH here; runs will fail until this machine is a submit host of the cluster (install Slurm's client, e.g. Debian's \`slurm-client\`, and its \`slurm.conf\`).`;
      problems.push(problem('srun-not-found', locate(doc, ['hosts', c.name, 'slurm']).key ?? locate(doc, ['hosts', c.name]).value, message));
    }
  }
  return problems;
}

/** bad-host, srun-not-found and host entries without a kind: the problems of `hosts:` itself. `used`: the hosts stages run on. */
export function pipelineHostProblems(doc: Document, pipeline: Pipeline, data: unknown, used: ReadonlySet<string>, host?: DslHost): Problem[] {
  const problems: Problem[] = [];
  for (const entry of Object.values(pipeline.hosts)) {
    if (entry.slurm) continue;
    const why = badDestination(entry.ssh);
    if (why) problems.push(problem('bad-host', locate(doc, ['hosts', entry.name, 'ssh']).value, `Host \`${entry.name}\`: \`ssh: ${entry.ssh}\` ${why}.`));
    entry.options.forEach((o, i) => {
      if (hasControl(o))
        problems.push(
          problem('bad-host', locate(doc, ['hosts', entry.name, 'options', i]).value, `Host \`${entry.name}\`: an ssh option holds a control character.`),
        );
    });
  }
  // A host written under `hosts:` but invalid (no `ssh:`) has its own problem: one cause, one problem.
  problems.push(...entryProblems(doc, pipeline, declaredHosts(data), used, host));
  return problems;
}

const declaredHosts = (data: unknown): Record<string, unknown> => (isObject(data) && isObject(data.hosts) ? data.hosts : {});

/** unknown-host and remote-builtin: one stage's `on:`. */
export function stageHostProblems(doc: Document, pipeline: Pipeline, data: unknown, stage: Stage): Problem[] {
  if (!stage.on) return [];
  const problems: Problem[] = [];
  const names = Object.keys(pipeline.hosts);
  const declared = declaredHosts(data);
  const raws = isObject(data) && Array.isArray(data.stages) ? data.stages : [];
  const listed = Array.isArray((raws[stage.index] as Record<string, unknown> | undefined)?.on);
  stage.on.forEach((name, i) => {
    if (pipeline.hosts[name] || Object.hasOwn(declared, name)) return;
    const span = locate(doc, listed ? ['stages', stage.index, 'on', i] : ['stages', stage.index, 'on']).value;
    const near = closest(name, names);
    const fixes = near.slice(0, 3).map((n) => ({ title: `Change to \`${n}\``, edits: [{ ...span, newText: n }] }));
    const known =
      names.length === 0
        ? ' The pipeline has no `hosts:`; add one that names it.'
        : didYouMean(near) || ` Known hosts: ${names.map((n) => `\`${n}\``).join(', ')}.`;
    problems.push(problem('unknown-host', span, `${stageLabel(stage)} runs on \`${name}\`, which is not under \`hosts:\`.${known}`, fixes));
  });
  if (stage.action?.kind === 'use' && stage.keys.on) {
    problems.push(
      problem(
        'remote-builtin',
        stage.keys.on.key,
        `${stageLabel(stage)}: built-in stages (\`use:\`) run on this machine only; remove \`on:\`, or give a \`run:\` command for the host.`,
      ),
    );
  }
  return problems;
}

/** Where a host's name is written: its key under `hosts:` (the definition) or a name in a stage's `on:`. */
export interface HostNameSite {
  name: string;
  span: Span;
  kind: 'definition' | 'reference';
}

/**
 * Host names as symbols, for definition, references and rename: every key under `hosts:` (valid or
 * not, it is the name the stages use) and every `on:` name that is one of them.
 */
export function hostNameSites(parsed: Parsed, pipeline: Pipeline): HostNameSite[] {
  const data = parsed.data;
  const declared = isObject(data) && isObject(data.hosts) ? Object.keys(data.hosts) : [];
  const sites: HostNameSite[] = [];
  for (const name of declared) {
    const at = locate(parsed.doc, ['hosts', name]);
    if (at.exact && !at.indirect && at.key) sites.push({ name, span: unquoted(parsed.text, at.key), kind: 'definition' });
  }
  const raws = isObject(data) && Array.isArray(data.stages) ? data.stages : [];
  for (const stage of pipeline.stages) {
    const listed = Array.isArray((raws[stage.index] as Record<string, unknown> | undefined)?.on);
    stage.on?.forEach((name, i) => {
      if (!declared.includes(name)) return;
      const at = locate(parsed.doc, listed ? ['stages', stage.index, 'on', i] : ['stages', stage.index, 'on']);
      if (at.exact && !at.indirect) sites.push({ name, span: unquoted(parsed.text, at.value), kind: 'reference' });
    });
  }
  return sites;
}
