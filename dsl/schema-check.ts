import type { ErrorObject } from 'ajv';
import type { Document } from 'yaml';
import { builtinSchema, builtinNames, isBuiltin, type BuiltinName } from './builtins';
import { isObject } from './build';
import { pipelineKeys, stageKeys, stageLabel, type Pipeline, type Stage } from './model';
import { problem, type Fix, type Problem, type ProblemCode } from './problems';
import type { Span } from './span';
import validatePipeline from './generated/pipeline-validator.cjs';
import { closest, didYouMean } from './suggest';
import { locate, type Located } from './yaml-nodes';
import { StageMemo, type MemoContext } from './stage-memo';
import { yamlScalar } from './yaml-text';
import schema from '../schemas/pipeline.schema.json';

/** Keys a host under `hosts:` may have. */
const hostKeys = Object.keys(schema.definitions.host.properties);

type Path = (string | number)[];

function toPath(instancePath: string): Path {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/**
 * "Change to `x`" for the closest candidates. None where the text is not the node's own (the
 * span is an alias or merge key standing for it); replacements are quoted as YAML needs.
 */
function replaceFixes(at: Located, span: Span, candidates: string[]): Fix[] {
  if (at.indirect) return [];
  return candidates.slice(0, 3).map((c) => ({ title: `Change to \`${c}\``, edits: [{ ...span, newText: yamlScalar(c) }] }));
}

interface Context {
  text: string;
  doc: Document;
  data: unknown;
  pipeline: Pipeline;
}

/** "Stage `x`: " for paths inside a stage, so every message names the stage. */
function stagePrefix(ctx: Context, path: Path): string {
  const stage = path[0] === 'stages' && typeof path[1] === 'number' ? ctx.pipeline.stages[path[1]] : undefined;
  return stage ? `${stageLabel(stage)}: ` : '';
}

function builtinAt(ctx: Context, path: Path): BuiltinName | undefined {
  const stages: unknown[] = isObject(ctx.data) && Array.isArray(ctx.data.stages) ? ctx.data.stages : [];
  const stage = typeof path[1] === 'number' ? stages[path[1]] : undefined;
  return isObject(stage) && typeof stage.use === 'string' && isBuiltin(stage.use) ? stage.use : undefined;
}

function keyName(path: Path): string {
  return String(path[path.length - 1] ?? 'document');
}

const isStagePath = (p: Path) => p.length === 2 && p[0] === 'stages' && typeof p[1] === 'number';
const isWithPath = (p: Path) => p[0] === 'stages' && p[2] === 'with';

/** Errors that semantic rules report better, or that only restate an inner error. */
function isNoise(e: ErrorObject, path: Path): boolean {
  if (e.keyword === 'if' || e.keyword === 'propertyNames') return true;
  if (path.length === 0 && e.keyword === 'required' && e.params.missingProperty === 'stages') return true;
  if (path.length === 1 && path[0] === 'stages' && e.keyword === 'minItems') return true;
  if (isStagePath(path) && (e.keyword === 'oneOf' || (e.keyword === 'required' && e.schemaPath.includes('/oneOf/')))) return true;
  // Inner branches of a oneOf; the oneOf error itself is reported.
  if (e.schemaPath.includes('/oneOf/') && !isStagePath(path)) return true;
  return false;
}

function describeType(e: ErrorObject): string {
  const t = e.params.type as string | string[];
  const types = Array.isArray(t) ? t : [t];
  return types.map((x) => (x === 'integer' ? 'a whole number' : x === 'array' ? 'a list' : x === 'object' ? 'a mapping' : `a ${x}`)).join(' or ');
}

function mapError(ctx: Context, e: ErrorObject): Problem | undefined {
  const path = toPath(e.instancePath);
  if (isNoise(e, path)) return undefined;
  const at = locate(ctx.doc, path);
  const prefix = stagePrefix(ctx, path);
  const inWith = isWithPath(path);
  const builtin = builtinAt(ctx, path);
  const key = keyName(path);
  const make = (code: ProblemCode, span: Span, message: string, fixes?: Fix[]) => problem(code, span, prefix + message, fixes);

  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const extraAt = locate(ctx.doc, [...path, extra]);
      const span = extraAt.key ?? at.value;
      // A key already in the mapping is no replacement: it would be a duplicate.
      const free = (k: string) => !isObject(valueAt(ctx.data, path)) || !Object.hasOwn(valueAt(ctx.data, path) as object, k);
      if (inWith) {
        const known = Object.keys((builtin && builtinSchema(builtin).properties) ?? {});
        const near = closest(extra, known);
        return make(
          'bad-option',
          span,
          `unknown option \`${extra}\` for built-in \`${builtin}\`; it takes ${known.map((k) => `\`${k}\``).join(', ')}.${didYouMean(near)}`,
          replaceFixes(extraAt, span, near.filter(free)),
        );
      }
      const inHost = path.length === 2 && path[0] === 'hosts';
      const known: readonly string[] = path.length === 0 ? pipelineKeys : inHost ? hostKeys : stageKeys;
      const near = closest(extra, known);
      const where = path.length === 0 ? 'a pipeline' : inHost ? `host \`${key}\`` : 'a stage';
      return make(
        'unknown-key',
        span,
        `unknown key \`${extra}\` in ${where}.${didYouMean(near) || ` Known keys: ${known.join(', ')}.`}`,
        replaceFixes(extraAt, span, near.filter(free)),
      );
    }
    case 'required': {
      const missing = String(e.params.missingProperty);
      if (missing === 'with' && builtin) {
        const needed = builtinSchema(builtin).required ?? [];
        return make(
          'bad-option',
          locate(ctx.doc, [...path, 'use']).value,
          `built-in \`${builtin}\` needs \`with:\` options: ${needed.map((k) => `\`${k}\``).join(', ')}.`,
        );
      }
      const span = at.key ?? at.value;
      if (inWith) return make('bad-option', span, `built-in \`${builtin}\` needs the option \`${missing}\`.`);
      return make('invalid-value', span, `\`${key}\` needs the key \`${missing}\`.`);
    }
    case 'oneOf': {
      const options = (builtin && builtinSchema(builtin).oneOf?.flatMap((s) => s.required ?? [])) || [];
      if (inWith && options.length > 0) {
        return make('bad-option', at.key ?? at.value, `built-in \`${builtin}\` needs exactly one of ${options.map((k) => `\`${k}\``).join(', ')}.`);
      }
      if (key === 'timeout')
        return make('invalid-value', at.value, '`timeout` must be a positive number of seconds or a duration such as `500ms`, `30s`, `5m`, `1h`.');
      return make('invalid-value', at.value, `\`${key}\` ${e.message ?? 'is not valid'}.`);
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const value = JSON.stringify(at.exact ? valueAt(ctx.data, path) : undefined);
      if (path.length === 3 && key === 'use') {
        const near = closest(String(valueAt(ctx.data, path)), builtinNames);
        return make(
          'unknown-builtin',
          at.value,
          `unknown built-in ${value}; built-ins are ${builtinNames.join(', ')}.${didYouMean(near)}`,
          replaceFixes(at, at.value, near),
        );
      }
      const near = closest(String(valueAt(ctx.data, path)), allowed);
      return make(
        inWith ? 'bad-option' : 'invalid-value',
        at.value,
        `\`${key}\` must be one of ${allowed.map((a) => `\`${a}\``).join(', ')}, not ${value}.${didYouMean(near)}`,
        replaceFixes(at, at.value, near),
      );
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const limit = e.params.limit as number;
      if (path.length === 3 && key === 'workers') {
        const clamped = e.keyword === 'minimum' ? 1 : 64;
        const fixes = at.indirect ? [] : [{ title: `Set workers to ${clamped}`, edits: [{ ...at.value, newText: String(clamped) }] }];
        return make('workers-range', at.value, `\`workers\` must be between 1 and 64, not ${String(valueAt(ctx.data, path))}.`, fixes);
      }
      return make(inWith ? 'bad-option' : 'invalid-value', at.value, `\`${key}\` ${e.message ?? `must respect ${limit}`}.`);
    }
    case 'pattern': {
      if (e.propertyName !== undefined) {
        const span = locate(ctx.doc, [...path, e.propertyName]).key ?? at.value;
        return make('invalid-value', span, `\`${e.propertyName}\` is not a valid variable name: use letters, digits and \`_\`, not starting with a digit.`);
      }
      if (path.length === 3 && key === 'name') {
        return make(
          'invalid-stage-name',
          at.value,
          `stage name ${JSON.stringify(valueAt(ctx.data, path))} is not valid: use letters, digits, \`_\`, \`-\` and \`.\`, starting with a letter or \`_\`.`,
        );
      }
      return make(inWith ? 'bad-option' : 'invalid-value', at.value, `\`${key}\` does not have the expected form.`);
    }
    case 'type':
      // A bare `stages:` is reported once, as empty-pipeline.
      if (path.length === 1 && path[0] === 'stages' && valueAt(ctx.data, path) === null) return undefined;
      if (isStagePath(path)) return make('wrong-type', at.value, 'a stage must be a mapping of keys such as `name:` and `run:`, `command:` or `use:`.');
      if (typeof path[path.length - 1] === 'number') return listItemType(ctx, e, path, at, make);
      return make(inWith ? 'bad-option' : 'wrong-type', at.value, `${path.length === 0 ? 'the pipeline' : `\`${key}\``} must be ${describeType(e)}.`);
    case 'not': {
      // In a list (`by: [a, count]`) the option is the name above the index.
      const option = String([...path].reverse().find((s) => typeof s === 'string') ?? key);
      const why = inWith && builtin ? builtinSchema(builtin).properties?.[option]?.description : undefined;
      return make(
        inWith ? 'bad-option' : 'invalid-value',
        at.value,
        `\`${option}\` cannot be ${JSON.stringify(valueAt(ctx.data, path))}.${why ? ` ${why}` : ''}`,
      );
    }
    case 'uniqueItems': {
      // ajv names two indexes (`items ## 1 and 0 are identical`): name the value and point at its second place.
      const later = Math.max(e.params.i as number, e.params.j as number);
      const item = locate(ctx.doc, [...path, later]);
      const value = valueAt(ctx.data, [...path, later]);
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      return make(inWith ? 'bad-option' : 'invalid-value', item.value, `\`${key}\` names \`${shown}\` twice; remove this one.`);
    }
    case 'minLength':
    case 'minItems':
      return make(inWith ? 'bad-option' : 'invalid-value', at.value, `\`${key}\` must not be empty.`);
    default:
      return make(inWith ? 'bad-option' : 'invalid-value', at.value, `\`${key}\` ${e.message ?? 'is not valid'}.`);
  }
}

