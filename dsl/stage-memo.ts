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

/** The kinds of a stage's problems remembered: the schema's, and the semantic rules' own (dsl/schema-check.ts, semantic.ts). */
export type MemoKind = 'schema' | 'own';

/**
 * What is remembered of one stage: where it was and its label (messages say "Stage `x`" or "Stage 3"), and per kind
 * the context its problems were found in and the problems, their offsets relative to the stage's start (undefined when
 * one reaches outside the stage, or when none are remembered). One object per stage for both kinds: a big file has
 * 400,000 stages, and a record and a weak map entry per kind were ~110 bytes a stage more.
 */
class Remembered {
  schemaContext: MemoContext | undefined = undefined;
  schemaProblems: Problem[] | undefined = undefined;
  ownContext: MemoContext | undefined = undefined;
  ownProblems: Problem[] | undefined = undefined;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly named: boolean,
  ) {}

  /** Whether it was remembered for this place and label. */
  isFor(stage: Stage): boolean {
    return this.index === stage.index && this.name === stage.name && this.named === stage.named;
  }
}

/**
 * Per stage data object, for every StageMemo: a stage's object goes when its text changes. Kept on the object itself
 * under a symbol that is not enumerable, so the data reads as it did (its keys, JSON, a spread, an equality test): a
 * weak map of a big file's 432,526 objects was ~0.5 s of its first check in the server (lookups, growing it, the
 * collector's walks of it).
 */
const memoKey = Symbol('pipewright.memo');

function rememberedOf(raw: object): Remembered | undefined {
  return (raw as { [memoKey]?: Remembered })[memoKey];
}

function keepOn(raw: object, entry: Remembered): void {
  if (memoKey in raw) (raw as { [memoKey]?: Remembered })[memoKey] = entry;
  else Object.defineProperty(raw, memoKey, { value: entry, writable: true });
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
  constructor(private readonly kind: MemoKind) {}

  /**
   * The stage's problems of the version before when its data object is the same one (so its text is too), at the
   * same index, with the same label and context, moved to where the stage is now; undefined when not remembered.
   */
  recall(raw: object, stage: Stage, context: MemoContext): Problem[] | undefined {
    const before = rememberedOf(raw);
    if (!before?.isFor(stage)) return undefined;
    const [was, problems] = this.kind === 'schema' ? [before.schemaContext, before.schemaProblems] : [before.ownContext, before.ownProblems];
    if (!problems || was?.key !== context.key || was.hostEnv !== context.hostEnv) return undefined;
    return problems.map((p) => moved(p, stage.span.start));
  }

  remember(raw: object, stage: Stage, context: MemoContext, problems: Problem[]): void {
    // Most stages have none: one shared empty list keeps a big file's memo small.
    const kept = problems.length === 0 ? none : inside(problems, stage) ? problems.map((p) => moved(p, -stage.span.start)) : undefined;
    let entry = rememberedOf(raw);
    // Another place or label: what the other kind remembered was for the old one.
    if (!entry?.isFor(stage)) keepOn(raw, (entry = new Remembered(stage.index, stage.name, stage.named)));
    if (this.kind === 'schema') [entry.schemaContext, entry.schemaProblems] = [context, kept];
    else [entry.ownContext, entry.ownProblems] = [context, kept];
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
