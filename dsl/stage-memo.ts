import type { Stage } from './model';
import type { Problem } from './problems';

/**
 * A stage's own problems (those that depend on nothing but its text, its place in the list and a context
 * such as the pipeline's `env`), remembered from one version of a file to the next. After an edit inside
 * one stage (dsl/recompose.ts) the other stages keep their data objects, so a keystroke in a file of
 * 400,000 stages checks one stage again instead of all of them. Problems that ask the host (files,
 * programs) are not remembered: those are looked up every check, both to be fresh and so that the server
 * knows which paths to watch.
 */
interface Remembered {
  context: string;
  hostEnv: object | undefined;
  index: number;
  /** The label's name (messages say "Stage `x`" or "Stage 3"). */
  name: string;
  named: boolean;
  /** Offsets relative to the stage's start; undefined when a problem reaches outside the stage. */
  problems: Problem[] | undefined;
}

/** What else a stage's problems depended on: text (the pipeline's `env` as JSON, say), and the process environment by identity. */
export interface MemoContext {
  key: string;
  hostEnv?: object;
}

const none: Problem[] = [];

/** A copy of a problem with every offset (its range, its fixes' edits) moved by `delta`. */
export function moved(p: Problem, delta: number): Problem {
  const copy: Problem = { ...p, start: p.start + delta, end: p.end + delta };
  if (p.fixes) copy.fixes = p.fixes.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, start: e.start + delta, end: e.end + delta })) }));
  return copy;
}

/** Every offset of the problems lies inside the stage: only then does moving the stage move them all. */
function inside(problems: Problem[], stage: Stage): boolean {
  const within = (s: { start: number; end: number }) => s.start >= stage.span.start && s.end <= stage.span.end;
  return problems.every((p) => within(p) && (p.fixes ?? []).every((f) => f.edits.every(within)));
}

/** One kind of a stage's problems (the schema's, the semantic rules'), remembered per stage data object. */
export class StageMemo {
  private readonly remembered = new WeakMap<object, Remembered>();

  /**
   * The stage's problems of the version before when its data object is the same one (so its text is too), at the
   * same index, with the same label and context, moved to where the stage is now; undefined when not remembered.
   */
  recall(raw: object, stage: Stage, context: MemoContext): Problem[] | undefined {
    const before = this.remembered.get(raw);
    if (
      !before?.problems ||
      before.index !== stage.index ||
      before.name !== stage.name ||
      before.named !== stage.named ||
      before.context !== context.key ||
      before.hostEnv !== context.hostEnv
    )
      return undefined;
    return before.problems.map((p) => moved(p, stage.span.start));
  }

  remember(raw: object, stage: Stage, context: MemoContext, problems: Problem[]): void {
    // Most stages have none: one shared empty list keeps a big file's memo small.
    const kept = problems.length === 0 ? none : inside(problems, stage) ? problems.map((p) => moved(p, -stage.span.start)) : undefined;
    this.remembered.set(raw, { context: context.key, hostEnv: context.hostEnv, index: stage.index, name: stage.name, named: stage.named, problems: kept });
  }

  /** `recall`, else `compute()`, remembered. */
  problems(raw: object, stage: Stage, context: MemoContext, compute: () => Problem[]): Problem[] {
    const recalled = this.recall(raw, stage, context);
    if (recalled) return recalled;
    const problems = compute();
    this.remember(raw, stage, context, problems);
    return problems;
  }
}