type Make = (code: ProblemCode, span: Span, message: string, fixes?: Fix[]) => Problem;

/**
 * An item of a list of the wrong type, named by its value, not its index: `command: [seq, 1, 10]` gives "`10`
 * in `command` must be a string". A scalar written as is (`10`, `true`, `null`) becomes a string when quoted.
 */
function listItemType(ctx: Context, e: ErrorObject, path: Path, at: Located, make: Make): Problem {
  const list = String(path[path.length - 2]);
  const source = at.exact && !at.indirect ? ctx.text.slice(at.value.start, at.value.end) : undefined;
  const wantsString = describeType(e) === 'a string';
  const scalar = source !== undefined && source !== '' && !/^[[{"'|>&*!]/.test(source);
  const shown = source ?? JSON.stringify(valueAt(ctx.data, path));
  if (wantsString && scalar) {
    const quoted = JSON.stringify(source);
    const value = valueAt(ctx.data, path);
    const read = value === null ? 'null' : typeof value === 'boolean' ? 'a boolean' : typeof value === 'number' ? 'a number' : 'another type';
    return make('wrong-type', at.value, `\`${shown}\` in \`${list}\` must be a string, but YAML reads it as ${read}: quote it, \`${quoted}\`.`, [
      { title: `Quote ${shown} as ${quoted}`, edits: [{ ...at.value, newText: quoted }] },
    ]);
  }
  return make(isWithPath(path) ? 'bad-option' : 'wrong-type', at.value, `\`${shown}\` in \`${list}\` must be ${describeType(e)}.`);
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) v = isObject(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

/** Problems of errors, each once (several errors can land on one node with the same code). */
function mapErrors(ctx: Context, errors: readonly ErrorObject[], seen: Set<string>): Problem[] {
  const problems: Problem[] = [];
  for (const e of errors) {
    const p = mapError(ctx, e);
    const id = p && `${p.code}@${p.start}-${p.end}`;
    if (p && id && !seen.has(id)) {
      seen.add(id);
      problems.push(p);
    }
  }
  return problems;
}

/** The errors of validating `data`. */
function errorsOf(data: unknown): readonly ErrorObject[] {
  // Generated from the schema at build time (scripts/gen-validator.ts): nothing is compiled at run time.
  return validatePipeline(data) ? [] : (validatePipeline.errors ?? []);
}

/** A stage's schema problems, remembered between versions (dsl/stage-memo.ts); they depend on nothing but the stage. */
const stageProblems = new StageMemo('schema');
const noContext: MemoContext = { key: '' };
const stageIndexOf = (instancePath: string) => /^\/stages\/(\d+)(?:\/|$)/.exec(instancePath)?.[1];

/** The schema's problems of one stage, validated alone (its errors' paths put back at its index). */
function validateStage(ctx: Context, stage: Stage, raw: unknown): Problem[] {
  const errors = errorsOf({ stages: [raw] })
    .filter((e) => stageIndexOf(e.instancePath) === '0')
    .map((e) => ({ ...e, instancePath: e.instancePath.replace(/^\/stages\/0/, `/stages/${stage.index}`) }));
  return mapErrors(ctx, errors, new Set());
}

/** The schema's problems: of the pipeline as a whole (not in a stage), and per stage index (stages without any left out). */
export interface SchemaProblems {
  pipeline: Problem[];
  stages: Map<number, Problem[]>;
}

/**
 * Validates the data against the JSON Schema; each error lands on the exact YAML node. Each stage is valid or not on
 * its own (the schema's stage definition looks at nothing outside the stage): when most stages are as in the version
 * before (an edit inside one), only the top level and the other stages are validated, each stage alone, and the rest
 * recalled. `only`: the top level and those stages alone.
 */
export function schemaProblems(text: string, doc: Document, data: unknown, pipeline: Pipeline, only?: readonly Stage[]): SchemaProblems {
  const ctx = { text, doc, data, pipeline };
  const raws = isObject(data) && Array.isArray(data.stages) ? (data.stages as unknown[]) : [];
  const all = pipeline.stages.length === raws.length ? pipeline.stages : [];
  const stages = only ?? all;
  const recalled = stages.map((stage) => (isObject(raws[stage.index]) ? stageProblems.recall(raws[stage.index] as object, stage, noContext) : undefined));
  const seen = new Set<string>();
  const missing = recalled.filter((r) => r === undefined).length;
  const per = new Map<number, Problem[]>();
  const add = (index: number, problems: Problem[]) => problems.length > 0 && per.set(index, [...(per.get(index) ?? []), ...problems]);
  // A first check (nothing recalled) validates everything in one pass; a check after a one-stage edit, a few stages.
  // Not a list of stages (or not even a mapping): nothing to take apart.
  if (!isObject(data) || !Array.isArray(data.stages) || (!only && (missing === stages.length || missing > 16))) {
    // All at once: one pass of the validator over everything, its errors then sorted out per stage to be remembered.
    const problems: Problem[] = [];
    for (const e of errorsOf(data)) {
      const own = mapErrors(ctx, [e], seen);
      const index = stageIndexOf(e.instancePath);
      if (index !== undefined && all.length > 0) add(Number(index), own);
      else for (const p of own) problems.push(p);
    }
    for (const stage of stages)
      if (isObject(raws[stage.index])) stageProblems.remember(raws[stage.index] as object, stage, noContext, per.get(stage.index) ?? []);
    return { pipeline: problems, stages: per };
  }
  // The top level without its stages, then each stage not recalled, alone.
  const problems = mapErrors(ctx, errorsOf({ ...(data as Record<string, unknown>), stages: [] }), seen);
  for (const [i, stage] of stages.entries()) {
    const raw = raws[stage.index];
    const own = recalled[i] ?? validateStage(ctx, stage, raw);
    if (isObject(raw) && recalled[i] === undefined) stageProblems.remember(raw, stage, noContext, own);
    add(stage.index, own);
  }
  return { pipeline: problems, stages: per };
}
