import { isObject } from './build';
import { firstStage, readFlags } from './graph';
import type { Pipeline } from './model';

/**
 * What the rules between stages look up (duplicate names, `input:` names, unread outputs, hosts in use), built once
 * from every stage. It holds for the next version as long as no stage's name, `input:` or `on:` changed
 * (dsl/stage-rules.ts): then the rules of an edited stage are checked against it alone, not every stage again.
 */
export interface StageIndex {
  /** The index of the first stage of a name, written or given (what an `input:` name refers to). */
  first(name: string): number | undefined;
  /** The first stage of each written `name:` (a later one is a duplicate). */
  written: Map<string, number>;
  /** Per stage, 1 when a later stage reads its output (`readFlags`). */
  read: Uint8Array;
  /** Stages an `input:` meant to name (a typo's closest name, a stage named out of order): not also "unread". Filled by the input rule. */
  meant: Set<string>;
  /** Hosts some stage runs on. */
  used: Set<string>;
}

export function stageIndex(pipeline: Pipeline, raws: readonly unknown[]): StageIndex {
  // A map of every stage's name is built only when some stage names an input (dsl/graph.ts): a big file's stages rarely do.
  const first = (name: string) => firstStage(pipeline, name)?.index;
  const written = new Map<string, number>();
  const used = new Set<string>();
  for (const stage of pipeline.stages) {
    const raw = raws[stage.index];
    if (stage.keys.name && isObject(raw) && typeof raw.name === 'string' && !written.has(raw.name)) written.set(raw.name, stage.index);
    if (stage.on) for (const host of stage.on) used.add(host);
  }
  return { first, written, read: readFlags(pipeline), meant: new Set(), used };
}
