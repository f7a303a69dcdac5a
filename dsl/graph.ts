import type { Pipeline, Stage } from './model';

/**
 * The pipeline as a graph of stages: a stage reads the stage before it unless it names its
 * `input:` (earlier stages only, so there are no cycles and index order is a topological order).
 * Names that are not earlier stages are left out here; `unknown-input` and `input-order` report them.
 */
export interface PipelineGraph {
  /** Per stage, the stages it reads, in the order written; empty for the first stage (it reads the run's stdin). */
  inputs: number[][];
  /** Per stage, the stages that read it, in file order. */
  readers: number[][];
  /** Every edge as a from/to pair of stage indices, ordered by `to`, then as written. */
  edges: { from: number; to: number }[];
  /** The stage whose output is the pipeline's output: the last one. */
  output: number;
}

/** The earlier stage a name in `input:` refers to, if any. */
export function inputTarget(pipeline: Pipeline, stage: Stage, name: string): Stage | undefined {
  const first = firstNamed(pipeline).get(name);
  return first && first.index < stage.index ? first : undefined;
}

/** The first stage of a name, written or given (what an `input:` name refers to): looked up only when some stage names an input. */
export const firstStage = (pipeline: Pipeline, name: string): Stage | undefined => firstNamed(pipeline).get(name);

/** The first stage of each name, once per model: looking names up stage by stage made a graph of many stages quadratic. */
const firstNames = new WeakMap<Pipeline, Map<string, Stage>>();

function firstNamed(pipeline: Pipeline): Map<string, Stage> {
  let first = firstNames.get(pipeline);
  if (!first) {
    first = new Map();
    for (const s of pipeline.stages) if (!first.has(s.name)) first.set(s.name, s);
    firstNames.set(pipeline, first);
  }
  return first;
}

export function pipelineGraph(pipeline: Pipeline): PipelineGraph {
  const n = pipeline.stages.length;
  const inputs = pipeline.stages.map((stage) => {
    if (stage.input === undefined) return stage.index > 0 ? [stage.index - 1] : [];
    const found = stage.input.map((name) => inputTarget(pipeline, stage, name)?.index).filter((i): i is number => i !== undefined);
    return [...new Set(found)];
  });
  const readers: number[][] = Array.from({ length: n }, () => []);
  const edges: PipelineGraph['edges'] = [];
  inputs.forEach((from, to) => {
    for (const f of from) {
      readers[f]!.push(to);
      edges.push({ from: f, to });
    }
  });
  return { inputs, readers, edges, output: n - 1 };
}

/** The stage and every stage it reads from, directly or not, in index order (what "Run to here" runs). */
export function ancestors(graph: PipelineGraph, index: number): number[] {
  const keep = new Set([index]);
  for (let i = index; i >= 0; i--) if (keep.has(i)) for (const f of graph.inputs[i] ?? []) keep.add(f);
  return [...keep].sort((a, b) => a - b);
}

/**
 * The stages a run executes, in file order: all of them, or with `to`, that stage and the stages
 * it reads from (so "Run to here" on one branch of a fan-out runs that branch only). Undefined
 * when `to` names no stage.
 */
export function stagesToRun(pipeline: Pipeline, to?: string): Stage[] | undefined {
  if (to === undefined) return pipeline.stages;
  const target = pipeline.stages.find((s) => s.name === to);
  return target && ancestors(pipelineGraph(pipeline), target.index).map((i) => pipeline.stages[i]!);
}

/** Per stage, 1 when a later stage reads its output: the stage after it, unless that one names its `input:`. */
export function readFlags(pipeline: Pipeline): Uint8Array {
  const read = new Uint8Array(pipeline.stages.length);
  for (const stage of pipeline.stages) {
    if (stage.input === undefined) {
      if (stage.index > 0) read[stage.index - 1] = 1;
      continue;
    }
    for (const name of stage.input) {
      const target = inputTarget(pipeline, stage, name);
      if (target) read[target.index] = 1;
    }
  }
  return read;
}

/** A stage whose output is lost: nobody reads it (`read`: `readFlags`), it is not the pipeline's output, and it is no `write` (whose purpose is its file). */
export const isUnread = (stage: Stage, read: Uint8Array, count: number) =>
  stage.index !== count - 1 && read[stage.index] === 0 && !(stage.action?.kind === 'use' && stage.action.builtin === 'write');

/**
 * Stages whose output no stage reads and that are not the pipeline's output (a `write` stage's purpose is its file).
 * Worked out from the stages' inputs directly: a graph of lists per stage was a twentieth of a big file's check.
 */
export function unreadStages(pipeline: Pipeline): Stage[] {
  const read = readFlags(pipeline);
  return pipeline.stages.filter((s) => isUnread(s, read, pipeline.stages.length));
}
