import { isMap, type Document } from 'yaml';
import { isBuiltin } from './builtins';
import { hostsOf, stageHosts } from './hosts';
import { pipelineKeys, stageKeys, type Pipeline, type Stage, type StageAction, type StageKey } from './model';
import type { Parsed } from './parse';
import { emptySpan, type Span } from './span';
import { directKeySpans, directList, locate, locateKeys, nodeSpan, trimItems, type KeySpans } from './yaml-nodes';

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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

/** The program a stage runs, for a default name: `grep -v x` -> grep, `/usr/bin/jq` -> jq. */
export function programName(s: Json): string | undefined {
  // The first word only: splitting a whole script into words was a tenth of a big file's check after a keystroke.
  const first = Array.isArray(s.command) ? str(s.command[0]) : typeof s.run === 'string' ? /^\s*(\S*)/.exec(s.run)![1] : undefined;
  const base = first?.slice(first.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_.-]/g, '');
  return base && /^[A-Za-z_]/.test(base) ? base : undefined;
}

function keySpans<K extends string>(doc: Document | undefined, path: (string | number)[], keys: readonly K[]) {
  const spans: KeySpans<K> = {};
  if (!doc) return spans;
  for (const [key, at] of locateKeys(doc, path, keys)) if (at.key) spans[key] = { key: at.key, value: at.value };
  return spans;
}

const stageKeyNames: ReadonlyMap<string, StageKey> = new Map(stageKeys.map((k) => [k, k]));

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

/** What an unnamed stage's default name is made of: its built-in's or program's name, else its place. */
function defaultBase(raw: unknown, index: number): string {
  const r = isObject(raw) ? raw : {};
  return (typeof r.use === 'string' && /^[A-Za-z_][\w.-]*$/.test(r.use) ? r.use : programName(r)) ?? `stage${index + 1}`;
}

/** The `name` a stage's data has written, if any. */
export const writtenName = (raw: unknown) => (isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined);

/** A stage's name, or what its default name is made of: every stage's name follows from these, in order. */
export function nameSource(raw: unknown, index: number): string {
  const name = isObject(raw) ? str(raw.name) : undefined;
  return name ? `name ${name}` : `default ${defaultBase(raw, index)}`;
}

/** Gives unnamed stages the built-in's or program's name, made unique with -2, -3, … */
function nameStages(stages: Stage[], raws: unknown[]): void {
  const taken = new Set<string>();
  for (const stage of stages) if (stage.name) taken.add(stage.name);
  // Per base, the suffix to try next: names only ever get taken, so earlier suffixes stay taken
  // and a file of many `- run: cat` stages is named in linear time.
  const nextSuffix = new Map<string, number>();
  for (const stage of stages) {
    if (stage.name) continue;
    const base = defaultBase(raws[stage.index], stage.index);
    let name = base;
    let n = nextSuffix.get(base) ?? 2;
    for (; taken.has(name); n++) name = `${base}-${n}`;
    nextSuffix.set(base, n);
    taken.add(name);
    stage.name = name;
  }
}

/** The name a pipeline gets without a `name` key: the file name without `.pipeline.yaml`. */
export function defaultPipelineName(file: string | undefined): string {
  const base = file?.split(/[\\/]/).pop() ?? 'pipeline';
  return base.replace(/(\.pipeline)?\.ya?ml$/i, '') || 'pipeline';
}

/**
 * Moves a stage's spans by `delta`, in place, each span object once: an empty value's span is its key's, and the head
 * is one of the others unless the stage was copied (`moved`). Without a set per stage: this runs for every stage after
 * a keystroke.
 */
function shiftSpans(stage: Stage, delta: number): void {
  const head = stage.headSpan;
  let headMoved = head === stage.span;
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
    headMoved ||= head === at.key || head === at.value;
  }
  if (!headMoved) {
    head.start += delta;
    head.end += delta;
  }
}

/**
 * A stage of the previous version at its new place, its spans moved by `delta`, its default name kept or to be given
 * again. At the same index with the same name it is the same object, moved in place: a copy of every stage after a
 * keystroke was most of what a 20 MB file's check allocated (and then collected).
 */
