import { isObject, stagesData } from './build';
import { nameSource, writtenName } from './stage-names';
import type { MemoHost } from './host';
import { pipelineHostProblems, stageHostProblems } from './hosts';
import type { Pipeline, Stage } from './model';
import { oneForOne, type Parsed } from './parse';
import type { Problem } from './problems';
import { schemaProblems } from './schema-check';
import { pipelineSemantic, stageSemantic, stageUnread, type SemanticContext, type StageRules } from './semantic';
import { envAffected, hostsAffected, roleAffected } from './stage-affected';
import { stageIndex, type StageIndex } from './stage-index';
import { moved } from './stage-memo';
import type { Steps } from './steps';

/**
 * The rules after the YAML (the schema, the semantic rules, the hosts), as problems of the pipeline as a whole and
 * problems of each stage. A check keeps each stage's problems, and after an edit that leaves the number of stages as it
 * was (inside one stage, or in a top-level entry such as `env`), only the stages whose problems it can change are checked
 * again (dsl/stage-affected.ts): the edited one, and when its name, `input:` or `on:` changed, those that name or read it;
 * after an `env` edit, those that use a variable it set or unset. The other stages' problems are the previous ones,
 * moved when they come after the edit. So a keystroke in a file of 400,000 stages checks one stage, and a rename or a
 * new variable the few stages it concerns, not 400,000. An edit that added or removed stages checks the new ones, their
 * neighbours, the stages that had problems and those the new roles concern (`shiftedPlan`). Whatever else changed (the
 * pipeline's `cwd`, an answer of the host), every stage is checked again. test/unit/dsl/recompose.test.ts compares
 * each with a check from scratch.
 */

/** What the check of a version keeps for the next one's, per model. */
interface Kept {
  /** Per stage index, its problems (stages without any left out). */
  stages: Map<number, Problem[]>;
  index: StageIndex;
  /** What every stage's problems depend on beyond the stage itself, `env` and `hosts:` (`contextOf`), and the process environment, by identity. */
  context: string;
  hostEnv: object;
  /** The pipeline's `env` over the process environment, and `hosts:` as JSON: what the stages' problems saw of them. */
  env: Readonly<Record<string, string>>;
  hosts: string;
  /** The host of that check: what it asked, to be asked again. */
  host: MemoHost;
  /** How many questions the last check of every stage asked: questions of stages since edited pile up until the next. */
  asked: number;
  /** How many stages' rules ran: undefined when all of them did (`allRules`), or none through a broken stage. */
  checked: number | undefined;
  /**
   * Kept through a version whose YAML was broken inside stage `index` (`keepRulesThroughBrokenStage`): that stage as it
   * was when these problems were found, for the edit that mends it to be compared with.
   */
  held?: { index: number; stage: Stage; raw: unknown };
}

/** What the previous check's problems can be reused for: the stage the edit changed (if any), how far what follows moved. */
interface Reuse {
  before: Kept;
  stage: Stage | undefined;
  delta: number;
  /** That stage before the edit, as the kept problems knew it. */
  was?: Kept['held'];
  /** Its name, a default name, `input:` or `on:` changed (`sameRole`): the stages it concerns are checked again too. */
  roleChanged: boolean;
}

const kept = new WeakMap<Pipeline, Kept>();

export interface RulesInput {
  parsed: Parsed;
  text: string;
  pipeline: Pipeline;
  /** The host of this check (memoHost). */
  host: MemoHost;
  fileDir: string | undefined;
  /** The model of the version `parsed` was made from, and its stages' data. */
  previous?: { pipeline: Pipeline; raws: unknown[] } | undefined;
  /** When the model was built from that one: the stages whose name changed, with the name they had (dsl/build.ts `buildModel`). */
  renamed?: ReadonlyMap<number, string> | undefined;
}

/** The pipeline's folder and `cwd` (with the `env` it is resolved with): every stage's paths depend on them. */
function contextOf(input: RulesInput): string {
  const { pipeline } = input;
  return JSON.stringify([input.fileDir ?? null, pipeline.cwd ?? null, pipeline.cwd === undefined ? null : pipeline.env]);
}

const hostsOf = (parsed: Parsed) => JSON.stringify((isObject(parsed.data) ? parsed.data.hosts : undefined) ?? null);

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

/** The edited stage is to the other stages what it was: the same names (its own and every default one), `input:` and `on:`. */
function sameRole(old: Stage, oldRaw: unknown, now: Stage, raw: unknown): boolean {
  return (
    old.name === now.name &&
    old.named === now.named &&
    nameSource(oldRaw, old.index) === nameSource(raw, now.index) &&
    writtenName(oldRaw) === writtenName(raw) &&
    !old.keys.name === !now.keys.name &&
    sameList(old.input, now.input) &&
    sameList(old.on, now.on)
  );
}

/** The previous check's problems, when what they depended on beyond the stages (the context, the host's answers) holds. */
function keptFor(input: RulesInput): Kept | undefined {
  const { previous } = input;
  const before = previous && kept.get(previous.pipeline);
  if (!before || before.context !== contextOf(input) || before.hostEnv !== input.host.env || before.host.asked > 2 * before.asked + 64) return undefined;
  return before;
}

