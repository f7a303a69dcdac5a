import { isMap, type Document } from 'yaml';
import { isBuiltin } from './builtins';
import { hostsOf, stageHosts } from './hosts';
import { pipelineKeys, stageKeyNames, stageKeys, type Pipeline, type Stage, type StageAction } from './model';
import { oneForOne, type Parsed } from './parse';
import { LazyMap } from './quick-nodes';
import { isObject, type Json } from './json';
import { emptySpan, type Span } from './span';
import { nameSource, nameStages, renameAfterEdit } from './stage-names';
import { directKeySpans, directList, locate, locateKeys, nodeSpan, trimItems, type KeySpans } from './yaml-nodes';

export { isObject } from './json';

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Every stage without `env:` shares this one (frozen: a write would be a bug that changes every stage). */
const noEnv: Record<string, string> = Object.freeze({});

function envOf(v: unknown): Record<string, string> {
  if (!isObject(v)) return noEnv;
  const env: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') env[k] = String(value);
  }
  return env;
}

/** Parses `timeout`: seconds as a number, or `500ms`, `30s`, `5m`, `1h`. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number' && v > 0) return v * 1000;
  const m = typeof v === 'string' ? /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(v) : null;
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

function actionOf(s: Json): StageAction | undefined {
  // Exactly one of the three (counted without a list: this runs for every stage of a big file).
  if (Number(s.run !== undefined) + Number(s.command !== undefined) + Number(s.use !== undefined) !== 1) return undefined;
  if (typeof s.run === 'string' && s.run.length > 0) return { kind: 'run', script: s.run };
  if (Array.isArray(s.command) && s.command.length > 0 && s.command.every((a) => typeof a === 'string')) return { kind: 'command', argv: s.command };
  if (typeof s.use === 'string' && isBuiltin(s.use)) return { kind: 'use', builtin: s.use, options: isObject(s.with) ? s.with : {} };
  return undefined;
}

function keySpans<K extends string>(doc: Document | undefined, path: (string | number)[], keys: readonly K[]) {
  const spans: KeySpans<K> = {};
  if (!doc) return spans;
  for (const [key, at] of locateKeys(doc, path, keys)) if (at.key) spans[key] = { key: at.key, value: at.value };
  return spans;
}

/** The key written first (the spans of a stage's keys are never empty). */
function firstKey(keys: Stage['keys']): Span | undefined {
  let first: Span | undefined;
  for (const k in keys) {
    const key = keys[k as keyof Stage['keys']]!.key;
    if (!first || key.start < first.start) first = key;
  }
  return first;
}

/**
 * A stage's item and the spans of its keys: read off the item when it is a mapping written in the `stages` list
 * (`items`, from `directList`); else found by path, through aliases and merge keys.
 */
function placeOf(doc: Document | undefined, items: readonly unknown[] | undefined, index: number): { span: Span; keys: Stage['keys'] } {
  const item = items?.[index];
  // A stage the quick first read left unread: the spans it found, or (a model made again) the stage read without keeping it.
  if (item instanceof LazyMap) return { span: nodeSpan(item)!, keys: item.takeKeys() ?? directKeySpans(item.peek(), stageKeyNames)! };
  const span = isMap(item) ? nodeSpan(item) : undefined;
  const keys = span && isMap(item) ? directKeySpans(item, stageKeyNames) : undefined;
  if (span && keys) {
    // The document keeps the stage's nodes: made smaller once, here where they are walked anyway.
    trimItems(item);
    return { span, keys };
  }
  return { span: doc ? locate(doc, ['stages', index]).value : emptySpan, keys: keySpans(doc, ['stages', index], stageKeys) };
}

function buildStage(doc: Document | undefined, items: readonly unknown[] | undefined, raw: unknown, index: number): Stage {
  const s = isObject(raw) ? raw : {};
  const { span, keys } = placeOf(doc, items, index);
  const headSpan = keys.name?.value ?? firstKey(keys) ?? span;
  const stage: Stage = {
    index,
    name: str(s.name) ?? '',
    named: typeof s.name === 'string',
    env: envOf(s.env),
    workers: typeof s.workers === 'number' && Number.isInteger(s.workers) ? s.workers : 1,
    ordered: s.ordered === true,
    tap: s.tap === true,
    stderr: s.stderr === 'ignore' ? 'ignore' : 'show',
    span,
    headSpan,
    keys,
  };
  const action = actionOf(s);
  if (action) stage.action = action;
  const description = str(s.description);
  if (description !== undefined) stage.description = description;
  const cwd = str(s.cwd);
  if (cwd !== undefined) stage.cwd = cwd;
  const input = typeof s.input === 'string' ? [s.input] : Array.isArray(s.input) ? s.input.filter((n): n is string => typeof n === 'string') : undefined;
  if (input !== undefined) stage.input = input;
  const on = stageHosts(s.on);
  if (on) stage.on = on;
  const timeoutMs = durationMs(s.timeout);
  if (timeoutMs !== undefined) stage.timeoutMs = timeoutMs;
  return stage;
}

/** The name a pipeline gets without a `name` key: the file name without `.pipeline.yaml`. */
export function defaultPipelineName(file: string | undefined): string {
  const base = file?.split(/[\\/]/).pop() ?? 'pipeline';
  return base.replace(/(\.pipeline)?\.ya?ml$/i, '') || 'pipeline';
}

/**
 * Moves a stage's spans by `delta`, in place, each span object once: an empty value's span is its key's, and the head is
 * one of the others. Without a set per stage: this runs for every stage after a keystroke.
 */
