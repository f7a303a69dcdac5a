import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { builtins, isBuiltin, type FileRole } from './builtins';
import { stageInputProblems, unreadOutput } from './inputs';
import { pipelineNulProblems, stageNulProblems } from './nul';
import { appendEntryEdit, joinDeletions, ownPair, ownStageMap, removeEntryEdit } from './fixes';
import { isObject, stagesData } from './build';
import type { DslHost } from './host';
import { stageKeys, stageLabel as label, type Pipeline, type Stage } from './model';
import type { Parsed } from './parse';
import { parentDir, pipelineDir, resolveIn, stageScope } from './resolve';
import { problem, type Edit, type Fix, type Problem } from './problems';
import { firstNonJsonLine, formatOf, sniffBytes } from './read-format';
import { regexProblems } from './regex-check';
import { shellReferences } from './shell-vars';
import type { StageIndex } from './stage-index';
import { StageMemo, type MemoContext } from './stage-memo';
import { closest } from './suggest';
import type { Span } from './span';
import { interpolate, isAssignedInScript, isResolvable, mergeEnv, variableReferences, type VariableReference } from './vars';
import { locate } from './yaml-nodes';

export interface SemanticContext {
  parsed: Parsed;
  text: string;
  doc: Document;
  data: unknown;
  pipeline: Pipeline;
  host: DslHost;
  /** Absolute folder of the pipeline file; file checks are skipped without it (e.g. untitled). */
  fileDir?: string | undefined;
}

type Json = Record<string, unknown>;
const actionKeys = ['run', 'command', 'use'] as const;
const isKnownStageKey = (k: string) => (stageKeys as readonly string[]).includes(k) || k.startsWith('x-') || k === '<<';

function emptyPipeline(ctx: SemanticContext): Problem[] {
  const root = isObject(ctx.data) ? ctx.data : undefined;
  if (root === undefined && ctx.data !== undefined && ctx.data !== null) return []; // wrong-type from the schema
  const stages = root?.stages;
  if (stages !== undefined && stages !== null && !(Array.isArray(stages) && stages.length === 0)) return [];
  const at = ctx.pipeline.keys.stages;
  const span = at ? at.key : { start: 0, end: Math.min(ctx.text.length, ctx.text.indexOf('\n') >>> 0) };
  return [problem('empty-pipeline', span, 'The pipeline has no stages: add a `stages:` list with at least one stage, e.g. `- run: cat`.')];
}

/**
 * Where to point at a stage as a whole: its name when it has one, else the `-` that opens it
 * (its first key may be any key, `workers` say, which is not what is wrong), found in the yaml
 * library's syntax tree of the `stages` list.
 */
function stageMark(parsed: Parsed, stage: Stage): Span {
  if (stage.keys.name) return stage.keys.name.value;
  const root = parsed.doc.contents;
  const stages = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === 'stages')?.value : undefined;
  const token = isSeq(stages) ? stages.srcToken : undefined;
  const dash = token?.type === 'block-seq' ? token.items[stage.index]?.start.find((t) => t.type === 'seq-item-ind') : undefined;
  return dash ? { start: dash.offset, end: dash.offset + 1 } : stage.headSpan;
}

/** Shared by the rules of stages without problems, the most of a big file's: never pushed into. */
const none: readonly Problem[] = [];

