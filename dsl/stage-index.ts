import { current, isObject } from './build';
import { firstStage, readFlags } from './graph';
import type { Pipeline, Stage } from './model';

/**
 * What the rules between stages look up (duplicate names, `input:` names, unread outputs, hosts in use), built once
 * from every stage. It holds for the next version as long as no stage's name, `input:` or `on:` changed
 * (dsl/stage-rules.ts): then the rules of an edited stage are checked against it alone, not every stage again. After an
 * edit of one stage's name, `input:` or `on:`, `reindexed` makes the next version's from it without a map of every name.
 */
export interface StageIndex {
  /** The index of the first stage of a name, written or given (what an `input:` name refers to). */
  first(name: string): number | undefined;
  /** The index of the first stage of a written `name:` (a later one is a duplicate). */
  written(name: string): number | undefined;
  /**
   * What `written` answers from: the map of a whole index, and the names whose answer changed since. They map to stage
   * objects, not indexes: a stage moved by an edit before it is the same object at another index, and one built again
   * by an edit inside it is found through the one it replaced (`current`, dsl/build.ts).
   */
  writtenNames: { all: ReadonlyMap<string, Stage>; changed: ReadonlyMap<string, Stage | undefined> };
  /** Per stage, 1 when a later stage reads its output (`readFlags`). */
  read: Uint8Array;
  /** Stages an `input:` meant to name (a typo's closest name, a stage named out of order): not also "unread". Filled by the input rule. */
  meant: Set<string>;
  /** Hosts some stage runs on. */
  used: Set<string>;
}

function indexOf(pipeline: Pipeline, writtenNames: StageIndex['writtenNames']): StageIndex {
  const { all, changed } = writtenNames;
  const used = new Set<string>();
  for (const stage of pipeline.stages) if (stage.on) for (const host of stage.on) used.add(host);
  return {
    // A map of every stage's name is built only when some stage names an input (dsl/graph.ts): a big file's stages rarely do.
    first: (name) => firstStage(pipeline, name)?.index,
    written: (name) => {
      const stage = changed.has(name) ? changed.get(name) : all.get(name);
      return stage && current(stage).index;
    },
    writtenNames,
    read: readFlags(pipeline),
    meant: new Set(),
    used,
  };
}

export function stageIndex(pipeline: Pipeline, raws: readonly unknown[]): StageIndex {
  const all = new Map<string, Stage>();
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i];
    const stage = pipeline.stages[i];
    if (isObject(raw) && typeof raw.name === 'string' && !all.has(raw.name) && stage?.keys.name) all.set(raw.name, stage);
  }
  return indexOf(pipeline, { all, changed: new Map() });
}

/** The stages whose written name is one of `names`, in order: the data is looked at first (its names are the same strings from one version to the next). */
export function stagesNamed(pipeline: Pipeline, raws: readonly unknown[], names: ReadonlySet<string>): number[] {
  const found: number[] = [];
  if (names.size === 0) return found;
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i];
    if (isObject(raw) && typeof raw.name === 'string' && names.has(raw.name) && pipeline.stages[i]!.keys.name) found.push(i);
  }
  return found;
}

/**
 * The index of a version whose stages are `before`'s, moved (dsl/build.ts), but for the written names `names` (old and
 * new), held by `holders` (`stagesNamed`).
 */
export function reindexed(
  before: StageIndex,
  pipeline: Pipeline,
  raws: readonly unknown[],
  names: ReadonlySet<string>,
  holders: readonly number[],
): StageIndex {
  const changed = new Map(before.writtenNames.changed);
  for (const name of names) changed.set(name, undefined);
  for (const i of holders) {
    const name = (raws[i] as { name: string }).name;
    if (changed.get(name) === undefined) changed.set(name, pipeline.stages[i]);
  }
  return indexOf(pipeline, { all: before.writtenNames.all, changed });
}
