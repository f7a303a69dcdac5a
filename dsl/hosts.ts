/**
 * `hosts:` and a stage's `on:` (docs/remote.md): the model, and the rules the schema cannot say.
 * Nothing here connects anywhere: a host is checked as text.
 */
import type { Document } from 'yaml';
import { stageLabel, type HostEntry, type Pipeline } from './model';
import type { Parsed } from './parse';
import type { Span } from './span';
import { unquoted } from './stage-refs';
import { problem, type Problem } from './problems';
import { closest, didYouMean } from './suggest';
import { locate } from './yaml-nodes';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `hosts:` map as written; entries without a string `ssh` are left out (the schema reports them). */
export function hostsOf(raw: unknown): Record<string, HostEntry> {
  const hosts: Record<string, HostEntry> = {};
  if (!isObject(raw)) return hosts;
  for (const [name, v] of Object.entries(raw)) {
    if (!isObject(v) || typeof v.ssh !== 'string') continue;
    const entry: HostEntry = { name, ssh: v.ssh, options: Array.isArray(v.options) ? v.options.filter((o): o is string => typeof o === 'string') : [] };
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

/** unknown-host, bad-host and remote-builtin problems. */
export function hostProblems(doc: Document, pipeline: Pipeline, data: unknown): Problem[] {
  const problems: Problem[] = [];
  const names = Object.keys(pipeline.hosts);
  for (const entry of Object.values(pipeline.hosts)) {
    const why = badDestination(entry.ssh);
    if (why) problems.push(problem('bad-host', locate(doc, ['hosts', entry.name, 'ssh']).value, `Host \`${entry.name}\`: \`ssh: ${entry.ssh}\` ${why}.`));
    entry.options.forEach((o, i) => {
      if (hasControl(o))
        problems.push(
          problem('bad-host', locate(doc, ['hosts', entry.name, 'options', i]).value, `Host \`${entry.name}\`: an ssh option holds a control character.`),
        );
    });
  }
  const raws = isObject(data) && Array.isArray(data.stages) ? data.stages : [];
  // A host written under `hosts:` but invalid (no `ssh:`) has its own problem from the schema: one cause, one problem.
  const declared = isObject(data) && isObject(data.hosts) ? data.hosts : {};
  for (const stage of pipeline.stages) {
    if (!stage.on) continue;
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