function actionProblems(ctx: SemanticContext, stage: Stage, raw: Json): readonly Problem[] {
  // One action and no stray `with`, as most stages: nothing to allocate.
  const actions = (raw.run !== undefined ? 1 : 0) + (raw.command !== undefined ? 1 : 0) + (raw.use !== undefined ? 1 : 0);
  if (actions === 1 && (raw.with === undefined || raw.use !== undefined)) return none;
  const present = actionKeys.filter((k) => raw[k] !== undefined);
  const problems: Problem[] = [];
  if (present.length === 0) {
    // One typo, one error: `comand: cat` is an unknown key (with its "Did you mean" fix), not also a stage that does nothing.
    if (Object.keys(raw).some((k) => !isKnownStageKey(k) && closest(k, actionKeys).length > 0)) return problems;
    problems.push(
      problem(
        'missing-command',
        stageMark(ctx.parsed, stage),
        `${label(stage)} does nothing: give it one of \`run\` (shell command), \`command\` (argv) or \`use\` (built-in).`,
      ),
    );
  } else if (present.length > 1) {
    const spanOf = (k: (typeof actionKeys)[number]) => stage.keys[k]!;
    // Only keys written in the stage itself can be removed: one brought in by `<<: *x` would take the alias with it.
    const map = ownStageMap(ctx.parsed, stage.index);
    const removal = (k: (typeof actionKeys)[number]) => {
      const pair = map && ownPair(map, k);
      return pair && removeEntryEdit(ctx.parsed, map, pair);
    };
    const fixes = present.flatMap((keep) => {
      const removals = present.filter((k) => k !== keep).map(removal);
      const edits = removals.every((e): e is Edit => e !== undefined) ? joinDeletions(removals) : undefined;
      return edits ? [{ title: `Keep \`${keep}\``, edits }] : [];
    });
    for (const k of present.slice(1)) {
      problems.push(
        problem('conflicting-command', spanOf(k).key, `${label(stage)} has ${present.map((p) => `\`${p}\``).join(' and ')}: keep exactly one.`, fixes),
      );
    }
  }
  if (raw.with !== undefined && raw.use === undefined && stage.keys.with) {
    problems.push(problem('bad-option', stage.keys.with.key, `${label(stage)}: \`with\` holds options of a built-in stage, but the stage has no \`use\`.`));
  }
  return problems;
}

/** `duplicate-stage-name` on a stage whose written name an earlier stage has. */
function duplicateName(stage: Stage, raw: Json, index: StageIndex): Problem | undefined {
  const earlier = typeof raw.name === 'string' && stage.keys.name ? index.written(raw.name) : undefined;
  if (earlier === undefined || earlier === stage.index) return undefined;
  const message = `Stage name \`${raw.name as string}\` is already used by stage ${earlier + 1}; stage names must be unique. Rename this one.`;
  return problem('duplicate-stage-name', stage.keys.name!.value, message);
}

/**
 * Finds each undefined `${NAME}` of one value in its source, in order. The string and its source
 * hold the same `${NAME}`s in the same order (escapes such as `\"` change neither), also those the
 * shell reads literally (`'${X}'`), which are skipped in both: when the reference is the m-th
 * `${NAME}` after the previous one in the string, it is the m-th in the source too. Two cursors
 * move forward only, so a value with many references is searched once. A `${` right after a `$`
 * is the escape `$${`. Where the source spells a reference differently, it and every later one
 * get the whole value.
 */
function referenceFinder(text: string, valueText: string, value: Span): (ref: VariableReference) => Span {
  let inValue = 0;
  let inSource = value.start;
  const next = (s: string, needle: string, from: number, end: number, floor: number) => {
    for (let at = s.indexOf(needle, from); at >= 0 && at + needle.length <= end; at = s.indexOf(needle, at + 1))
      if (at === floor || s[at - 1] !== '$') return at;
    return -1;
  };
  return (ref) => {
    if (inSource < 0) return value;
    const needle = `\${${ref.name}}`;
    for (;;) {
      const v = next(valueText, needle, inValue, valueText.length, 0);
      const at = next(text, needle, inSource, value.end, value.start);
      if (v < 0 || at < 0 || v > ref.start) break;
      inValue = v + needle.length;
      inSource = at + needle.length;
      if (v === ref.start) return { start: at, end: inSource };
    }
    inSource = -1;
    return value;
  };
}

/** Whether a string under `value` holds `${`: without one there is nothing to look up (and no path to build). */
function holdsReference(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${');
  if (Array.isArray(value)) return value.some(holdsReference);
  if (isObject(value)) for (const k in value) if (holdsReference(value[k])) return true;
  return false;
}

/** Every string under `value` with its JSON path, for `${VAR}` checks in `with` and `command`. */
function strings(value: unknown, path: (string | number)[], out: Candidate[]): void {
  const stack: { v: unknown; p: (string | number)[] }[] = [{ v: value, p: path }];
  while (stack.length > 0) {
    const { v, p } = stack.pop()!;
    if (typeof v === 'string') out.push({ path: p, text: v });
    else if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, p: [...p, i] }));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) stack.push({ v: x, p: [...p, k] });
  }
}

interface Candidate {
  path: (string | number)[];
  text: string;
  /** A `run:` script: the shell's rules apply, and what it leaves empty is only a warning. */
  script?: boolean;
  /** Variables visible to this value, when not the stage's (env values see only the layers before them). */
  env?: Readonly<Record<string, string>>;
}

