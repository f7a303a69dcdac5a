import { isObject } from './build';
import { readFlags } from './graph';
import type { Pipeline } from './model';

/**
 * What the rules between stages look up (duplicate names, `input:` names, unread outputs, hosts in use), built once
 * from every stage. It holds for the next version as long as no stage's name, `input:` or `on:` changed
 * (dsl/stage-rules.ts): then the rules of an edited stage are checked against it alone, not every stage again.
 */
export interface StageIndex {
  /** The first stage of each name, written or given (what an `input:` name refers to). */
  first: Map<string, number>;
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
  const first = new Map<string, number>();
  const written = new Map<string, number>();
  const used = new Set<string>();
  for (const stage of pipeline.stages) {
    if (!first.has(stage.name)) first.set(stage.name, stage.index);
    const raw = raws[stage.index];
    if (isObject(raw) && typeof raw.name === 'string' && stage.keys.name && !written.has(raw.name)) written.set(raw.name, stage.index);
    for (const host of stage.on ?? []) used.add(host);
  }
  return { first, written, read: readFlags(pipeline), meant: new Set(), used };
}