/**
 * The previous check's stage problems and what the edit changed (`stage`: the one edited, if any), when they still hold
 * and the number of stages is what it was. `role`: only when a change of the edited stage's role can be followed (not
 * through a broken stage: `held`).
 */
function reusable(input: RulesInput, role = true): Reuse | undefined {
  const { parsed, pipeline, previous } = input;
  const before = keptFor(input);
  if (!before || !previous || pipeline.stages.length !== previous.pipeline.stages.length) return undefined;
  let reuse: Reuse | undefined;
  if (parsed.moved !== undefined && !before.held) reuse = { before, stage: undefined, delta: parsed.moved, roleChanged: false };
  else if (parsed.edited?.key === 'stages' && oneForOne(parsed.edited)) {
    const { index, delta } = parsed.edited;
    const now = pipeline.stages[index]!;
    const was = before.held ?? { index, stage: previous.pipeline.stages[index]!, raw: previous.raws[index] };
    const roleChanged = !sameRole(was.stage, was.raw, now, stagesData(parsed.data)[index]);
    // Through a broken stage the kept problems knew the other stages as they were before it broke: a new role, every stage.
    if (was.index === index && (!role || !roleChanged || !before.held)) reuse = { before, stage: now, delta, was, roleChanged };
  }
  // Asked again last: a file or program that changed means every stage's problems must be looked at again.
  return reuse && before.host.answersSameIn(input.host) ? reuse : undefined;
}

/** The context of the semantic rules. */
function semanticContext(input: RulesInput): SemanticContext {
  const { parsed, text, pipeline, host, fileDir } = input;
  return { parsed, text, doc: parsed.doc, data: parsed.data, pipeline, host, fileDir };
}

/** Problems of the pipeline as a whole, and the stages' problems: all of them, in position order. */
function finish(input: RulesInput, rules: StageRules, whole: Problem[], stages: Map<number, Problem[]>, asked: number, checked: number | undefined): Problem[] {
  const problems = [...whole];
  for (const list of stages.values()) for (const p of list) problems.push(p); // may be many: no spread
  const { host, parsed } = input;
  const context = contextOf(input);
  kept.set(input.pipeline, { stages, index: rules.index, context, hostEnv: host.env, env: rules.pipelineEnv, hosts: hostsOf(parsed), host, asked, checked });
  return problems;
}

/** The problems of one stage beyond the schema's, added to `out` (`meant`: see `stageSemantic`). */
function stageRules(input: RulesInput, rules: StageRules, stage: Stage, out: Problem[], meant?: Set<string>): void {
  stageSemantic(rules, stage, out, meant);
  if (stage.on) for (const p of stageHostProblems(input.parsed.doc, input.pipeline, input.parsed.data, stage)) out.push(p);
}

/** How many stages' rules the check that built `pipeline` ran; undefined when every stage's (for tests: which path it took). */
export const stagesChecked = (pipeline: Pipeline) => kept.get(pipeline)?.checked;

/** Whether that check ran at most the edited stage's rules (bench/keystroke.ts: a keystroke must take that path). */
export const checkedOneStage = (pipeline: Pipeline) => (stagesChecked(pipeline) ?? 2) <= 1;

/** An empty document is only an empty pipeline (a semantic rule), not also a type error. */
const hasData = (parsed: Parsed) => parsed.data !== null && parsed.data !== undefined;

/** The previous check's problems of every stage but those `checked` again, moved by `delta` when they come after the edited `stage`. */
function othersKept(before: Kept, checked: ReadonlySet<number>, stage: Stage | undefined, delta: number): Map<number, Problem[]> {
  const stages = new Map<number, Problem[]>();
  for (const [index, list] of before.stages) {
    if (checked.has(index)) continue;
    stages.set(index, delta === 0 || (stage && index < stage.index) ? list : list.map((p) => moved(p, delta)));
  }
  return stages;
}

/** What a quick check takes over: the previous check's, the stage index, the stages to check again and the others' problems. */
interface Plan {
  before: Kept;
  index: StageIndex;
  affected: Set<number>;
  /** The problems of the stages not checked again, once `affected` is complete. */
  others: (affected: ReadonlySet<number>) => Map<number, Problem[]>;
}

/** An edit that left the number of stages as it was: the edited stage, and those its new role concerns. */
function sameCountPlan(input: RulesInput): Plan | undefined {
  const reuse = reusable(input);
  if (!reuse) return undefined;
  const { before, stage, delta, roleChanged } = reuse;
  const { parsed, pipeline, previous } = input;
  const affected = new Set<number>(stage ? [stage.index] : []);
  const index =
    stage && roleChanged && previous
      ? roleAffected(
          parsed,
          pipeline,
          stagesData(parsed.data),
          { ...previous, index: before.index },
          { index: stage.index, removed: 1, count: 1 },
          input.renamed ?? new Map(),
          affected,
        )
      : before.index;
  return { before, index, affected, others: (checked) => othersKept(before, checked, stage, delta) };
}