function variableProblems(ctx: SemanticContext, who: string, candidates: Candidate[], env: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  for (const c of candidates) {
    let find: ((ref: VariableReference) => Span) | undefined;
    const assigned = new Map<string, boolean>();
    const visible = c.env ?? env;
    for (const ref of c.script ? shellReferences(c.text) : variableReferences(c.text)) {
      if (ref.hasDefault || visible[ref.name] !== undefined) continue;
      if (c.script) {
        if (!assigned.has(ref.name)) assigned.set(ref.name, isAssignedInScript(c.text, ref.name));
        if (assigned.get(ref.name)) continue;
      }
      find ??= referenceFinder(ctx.text, c.text, locate(ctx.doc, c.path).value);
      const span = find(ref);
      const name = `\`\${${ref.name}}\``;
      const p = c.script
        ? problem(
            'undefined-variable',
            span,
            `${who}: ${name} is not defined, so the shell expands it to an empty string. Add it to the pipeline's \`env:\`, set it in the environment, or give a default: \`\${${ref.name}:-value}\`.`,
          )
        : problem(
            'undefined-variable',
            span,
            `${who}: ${name} is not defined. Add it to the pipeline's \`env:\`, set it in the environment, or give a default: \`\${${ref.name}:-value}\`.`,
          );
      if (c.script) p.severity = 'warning';
      problems.push(p);
    }
  }
  return problems;
}

/** `env` values, in order: each sees the layers before it and the keys above it (as mergeEnv merges them). */
function envCandidates(rawEnv: unknown, path: (string | number)[], base: Readonly<Record<string, string>>): Candidate[] {
  if (!isObject(rawEnv)) return [];
  const out: Candidate[] = [];
  let env = base;
  for (const [key, value] of Object.entries(rawEnv)) {
    if (typeof value === 'string') out.push({ path: [...path, key], text: value, env });
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') env = mergeEnv(env, { [key]: String(value) });
  }
  return out;
}

/** `env`: the stage's variables, asked for only when one of its values holds a `${` (most hold none). */
function undefinedVariables(
  ctx: SemanticContext,
  stage: Stage,
  raw: Json,
  env: () => Readonly<Record<string, string>>,
  pipelineEnv: Readonly<Record<string, string>>,
): readonly Problem[] {
  const candidates: Candidate[] = [];
  const base: (string | number)[] = ['stages', stage.index];
  if (typeof raw.run === 'string' && raw.run.includes('${')) candidates.push({ path: [...base, 'run'], text: raw.run, script: true });
  if (holdsReference(raw.command)) strings(raw.command, [...base, 'command'], candidates);
  if (holdsReference(raw.with)) strings(raw.with, [...base, 'with'], candidates);
  if (typeof raw.cwd === 'string' && raw.cwd.includes('${')) candidates.push({ path: [...base, 'cwd'], text: raw.cwd });
  if (holdsReference(raw.env)) candidates.push(...envCandidates(raw.env, [...base, 'env'], pipelineEnv));
  return candidates.length === 0 ? none : variableProblems(ctx, label(stage), candidates, env());
}

function fileProblems(ctx: SemanticContext, stage: Stage, raw: Json, env: Readonly<Record<string, string>>, dir: string): readonly Problem[] {
  if (typeof raw.use !== 'string' || !isBuiltin(raw.use) || !isObject(raw.with)) return none;
  const problems: Problem[] = [];
  const lookup = (n: string) => env[n];
  const roles: Record<string, FileRole> = builtins[raw.use].files;
  for (const [option, role] of Object.entries(roles)) {
    const value = raw.with[option];
    if (typeof value !== 'string' || value === '' || !isResolvable(value, lookup)) continue;
    const file = resolveIn(dir, interpolate(value, lookup));
    const span = locate(ctx.doc, ['stages', stage.index, 'with', option]).value;
    if (role === 'input') {
      const kind = ctx.host.statKind(file);
      if (kind === 'file' && raw.use === 'read' && raw.with.format === undefined) problems.push(...notNdjson(ctx, stage, file, value, span));
      if (kind !== 'file') {
        problems.push(
          problem(
            'file-not-found',
            span,
            `${label(stage)}: ${kind === 'dir' ? 'is a folder, not a file' : 'no such file'}: ${file}. Paths are relative to the stage's working directory (${dir}).`,
          ),
        );
      }
    } else if (ctx.host.statKind(parentDir(file)) !== 'dir') {
      problems.push(problem('file-not-found', span, `${label(stage)}: the folder to write into does not exist: ${parentDir(file)}. Create it first.`));
    }
  }
  return problems;
}

