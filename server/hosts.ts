/**
 * Host names in a stage's `on:` (docs/remote.md): completion from the pipeline's `hosts:`, and
 * hover with where a name leads. Read from the model; nothing here connects anywhere.
 */
import { CompletionItemKind, MarkupKind, type CompletionItem, type Range } from 'vscode-languageserver';
import type { HostEntry, Pipeline } from '../dsl';
import type { Analysis } from './analysis';

/** Where a host is, in one line of Markdown: `ssh` destination, port, key file; or what a Slurm cluster's steps ask for. */
export function hostMarkdown(h: HostEntry): string {
  if (h.slurm) {
    const s = h.slurm;
    const asks = [
      s.partition === undefined ? '' : `partition \`${s.partition}\``,
      s.time === undefined ? '' : `time limit \`${s.time}\``,
      s.cpus === undefined ? '' : `${s.cpus} CPU${s.cpus === 1 ? '' : 's'}`,
      s.mem === undefined ? '' : `memory \`${s.mem}\``,
      s.options.length > 0 ? `options ${s.options.map((o) => `\`${o}\``).join(' ')}` : '',
    ].filter(Boolean);
    return `**Host \`${h.name}\`**: Slurm cluster, each copy a job step (\`srun\`)${asks.length > 0 ? `: ${asks.join(', ')}` : ''}`;
  }
  const port = h.port === undefined ? '' : `, port ${h.port}`;
  const key = h.identityFile === undefined ? '' : `, key \`${h.identityFile}\``;
  const options = h.options.length > 0 ? `, options ${h.options.map((o) => `\`${o}\``).join(' ')}` : '';
  return `**Host \`${h.name}\`**: \`ssh ${h.ssh}\`${port}${key}${options}`;
}

/** The host names under `hosts:`, as completion items replacing `range` (`lead` goes before each, e.g. a space). */
export function hostItems(pipeline: Pipeline, range: Range, lead = ''): CompletionItem[] {
  return Object.values(pipeline.hosts).map((h, i) => ({
    label: h.name,
    kind: CompletionItemKind.Reference,
    sortText: String(i).padStart(3, '0'),
    documentation: { kind: MarkupKind.Markdown, value: hostMarkdown(h) },
    ...(lead ? { filterText: `${lead}${h.name}` } : {}),
    textEdit: { range, newText: `${lead}${h.name}` },
  }));
}

/**
 * The host names to offer while the value of `on:` is typed, as a scalar (`on: bo|`) or in a
 * flow list (`on: [box, bo|`); undefined when the cursor is not there. (A block list item under
 * `on:` is found by its indentation, in completion.ts.)
 */
export function hostCompletions(pipeline: Pipeline, prefix: string, at: (from: number) => Range): CompletionItem[] | undefined {
  const m = /^ *(?:- +)?on[ \t]*:([ \t]*)(\[(?:[^\]]*,)?[ \t]*)?([\w.-]*)$/.exec(prefix);
  if (!m) return undefined;
  const lead = m[1] === '' && m[2] === undefined ? ' ' : '';
  return hostItems(pipeline, at(prefix.length - m[3]!.length), lead);
}

/** Hover over a name in `on:` (path `stages[i].on` or `stages[i].on[j]`). */
export function hostHover(analysis: Analysis, names: readonly string[], value: unknown): string | undefined {
  if (names[0] !== 'stages' || names[2] !== 'on' || typeof value !== 'string') return undefined;
  const host = analysis.result.pipeline.hosts[value];
  return host ? hostMarkdown(host) : `\`${value}\` is not under \`hosts:\`.`;
}
