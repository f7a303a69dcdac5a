import { isObject } from './build';
import { writtenName } from './stage-names';
import { builtins } from './builtins';
import { stageInputProblems } from './inputs';
import type { Pipeline } from './model';
import type { Parsed } from './parse';
import { reindexed, stagesNamed, type StageIndex } from './stage-index';

/**
 * Which stages' problems an edit can change beyond the edited stage's own, when the number of stages stayed
 * (dsl/stage-rules.ts checks those again and keeps the others'): a new name or `input:` changes the problems of the
 * stages that name it or read it, `env` those of the stages that use a variable it added or removed, `hosts:` those
 * that run on a host. Each adds to a set of stage indexes. test/unit/dsl/recompose.test.ts compares the result with a
 * check from scratch.
 */

/** The version before: its model, its stages' data and its stage index. */
export interface Before {
  pipeline: Pipeline;
  raws: readonly unknown[];
  index: StageIndex;
}

/** Whether a value mentions a variable as `${NAME…` (`needles`: each name after `${`): more than the rules count as references, never fewer. */
function mentions(value: unknown, needles: readonly string[]): boolean {
  if (typeof value === 'string') return value.includes('${') && needles.some((n) => value.includes(n));
  if (Array.isArray(value)) return value.some((v) => mentions(v, needles));
  if (isObject(value)) for (const k of Object.keys(value)) if (mentions(value[k], needles)) return true;
  return false;
}

/** Built-ins with an option naming a file: a stage of one checks a path. */
const withFiles = new Set(Object.entries(builtins).flatMap(([name, b]) => (Object.keys(b.files).length > 0 ? [name] : [])));

/** A stage whose problems depend on the values of the variables it uses, not only on whether they are set: paths it checks. */
const usesValues = (raw: Record<string, unknown>) => raw.cwd !== undefined || (typeof raw.use === 'string' && withFiles.has(raw.use));

/**
 * Stages whose problems a change of the variables every stage sees (`env` over the process environment) can change:
 * those that use a variable set or unset, and those that check paths and use a variable whose value changed.
 */
export function envAffected(raws: readonly unknown[], before: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>, out: Set<number>): void {
  const changed: string[] = [];
  const setOrUnset: string[] = [];
  for (const k of Object.keys(before)) {
    if (before[k] === now[k]) continue;
    changed.push(`\${${k}`);
    if (now[k] === undefined) setOrUnset.push(`\${${k}`);
  }
  for (const k of Object.keys(now)) if (before[k] === undefined) [changed, setOrUnset].forEach((needles) => needles.push(`\${${k}`));
  if (changed.length === 0) return;
  const uses = (raw: Record<string, unknown>, needles: string[]) =>
    needles.length > 0 &&
    (mentions(raw.run, needles) || mentions(raw.command, needles) || mentions(raw.with, needles) || mentions(raw.env, needles) || mentions(raw.cwd, needles));
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i];
    if (isObject(raw) && uses(raw, usesValues(raw) ? changed : setOrUnset)) out.add(i);
  }
}

/** An edit of the stages list: the `removed` old stages from `index` on became the `count` stages from `index` on (dsl/parse.ts `edited`). */
export interface ListEdit {
  index: number;
  removed: number;
  count: number;
}

/**
 * After an edit of one stage's name, default name, `input:` or `on:`, or one that added or removed stages: the new stage
 * index, and the stages whose problems it can change besides the edited ones: every stage with an `input:` (what its
 * names refer to, and the names its messages list), those with an edited stage's old or new written name (duplicates),
 * and those whose output is now read or not, or meant or not by an `input:` (`unread-output`). `renamed`: the stages whose
 * name the edit changed, with the name they had (dsl/build.ts `buildModel`).
 */
export function roleAffected(
  parsed: Parsed,
  pipeline: Pipeline,
  raws: readonly unknown[],
  before: Before,
  edit: ListEdit,
  renamed: ReadonlyMap<number, string>,
  out: Set<number>,
): StageIndex {
  const { index: at, removed, count } = edit;
  // The edited stages' written names before and after: the duplicates of any may have changed.
  const names = new Set<string>();
  for (const raw of [...before.raws.slice(at, at + removed), ...raws.slice(at, at + count)]) {
    const name = writtenName(raw);
    if (name !== undefined) names.add(name);
  }
  const holders = stagesNamed(pipeline, raws, names);
  for (const i of holders) out.add(i);
  const index = reindexed(before.index, pipeline, raws, names, holders);
  for (const stage of pipeline.stages) {
    if (stage.input === undefined) continue;
    out.add(stage.index);
    for (const name of stageInputProblems(parsed.doc, raws[stage.index], pipeline, stage, index).meant) index.meant.add(name);
  }
  const [read, readBefore] = [index.read, before.index.read];
  for (let i = 0; i < read.length; i++) {
    const old = i < at ? i : i >= at + count ? i - count + removed : undefined;
    if (old === undefined || read[i] !== readBefore[old]) out.add(i);
  }
  const meantBefore = before.index.meant;
  if (meantBefore.size > 0 || index.meant.size > 0)
    for (const stage of pipeline.stages) if (meantBefore.has(renamed.get(stage.index) ?? stage.name) !== index.meant.has(stage.name)) out.add(stage.index);
  return index;
}

/** Stages whose problems a change of `hosts:` can change: those that run on a host. */
export function hostsAffected(pipeline: Pipeline, out: Set<number>): void {
  for (const stage of pipeline.stages) if (stage.on) out.add(stage.index);
}