/**
 * A `read` without `format` takes a file for NDJSON unless its extension says otherwise: when its
 * first line is not JSON, the run would stop there (`read` refuses it, dsl/read-format.ts).
 */
function notNdjson(ctx: SemanticContext, stage: Stage, file: string, written: string, span: Span): Problem[] {
  if (formatOf(file) !== 'ndjson') return [];
  const start = ctx.host.readStart(file, sniffBytes);
  const bad = start && firstNonJsonLine(start.text, start.whole);
  if (!bad) return [];
  const line = bad.line.length > 40 ? `${bad.line.slice(0, 40)}…` : bad.line;
  const map = ownStageMap(ctx.parsed, stage.index);
  const options = map && ownPair(map, 'with')?.value;
  const fix = (format: string): Fix[] => {
    const edit = isMap(options) ? appendEntryEdit(ctx.parsed, options, `format: ${format}`) : undefined;
    return edit ? [{ title: `Add \`format: ${format}\``, edits: [edit] }] : [];
  };
  const alternatives = bad.line.includes('\t') ? fix('tsv') : bad.line.includes(',') ? fix('csv') : [];
  return [
    problem(
      'not-ndjson',
      span,
      `${label(stage)}: ${written} is read as NDJSON (no \`format\`, and its extension says nothing else), but its line ${bad.number} is not JSON (\`${line}\`), so the run would stop there. Add \`format: lines\` to read each line as {"line": "…"} (then \`parse\` it), or give the format it has.`,
      [...fix('lines'), ...alternatives],
    ),
  ];
}

/** Shell words that are not programs on PATH. */
const shellWords = new Set(
  '! [ [[ { ( . : alias bg break builtin case cd command continue declare echo eval exec exit export false fg for function getopts hash if jobs kill let local printf pwd read readonly return set shift source test time times trap true type typeset ulimit umask unalias unset until wait while'.split(
    ' ',
  ),
);

const word = /\S+/g;

/** The program of a `run:` script when it is a plain word (`grep -v x`, `FOO=1 jq .`), else undefined. */
function scriptProgram(script: string): string | undefined {
  // Word by word up to the first that is no assignment: splitting every script into all its words was a big file's cost.
  word.lastIndex = 0;
  let found: string | undefined;
  for (let m = word.exec(script); m && found === undefined; m = word.exec(script)) if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(m[0])) found = m[0];
  if (!found || /[$`'"\\*?;&|<>(){}]/.test(found) || shellWords.has(found)) return undefined;
  return found;
}

function commandProblems(ctx: SemanticContext, stage: Stage, raw: Json, dir: string): readonly Problem[] {
  const fromCommand = Array.isArray(raw.command) && typeof raw.command[0] === 'string' ? raw.command[0] : undefined;
  const program = fromCommand ?? (typeof raw.run === 'string' ? scriptProgram(raw.run) : undefined);
  if (!program || program.includes('${')) return none;
  const found = ctx.host.findProgram(program, dir);
  if (found.kind === 'found') return none;
  const path = fromCommand !== undefined ? ['stages', stage.index, 'command', 0] : ['stages', stage.index, 'run'];
  const at = locate(ctx.doc, path).value;
  const offset = ctx.text.slice(at.start, at.end).indexOf(program);
  const span = fromCommand === undefined && offset >= 0 ? { start: at.start + offset, end: at.start + offset + program.length } : at;
  if (found.kind === 'not-executable') {
    const fix = 'Make it executable (chmod +x) or fix the name; the run will fail otherwise.';
    const message = `${label(stage)}: \`${program}\` (${found.path}) is not executable. ${fix}`;
    return [problem('command-not-found', span, message)];
  }
  const where = program.includes('/') ? `relative to ${dir}` : 'on PATH';
  return [
    problem('command-not-found', span, `${label(stage)}: \`${program}\` was not found ${where}. Install it or fix the name; the run will fail otherwise.`),
  ];
}

function dirProblems(ctx: SemanticContext, path: (string | number)[], dir: string, who: string): readonly Problem[] {
  if (ctx.host.statKind(dir) === 'dir') return none;
  return [problem('file-not-found', locate(ctx.doc, path).value, `${who}: working directory does not exist: ${dir}.`)];
}

/** A stage's own problems (action, regex, variables): the same from one version to the next while its text is (dsl/stage-memo.ts). */
const ownProblems = new StageMemo('own');