function shiftSpans(stage: Stage, delta: number): void {
  stage.span.start += delta;
  stage.span.end += delta;
  for (const k in stage.keys) {
    const at = stage.keys[k as keyof Stage['keys']]!;
    at.key.start += delta;
    at.key.end += delta;
    if (at.value !== at.key) {
      at.value.start += delta;
      at.value.end += delta;
    }
  }
}

/** Stages built again at their place (an edit inside one), each to the stage that took its place. */
const replacedBy = new WeakMap<Stage, Stage>();

/**
 * The stage at `stage`'s place now, through the stages built again there since: an index of the stages kept from one
 * version to the next (dsl/stage-index.ts) holds the stage objects it was made of, which edits before them move in
 * place but an edit inside one replaces.
 */
export function current(stage: Stage): Stage {
  let now = stage;
  for (let next = replacedBy.get(now); next; next = replacedBy.get(now)) now = next;
  // The next lookup goes there at once.
  if (now !== stage) replacedBy.set(stage, now);
  return now;
}

/** The model of the version before, and the stages' data it was built from. */
export interface PreviousModel {
  pipeline: Pipeline;
  raws: unknown[];
}

/**
 * The stages, built from the document; when the parse recomposed one stage of the previous version (`parsed.edited`) or
 * none (`parsed.moved`), only the recomposed ones are built and the others are the previous model's objects, moved in
 * place (a copy of every stage after a keystroke was most of what a 20 MB file's check allocated, then collected). The
 * previous model is superseded: its stages are these (`reused`). `named`: every stage has its name already (the edit
 * changed neither a name nor what a default name is made of).
 */
function buildStages(parsed: Parsed, raws: unknown[], previous: PreviousModel | undefined): { stages: Stage[]; reused: boolean; named: boolean } {
  const edited = parsed.edited;
  const before = previous?.pipeline.stages;
  const items = directList(parsed.doc, 'stages')?.items;
  // Only comments before the document or another top-level entry changed: the same stages, the same names, every one moved.
  if (parsed.moved !== undefined && before?.length === raws.length) {
    if (parsed.moved !== 0) for (const stage of before) shiftSpans(stage, parsed.moved);
    return { stages: before.slice(), reused: true, named: true };
  }
  if (!previous || !before || edited?.key !== 'stages' || before.length !== raws.length - edited.count + edited.removed)
    return { stages: raws.map((raw, i) => buildStage(parsed.doc, items, raw, i)), reused: false, named: false };
  const { index, removed, count, delta } = edited;
  const fresh: Stage[] = [];
  for (let i = index; i < index + count; i++) fresh.push(buildStage(parsed.doc, items, raws[i], i));
  // One stage for one, named as before: the names of all stages come out as before (naming is a tenth of a keystroke).
  const inPlace = oneForOne(edited);
  const named = inPlace && nameSource(previous.raws[index], index) === nameSource(raws[index], index);
  if (named) fresh[0]!.name = before[index]!.name;
  // Copying the list is as fast as copying memory; the stages after the edit move in place.
  const stages = inPlace ? before.slice() : before.slice(0, index).concat(fresh, before.slice(index + removed));
  if (inPlace) {
    stages[index] = fresh[0]!;
    replacedBy.set(before[index]!, fresh[0]!);
  }
  for (let i = index + count; i < stages.length; i++) {
    const stage = stages[i]!;
    stage.index = i;
    if (delta !== 0) shiftSpans(stage, delta);
  }
  return { stages, reused: true, named };
}

/** The stages' data of a pipeline document: what `stages` holds when it is a list. */
export function stagesData(data: unknown): unknown[] {
  return isObject(data) && Array.isArray(data.stages) ? data.stages : [];
}

/** A model, and which of its stages' names an edit changed. */
export interface BuiltModel {
  pipeline: Pipeline;
  /** Built from the previous model: the stages whose name is not what it was, by index, with the name they had (the recomposed ones among them). */
  renamed?: ReadonlyMap<number, string>;
}

/**
 * Builds the model from whatever parsed; works on invalid input too (for the outline and code lenses). With
 * the model of the version `parsed` was recomposed from, reuses its stages (see `buildStages`).
 */
export function buildPipeline(parsed: Parsed, file?: string, previous?: PreviousModel): Pipeline {
  return buildModel(parsed, file, previous).pipeline;
}

/** `buildPipeline`, saying which stages an edit renamed. */
export function buildModel(parsed: Parsed, file?: string, previous?: PreviousModel): BuiltModel {
  const root = isObject(parsed.data) ? parsed.data : {};
  const raws = stagesData(parsed.data);
  const { stages, reused, named } = buildStages(parsed, raws, previous);
  const edit = reused && parsed.edited && previous ? parsed.edited : undefined;
  const renamed = named ? new Map<number, string>() : edit ? renameAfterEdit(stages, raws, previous!.raws, edit) : nameStages(stages, raws);
  const keys = keySpans(parsed.doc, [], pipelineKeys);
  const pipeline: Pipeline = { name: str(root.name) ?? defaultPipelineName(file), env: envOf(root.env), hosts: hostsOf(root.hosts), stages, keys };
  const description = str(root.description);
  if (description !== undefined) pipeline.description = description;
  const cwd = str(root.cwd);
  if (cwd !== undefined) pipeline.cwd = cwd;
  if (keys.stages) pipeline.stagesKeySpan = keys.stages.key;
  return reused ? { pipeline, renamed } : { pipeline };
}
