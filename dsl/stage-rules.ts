import { isObject, nameSource, stagesData } from './build';
import type { MemoHost } from './host';
import { pipelineHostProblems, stageHostProblems } from './hosts';
import type { Pipeline, Stage } from './model';
import type { Parsed } from './parse';
import type { Problem } from './problems';
import { schemaProblems } from './schema-check';
import { pipelineSemantic, stageSemantic, stageUnread, type SemanticContext, type StageRules } from './semantic';
import { stageIndex, type StageIndex } from './stage-index';
import { moved } from './stage-memo';
import type { Steps } from './steps';

/**
 * The rules after the YAML (the schema, the semantic rules, the hosts), as problems of the pipeline as a whole and
 * problems of each stage. A check keeps each stage's problems, and after an edit inside one stage that leaves its name,
 * its `input:` and its `on:` as they were (nothing any other stage's problems depend on), only that stage's rules run
 * again: the other stages' problems are the previous ones, moved when they come after the edit, and the rules between
 * stages look the edited one up in the previous check's `StageIndex`. So a keystroke in a file of 400,000 stages
 * checks one stage, not 400,000. Whatever else changed (a name, `env`, the number of stages, an answer of the host),
 * every stage is checked again. test/unit/dsl/recompose.test.ts compares both with a check from scratch.
 */

/** What the check of a version keeps for the next one's, per model. */
interface Kept {
  /** Per stage index, its problems (stages without any left out). */
  stages: Map<number, Problem[]>;
  index: StageIndex;
  /** What every stage's problems depend on beyond the stage itself (`contextOf`), and the process environment, by identity. */
  context: string;
  hostEnv: object;
  /** The host of that check: what it asked, to be asked again. */
  host: MemoHost;
  /** How many questions the last check of every stage asked: questions of stages since edited pile up until the next. */
  asked: number;
  /** Only the edited stage was checked (`quickRules`). */
  quick: boolean;
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
}

function contextOf(input: RulesInput): string {
  const { pipeline, parsed } = input;
  const hosts = isObject(parsed.data) ? parsed.data.hosts : undefined;
  return JSON.stringify([input.fileDir ?? null, pipeline.env, pipeline.cwd ?? null, hosts ?? null]);
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));
const writtenName = (raw: unknown) => (isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined);

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

/** The previous check's stage problems and what the edit changed (`stage`: the one to check again, if any), when they still hold. */
/** `role`: only when the edited stage keeps its role (`sameRole`) towards the others. */
function reusable(input: RulesInput, role = true): Reuse | undefined {
  const { parsed, pipeline, previous } = input;
  const before = previous && kept.get(previous.pipeline);
  if (!before || before.context !== contextOf(input) || before.hostEnv !== input.host.env) return undefined;
  if (pipeline.stages.length !== previous.pipeline.stages.length || before.host.asked > 2 * before.asked + 64) return undefined;
  let reuse: Reuse | undefined;
  if (parsed.moved !== undefined && !before.held) reuse = { before, stage: undefined, delta: parsed.moved };
  else if (parsed.edited?.key === 'stages' && parsed.edited.count === 1) {
    const { index, delta } = parsed.edited;
    const now = pipeline.stages[index]!;
    const was = before.held ?? { index, stage: previous.pipeline.stages[index]!, raw: previous.raws[index] };
    if (was.index === index && (!role || sameRole(was.stage, was.raw, now, stagesData(parsed.data)[index]))) reuse = { before, stage: now, delta, was };
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
function finish(input: RulesInput, index: StageIndex, whole: Problem[], stages: Map<number, Problem[]>, asked: number, quick: boolean): Problem[] {
  const problems = [...whole];
  for (const list of stages.values()) for (const p of list) problems.push(p); // may be many: no spread
  kept.set(input.pipeline, { stages, index, context: contextOf(input), hostEnv: input.host.env, host: input.host, asked, quick });
  return problems;
}

/** The problems of one stage beyond the schema's (`meant`: see `stageSemantic`). */
function stageRules(input: RulesInput, rules: StageRules, stage: Stage, meant?: Set<string>): Problem[] {
  return [...stageSemantic(rules, stage, meant), ...stageHostProblems(input.parsed.doc, input.pipeline, input.parsed.data, stage)];
}

/** Whether the check that built `pipeline` ran only the edited stage's rules (for tests: that path must be taken to be compared). */
export const checkedOneStage = (pipeline: Pipeline) => kept.get(pipeline)?.quick === true;

/** An empty document is only an empty pipeline (a semantic rule), not also a type error. */
const hasData = (parsed: Parsed) => parsed.data !== null && parsed.data !== undefined;

/** The previous check's problems of every stage but the edited one, moved by `delta` when they come after it. */
function othersKept(before: Kept, stage: Stage | undefined, delta: number): Map<number, Problem[]> {
  const stages = new Map<number, Problem[]>();
  for (const [index, list] of before.stages) {
    if (index === stage?.index) continue;
    stages.set(index, delta === 0 || (stage && index < stage.index) ? list : list.map((p) => moved(p, delta)));
  }
  return stages;
}

/**
 * The rules' problems when the previous check's still hold for every stage the edit did not touch (see the top of this
 * file), checking only the stage it did; undefined when every stage must be checked (`allRules`).
 */
export function quickRules(input: RulesInput): Problem[] | undefined {
  const reuse = reusable(input);
  if (!reuse) return undefined;
  const { before, stage, delta } = reuse;
  const { parsed, text, pipeline } = input;
  const { problems: whole, rules } = pipelineSemantic(semanticContext(input), before.index);
  const schema = hasData(parsed) ? schemaProblems(text, parsed.doc, parsed.data, pipeline, stage ? [stage] : []) : undefined;
  const stages = othersKept(before, stage, delta);
  if (stage) {
    const own = [...(schema?.stages.get(stage.index) ?? []), ...stageRules(input, rules, stage), ...stageUnread(rules, stage)];
    if (own.length > 0) stages.set(stage.index, own);
  }
  return finish(
    input,
    before.index,
    [...(schema?.pipeline ?? []), ...whole, ...pipelineHostProblems(parsed.doc, pipeline, parsed.data, before.index.used, input.host)],
    stages,
    before.asked,
    true,
  );
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
  kept.set(input.pipeline, { ...before, stages: othersKept(before, stage, delta), quick: false, held: reuse.was });
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
  const add = (index: number, problems: Problem[]) => {
    if (problems.length === 0) return;
    const list = stages.get(index);
    if (list) for (const p of problems) list.push(p);
    else stages.set(index, problems);
  };
  for (const stage of pipeline.stages) add(stage.index, stageRules(input, rules, stage, index.meant));
  yield undefined;
  // Once every `input:` said which stages it meant.
  for (const stage of pipeline.stages) add(stage.index, stageUnread(rules, stage));
  const host = pipelineHostProblems(parsed.doc, pipeline, parsed.data, index.used, input.host);
  return finish(input, index, [...schema.pipeline, ...whole, ...host], stages, input.host.asked, false);
}