/** What the rules of every stage share in one check (`pipelineSemantic` makes it). */
export interface StageRules {
  ctx: SemanticContext;
  raws: unknown[];
  index: StageIndex;
  memo: MemoContext;
  pipelineEnv: Readonly<Record<string, string>>;
  /** The pipeline's working directory is missing: reported once, where it is set, it hides the file checks under it. */
  cwdMissing: boolean;
}

/** Rules beyond the schema for the pipeline as a whole (no stage's own), and what the stages' rules share. */
export function pipelineSemantic(ctx: SemanticContext, index: StageIndex): { problems: Problem[]; rules: StageRules } {
  const { pipeline, fileDir } = ctx;
  const root = isObject(ctx.data) ? ctx.data : {};
  const processEnv: Record<string, string> = mergeEnv(ctx.host.env);
  const pipelineEnv = mergeEnv(processEnv, pipeline.env);
  const topLevel = [...envCandidates(root.env, ['env'], processEnv), ...(typeof root.cwd === 'string' ? [{ path: ['cwd'], text: root.cwd }] : [])];
  const cwdProblems =
    fileDir !== undefined && pipeline.cwd !== undefined ? dirProblems(ctx, ['cwd'], pipelineDir(pipeline, ctx.host.env, fileDir), 'The pipeline') : [];
  const problems = [
    ...emptyPipeline(ctx),
    ...pipelineNulProblems(ctx.doc, ctx.data),
    ...variableProblems(ctx, 'The pipeline', topLevel, pipelineEnv),
    ...cwdProblems,
  ];
  const memo: MemoContext = { key: JSON.stringify(pipeline.env), hostEnv: ctx.host.env };
  return { problems, rules: { ctx, raws: stagesData(ctx.data), index, memo, pipelineEnv, cwdMissing: cwdProblems.length > 0 } };
}

/**
 * Rules beyond the schema for one stage, added to `out`: its own (remembered, dsl/stage-memo.ts), its name and `input:`
 * against the other stages (`StageIndex`), and what it asks the host (files, programs). Adds the stages its `input:`
 * meant to `meant`. `unread-output` is `stageUnread`, once every stage's `meant` is known. Most stages have no problem:
 * for them nothing is allocated but what the memo keeps (a big file's check was mostly its collector's work).
 */
export function stageSemantic(rules: StageRules, stage: Stage, out: Problem[], meant?: Set<string>): void {
  const { ctx, index } = rules;
  const { pipeline, fileDir } = ctx;
  const raw = rules.raws[stage.index];
  if (!isObject(raw)) return;
  const duplicate = duplicateName(stage, raw, index);
  if (duplicate) out.push(duplicate);
  if (stage.input !== undefined) {
    const inputs = stageInputProblems(ctx.doc, raw, pipeline, stage, index);
    for (const name of inputs.meant) meant?.add(name);
    for (const p of inputs.problems) out.push(p);
  }
  for (const p of stageNulProblems(ctx.doc, raw, stage)) out.push(p);
  let scoped: ReturnType<typeof stageScope> | undefined;
  const scope = () => (scoped ??= stageScope(pipeline, stage, ctx.host.env, fileDir ?? '/'));
  const own = ownProblems.problems(raw, stage, rules.memo, () => {
    const action = actionProblems(ctx, stage, raw);
    const regex = raw.use === 'parse' && isObject(raw.with) ? regexProblems(ctx.doc, ctx.text, stage, raw.with) : none;
    const variables = undefinedVariables(ctx, stage, raw, () => scope().env, rules.pipelineEnv);
    return action.length + regex.length + variables.length === 0 ? [] : [...action, ...regex, ...variables];
  });
  for (const p of own) out.push(p);
  // A stage on another host: its programs and folders are there, and `check` never connects.
  if (fileDir === undefined || rules.cwdMissing || stage.on) return;
  const { env, dir } = scope();
  if (stage.cwd !== undefined) {
    const missing = dirProblems(ctx, ['stages', stage.index, 'cwd'], dir, label(stage));
    for (const p of missing) out.push(p);
    if (missing.length > 0) return;
  }
  for (const p of fileProblems(ctx, stage, raw, env, dir)) out.push(p);
  for (const p of commandProblems(ctx, stage, raw, dir)) out.push(p);
}

/** `unread-output` of one stage (dsl/inputs.ts), pointed at its name or its `-`. */
export function stageUnread(rules: StageRules, stage: Stage): Problem | undefined {
  return unreadOutput(stage, rules.ctx.pipeline, rules.index, (s) => stageMark(rules.ctx.parsed, s));
}