function moved(stage: Stage, index: number, delta: number, keepName: boolean): Stage {
  const name = stage.named || keepName ? stage.name : '';
  if (index === stage.index && name === stage.name) {
    if (delta !== 0) shiftSpans(stage, delta);
    return stage;
  }
  const shift = (s: Span) => ({ start: s.start + delta, end: s.end + delta });
  const keys: Stage['keys'] = {};
  for (const k in stage.keys) {
    const at = stage.keys[k as keyof Stage['keys']]!;
    keys[k as keyof Stage['keys']] = { key: shift(at.key), value: shift(at.value) };
  }
  return { ...stage, index, name, span: shift(stage.span), headSpan: shift(stage.headSpan), keys };
}

/** The model of the version before, and the stages' data it was built from. */
export interface PreviousModel {
  pipeline: Pipeline;
  raws: unknown[];
}

/**
 * The stages, built from the document; when the parse recomposed one stage of the previous version
 * (`parsed.edited`), only that one is built and the others are the previous model's, moved. `named`: every
 * stage has its name already (the edit changed neither a name nor what a default name is made of).
 */
function buildStages(parsed: Parsed, raws: unknown[], previous: PreviousModel | undefined): { stages: Stage[]; named: boolean } {
  const edited = parsed.edited;
  const before = previous?.pipeline.stages;
  const items = directList(parsed.doc, 'stages')?.items;
  // Only comments before the document changed: the same stages, the same names, every one moved.
  if (parsed.moved !== undefined && before?.length === raws.length) return { stages: before.map((s) => moved(s, s.index, parsed.moved!, true)), named: true };
  if (!previous || !before || edited?.key !== 'stages' || before.length !== raws.length - edited.count + 1)
    return { stages: raws.map((raw, i) => buildStage(parsed.doc, items, raw, i)), named: false };
  const { index, count, delta } = edited;
  // One stage for one, named as before: the names of all stages come out as before (nameStages is a tenth of a keystroke).
  const named = count === 1 && nameSource(previous.raws[index], index) === nameSource(raws[index], index);
  // One stage for one: a copy of the list with that stage replaced (as fast as copying memory), the others moved in place.
  const stages = count === 1 ? before.slice() : before.slice(0, index);
  // Named as before, the stages before the edit are the same objects, where they were.
  if (!named) for (let i = 0; i < index; i++) stages[i] = moved(before[i]!, i, 0, false);
  if (count === 1) stages[index] = buildStage(parsed.doc, items, raws[index], index);
  else for (let i = index; i < index + count; i++) stages.push(buildStage(parsed.doc, items, raws[i], i));
  if (named) stages[index]!.name = before[index]!.name;
  for (let i = index + 1; i < before.length; i++) {
    const stage = moved(before[i]!, i + count - 1, delta, named);
    if (count === 1) stages[i] = stage;
    else stages.push(stage);
  }
  return { stages, named };
}

/** The stages' data of a pipeline document: what `stages` holds when it is a list. */
export function stagesData(data: unknown): unknown[] {
  return isObject(data) && Array.isArray(data.stages) ? data.stages : [];
}

/**
 * Builds the model from whatever parsed; works on invalid input too (for the outline and code lenses). With
 * the model of the version `parsed` was recomposed from, reuses its stages (see `buildStages`).
 */
export function buildPipeline(parsed: Parsed, file?: string, previous?: PreviousModel): Pipeline {
  const root = isObject(parsed.data) ? parsed.data : {};
  const raws = stagesData(parsed.data);
  const { stages, named } = buildStages(parsed, raws, previous);
  if (!named) nameStages(stages, raws);
  const keys = keySpans(parsed.doc, [], pipelineKeys);
  const pipeline: Pipeline = { name: str(root.name) ?? defaultPipelineName(file), env: envOf(root.env), hosts: hostsOf(root.hosts), stages, keys };
  const description = str(root.description);
  if (description !== undefined) pipeline.description = description;
  const cwd = str(root.cwd);
  if (cwd !== undefined) pipeline.cwd = cwd;
  if (keys.stages) pipeline.stagesKeySpan = keys.stages.key;
  return pipeline;
}
