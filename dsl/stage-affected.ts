import { isObject } from './build';
import { builtins, isBuiltin } from './builtins';
import { stageInputProblems } from './inputs';
import type { Pipeline, Stage } from './model';
import type { Parsed } from './parse';
import { stageIndex, type StageIndex } from './stage-index';

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

const writtenName = (raw: unknown) => (isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined);

/** Whether a value mentions one of `names` as `${NAME…` (more than the rules count as references, never fewer). */
function mentions(value: unknown, names: ReadonlySet<string>): boolean {
  if (typeof value === 'string') {
    if (!value.includes('${')) return false;
    for (const m of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) if (names.has(m[1]!)) return true;
    return false;
  }
  if (Array.isArray(value)) return value.some((v) => mentions(v, names));
  if (isObject(value)) for (const k of Object.keys(value)) if (mentions(value[k], names)) return true;
  return false;
}

/** A stage whose problems depend on the values of the variables it uses, not only on whether they are set: paths it checks. */
const usesValues = (raw: Record<string, unknown>) =>
  raw.cwd !== undefined || (typeof raw.use === 'string' && isBuiltin(raw.use) && Object.keys(builtins[raw.use].files).length > 0);

/**
 * Stages whose problems a change of the variables every stage sees (`env` over the process environment) can change:
 * those that use a variable set or unset, and those that check paths and use a variable whose value changed.
 */
export function envAffected(raws: readonly unknown[], before: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>, out: Set<number>): void {
  const changed = new Set<string>();
  const setOrUnset = new Set<string>();
  for (const k of Object.keys(before)) {
    if (before[k] === now[k]) continue;
    changed.add(k);
    if (now[k] === undefined) setOrUnset.add(k);
  }
  for (const k of Object.keys(now)) if (before[k] === undefined) [changed, setOrUnset].forEach((names) => names.add(k));
  if (changed.size === 0) return;
  raws.forEach((raw, i) => {
    if (!isObject(raw)) return;
    const names = usesValues(raw) ? changed : setOrUnset;
    if (names.size > 0 && [raw.run, raw.command, raw.with, raw.env, raw.cwd].some((value) => mentions(value, names))) out.add(i);
  });
}

/**
 * After an edit of one stage's name, default name, `input:` or `on:`: the new stage index, and the stages whose problems
 * it can change besides the edited one: every stage with an `input:` (what its names refer to, and the names its
 * messages list), those with the edited stage's old or new written name (duplicates), and those whose output is now read
 * or not, or meant or not by an `input:` (`unread-output`).
 */
export function roleAffected(parsed: Parsed, pipeline: Pipeline, raws: readonly unknown[], before: Before, edited: Stage, out: Set<number>): StageIndex {
  const index = stageIndex(pipeline, raws);
  for (const stage of pipeline.stages) {
    if (stage.input === undefined) continue;
    out.add(stage.index);
    for (const name of stageInputProblems(parsed.doc, raws[stage.index], pipeline, stage, index).meant) index.meant.add(name);
  }
  const renamed = new Set([writtenName(before.raws[edited.index]), writtenName(raws[edited.index])]);
  renamed.delete(undefined);
  const meantBefore = before.index.meant;
  const old = before.pipeline.stages;
  for (const stage of pipeline.stages) {
    const i = stage.index;
    if (index.read[i] !== before.index.read[i]) out.add(i);
    else if ((meantBefore.size > 0 || index.meant.size > 0) && meantBefore.has(old[i]!.name) !== index.meant.has(stage.name)) out.add(i);
    else if (renamed.size > 0 && stage.keys.name && renamed.has(writtenName(raws[i]))) out.add(i);
  }
  return index;
}

/** Stages whose problems a change of `hosts:` can change: those that run on a host. */
export function hostsAffected(pipeline: Pipeline, out: Set<number>): void {
  for (const stage of pipeline.stages) if (stage.on) out.add(stage.index);
}
