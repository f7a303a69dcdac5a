import * as fs from 'node:fs';
import { pipelineGraph, type Pipeline } from '../dsl';
import { formatBytes, formatExact, plural } from '../engine/format';
import { checkFile, formatProblem } from './check';
import { ExitCode } from './exit-codes';

export type GraphFormat = 'text' | 'mermaid' | 'dot' | 'json';
export const graphFormats: readonly GraphFormat[] = ['text', 'mermaid', 'dot', 'json'];

/** Counts of one edge from a finished run's `--stats-json`. */
interface EdgeCount {
  records: number;
  bytes: number;
}

/** A run's counts, and the stage its output came from (the one it ran to). */
interface RunCounts {
  counts: Map<string, EdgeCount>;
  outputFrom?: string;
}

/** The graph as `--format json` prints it; the other formats draw this. */
export interface GraphJson {
  name: string;
  stages: { name: string; inputs: string[]; readers: string[] }[];
  /** Stage to stage, and the last stage (or the one a run ran to) to `(output)`, the pipeline's records. */
  edges: { from: string; to: string; records?: number; bytes?: number }[];
}

/** The pipeline's records: a name no stage can have. */
const outputNode = '(output)';

/** Edge counts by `from>to` stage names, from `pipewright run --stats-json` (its edges name stages by run index). */
export function edgeCounts(stats: unknown): RunCounts {
  const s = stats as { stages?: { name?: unknown }[]; edges?: { from?: unknown; to?: unknown; records?: unknown; bytes?: unknown }[] };
  if (!Array.isArray(s?.stages) || !Array.isArray(s.edges)) throw new Error('it is not the --stats-json of a run (no `stages` and `edges`)');
  const nameOf = (i: unknown) => (i === 'output' ? outputNode : typeof i === 'number' ? s.stages![i]?.name : undefined);
  const counts = new Map<string, EdgeCount>();
  let outputFrom: string | undefined;
  for (const e of s.edges) {
    const from = nameOf(e.from);
    const to = nameOf(e.to);
    if (typeof from !== 'string' || typeof to !== 'string' || typeof e.records !== 'number' || typeof e.bytes !== 'number') continue;
    counts.set(`${from}>${to}`, { records: e.records, bytes: e.bytes });
    if (to === outputNode) outputFrom = from;
  }
  return outputFrom === undefined ? { counts } : { counts, outputFrom };
}

export function graphJson(pipeline: Pipeline, run?: RunCounts): GraphJson {
  const g = pipelineGraph(pipeline);
  const nameOf = (i: number) => pipeline.stages[i]!.name;
  const counts = run?.counts;
  const pairs = [...g.edges.map((e) => [nameOf(e.from), nameOf(e.to)] as const), [run?.outputFrom ?? nameOf(g.output), outputNode] as const];
  return {
    name: pipeline.name,
    stages: pipeline.stages.map((s) => ({ name: s.name, inputs: g.inputs[s.index]!.map(nameOf), readers: g.readers[s.index]!.map(nameOf) })),
    edges: pairs.map(([from, to]) => {
      const c = counts?.get(`${from}>${to}`);
      return c ? { from, to, records: c.records, bytes: c.bytes } : { from, to };
    }),
  };
}

const label = (e: GraphJson['edges'][number]) => (e.records === undefined ? '' : plural(e.records, 'record', formatExact(e.records)));

/**
 * For a terminal: a line per stage naming the stages that read it, in file order, with a run's
 * counts per edge. Any graph reads this way (a fan-out is a line with several readers, a fan-in a
 * stage named on several lines).
 */
export function text(g: GraphJson): string {
  const width = Math.max(...g.stages.map((s) => s.name.length));
  const lines = [`${g.name}: ${plural(g.stages.length, 'stage')}`];
  for (const s of g.stages) {
    const out = g.edges.filter((e) => e.from === s.name);
    const to = out.map((e) => (e.records === undefined ? e.to : `${e.to} [${label(e)}, ${formatBytes(e.bytes ?? 0)}]`));
    lines.push(`  ${s.name.padEnd(width)}  → ${to.length > 0 ? to.join(', ') : '(nothing reads it)'}`);
  }
  return lines.join('\n') + '\n';
}

/** Mermaid flowchart: node ids are positions (names may hold `.` or `-`), labels the names. */
export function mermaid(g: GraphJson): string {
  const id = (name: string) => (name === outputNode ? 'out' : `s${g.stages.findIndex((s) => s.name === name)}`);
  const lines = ['flowchart LR', ...g.stages.map((s, i) => `  s${i}["${s.name}"]`), '  out(["output"])'];
  for (const e of g.edges) lines.push(`  ${id(e.from)} -->${label(e) ? `|"${label(e)}"|` : ''} ${id(e.to)}`);
  return lines.join('\n') + '\n';
}

/** Graphviz: `pipewright graph F --format dot | dot -Tsvg > graph.svg`. */
export function dot(g: GraphJson): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [`digraph ${q(g.name)} {`, '  rankdir=LR;', '  node [shape=box];', `  ${q(outputNode)} [shape=oval];`];
  for (const s of g.stages) lines.push(`  ${q(s.name)};`);
  for (const e of g.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)}${label(e) ? ` [label=${q(label(e))}]` : ''};`);
  return [...lines, '}'].join('\n') + '\n';
}

/** `pipewright graph FILE`: 0 printed, 2 unreadable or invalid file, or unreadable stats. */
export function graphCommand(
  file: string,
  options: { format: GraphFormat; statsJson?: string },
  io = { stdout: process.stdout, stderr: process.stderr },
): ExitCode {
  const checked = checkFile(file);
  if (!checked.ok) {
    io.stderr.write(`pipewright: cannot read ${file}: ${checked.why}\n`);
    return ExitCode.Unreadable;
  }
  const errors = checked.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    io.stderr.write(`${errors.map(formatProblem).join('\n')}\npipewright: ${file} has errors; fix them to draw its graph (\`pipewright check ${file}\`)\n`);
    return ExitCode.Unreadable;
  }
  let counts: RunCounts | undefined;
  if (options.statsJson !== undefined) {
    try {
      counts = edgeCounts(JSON.parse(fs.readFileSync(options.statsJson, 'utf8')));
    } catch (e) {
      io.stderr.write(`pipewright: cannot use --stats-json ${options.statsJson}: ${(e as Error).message}\n`);
      return ExitCode.Unreadable;
    }
  }
  const g = graphJson(checked.result.pipeline, counts);
  const draw: Record<GraphFormat, (g: GraphJson) => string> = { text, mermaid, dot, json: (g) => `${JSON.stringify(g, null, 2)}\n` };
  io.stdout.write(draw[options.format](g));
  return ExitCode.Ok;
}