/**
 * An edit that added or removed stages (one recomposed into none, or into several): every stage after it has another
 * index, so the stages that had problems are checked again (their messages may name a stage by its place), with the new
 * ones, their neighbours (the stage after reads another one, or is now the first), and those the new roles concern
 * (`roleAffected`).
 */
function shiftedPlan(input: RulesInput): Plan | undefined {
  const { parsed, pipeline, previous, renamed } = input;
  const edited = parsed.edited;
  const before = keptFor(input);
  if (!before || before.held || !previous || !renamed || edited?.key !== 'stages' || oneForOne(edited)) return undefined;
  const { index: at, removed, count } = edited;
  if (pipeline.stages.length !== previous.pipeline.stages.length + count - removed || !before.host.answersSameIn(input.host)) return undefined;
  const affected = new Set<number>();
  for (let i = Math.max(0, at - 1); i <= Math.min(at + count, pipeline.stages.length - 1); i++) affected.add(i);
  for (const old of before.stages.keys()) if (old < at || old >= at + removed) affected.add(old < at ? old : old + count - removed);
  const index = roleAffected(parsed, pipeline, stagesData(parsed.data), { ...previous, index: before.index }, edited, renamed, affected);
  return { before, index, affected, others: () => new Map() };
}

/**
 * The rules' problems when the previous check's still hold for every stage the edit cannot have changed (see the top of
 * this file), checking only the stages it can have; undefined when every stage must be checked (`allRules`).
 */
export function quickRules(input: RulesInput): Problem[] | undefined {
  const plan = sameCountPlan(input) ?? shiftedPlan(input);
  if (!plan) return undefined;
  const { before, index, affected } = plan;
  const { parsed, text, pipeline } = input;
  const raws = stagesData(parsed.data);
  const { problems: whole, rules } = pipelineSemantic(semanticContext(input), index);
  envAffected(raws, before.env, rules.pipelineEnv, affected);
  if (hostsOf(parsed) !== before.hosts) hostsAffected(pipeline, affected);
  const checked = [...affected].sort((a, b) => a - b).map((i) => pipeline.stages[i]!);
  const schema = hasData(parsed) ? schemaProblems(text, parsed.doc, parsed.data, pipeline, checked) : undefined;
  const stages = plan.others(affected);
  for (const s of checked) {
    const own = [...(schema?.stages.get(s.index) ?? [])];
    stageRules(input, rules, s, own);
    const unread = stageUnread(rules, s);
    if (unread) own.push(unread);
    if (own.length > 0) stages.set(s.index, own);
  }
  const host = pipelineHostProblems(parsed.doc, pipeline, parsed.data, index.used, input.host);
  return finish(input, rules, [...(schema?.pipeline ?? []), ...whole, ...host], stages, before.asked, checked.length);
}

/**
 * A version whose YAML is broken inside the one stage an edit changed runs no rules (dsl/check.ts); the previous check's
 * problems of the other stages still hold, and are kept for the next version, without that stage's: the edit that mends
 * it then checks that stage alone (`quickRules`), not every stage of a big file.
 */
export function keepRulesThroughBrokenStage(input: RulesInput): void {
  // Its role may be another while it is broken (a default name from a command that is now a mapping): the mending edit
  // is compared with the stage as it was before it broke.
  const reuse = reusable(input, false);
  if (!reuse?.stage || !reuse.was) return;
  const { before, stage, delta } = reuse;
  kept.set(input.pipeline, { ...before, stages: othersKept(before, new Set([stage.index]), stage, delta), checked: undefined, held: reuse.was });
}

/** The rules' problems, every stage checked (remembered problems of unchanged stages recalled, dsl/stage-memo.ts), in steps. */
export function* allRules(input: RulesInput): Steps<Problem[]> {
  const { parsed, text, pipeline } = input;
  const raws = stagesData(parsed.data);
  const index = stageIndex(pipeline, raws);
  const schema = hasData(parsed) ? schemaProblems(text, parsed.doc, parsed.data, pipeline) : { pipeline: [], stages: new Map<number, Problem[]>() };
  yield undefined;
  const { problems: whole, rules } = pipelineSemantic(semanticContext(input), index);
  const stages = schema.stages;
  // One list for every stage's rules, handed to the stage's entry only when it has problems: most have none.
  let out: Problem[] = [];
  for (const stage of pipeline.stages) {
    stageRules(input, rules, stage, out, index.meant);
    if (out.length === 0) continue;
    const list = stages.get(stage.index);
    if (list) for (const p of out) list.push(p);
    else stages.set(stage.index, out);
    out = [];
  }
  yield undefined;
  // Once every `input:` said which stages it meant.
  for (const stage of pipeline.stages) {
    const unread = stageUnread(rules, stage);
    if (!unread) continue;
    const list = stages.get(stage.index);
    if (list) list.push(unread);
    else stages.set(stage.index, [unread]);
  }
  const host = pipelineHostProblems(parsed.doc, pipeline, parsed.data, index.used, input.host);
  return finish(input, rules, [...schema.pipeline, ...whole, ...host], stages, input.host.asked, undefined);
}
