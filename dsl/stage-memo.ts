import type { Stage } from './model';
import type { Problem } from './problems';

/**
 * A stage's own problems (those that depend on nothing but its text, its place in the list, the
 * pipeline's `env` and the process environment), remembered from one version of a file to the next.
 * After an edit inside one stage (dsl/recompose.ts) the other stages keep their data objects, so a
 * keystroke in a file of 400,000 stages checks one stage's rules again instead of all of them.
 * Problems that ask the host (files, programs) are not remembered: those are looked up every check,
 * both to be fresh and so that the server knows which paths to watch.
 */
export interface StageMemoContext {
  /** The process environment, by identity (the server's stays the same object). */
  hostEnv: object;
  /** The pipeline's own `env`, as JSON. */
  pipelineEnv: string;
}

interface Remembered {
  context: StageMemoContext;
  index: number;
  /** The label's name (messages say "Stage `x`" or "Stage 3"). */
  name: string;
  named: boolean;
  /** Offsets relative to the stage's start; undefined when a problem reaches outside the stage. */
  problems: Problem[] | undefined;
}

const remembered = new WeakMap<object, Remembered>();
const none: Problem[] = [];

/** A copy of a problem with every offset (its range, its fixes' edits) moved by `delta`. */
function moved(p: Problem, delta: number): Problem {
  const copy: Problem = { ...p, start: p.start + delta, end: p.end + delta };
  if (p.fixes) copy.fixes = p.fixes.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, start: e.start + delta, end: e.end + delta })) }));
  return copy;
}

/** Every offset of the problems lies inside the stage: only then does moving the stage move them all. */
function inside(problems: Problem[], stage: Stage): boolean {
  const within = (s: { start: number; end: number }) => s.start >= stage.span.start && s.end <= stage.span.end;
  return problems.every((p) => within(p) && (p.fixes ?? []).every((f) => f.edits.every(within)));
}

const sameContext = (a: StageMemoContext, b: StageMemoContext) => a.hostEnv === b.hostEnv && a.pipelineEnv === b.pipelineEnv;

/**
 * The stage's own problems: those of the version before when its data object is the same one (so its
 * text is too), at the same index, with the same label and context; else `compute()`, remembered.
 */
export function stageOwnProblems(raw: object, stage: Stage, context: StageMemoContext, compute: () => Problem[]): Problem[] {
  const before = remembered.get(raw);
  if (before?.problems && before.index === stage.index && before.name === stage.name && before.named === stage.named && sameContext(before.context, context))
    return before.problems.map((p) => moved(p, stage.span.start));
  const problems = compute();
  // Most stages have none: one shared empty list keeps a big file's memo small.
  const keep = problems.length === 0 ? none : inside(problems, stage) ? problems.map((p) => moved(p, -stage.span.start)) : undefined;
  remembered.set(raw, { context, index: stage.index, name: stage.name, named: stage.named, problems: keep });
  return problems;
}
