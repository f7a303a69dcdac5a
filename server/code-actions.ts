import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type WorkspaceEdit } from 'vscode-languageserver';
import { addStageNameFix, defineVariableFix } from '../dsl/fixes';
import { isSafeEdit } from '../dsl/verify';
import { problemCodes, type Fix, type Problem, type ProblemCode, type Span, type Stage } from '../dsl';
import { rangeOf, spanOf, type Analysis } from './analysis';
import { diagnosticSource } from './protocol';
import { renameDuplicateStage } from './quick-fixes';

function editOf(analysis: Analysis, fix: Fix): WorkspaceEdit {
  return { changes: { [analysis.uri]: fix.edits.map((e) => ({ range: rangeOf(analysis.document, e), newText: e.newText })) } };
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * The problem of the current check that a diagnostic stands for: same code and range (a
 * diagnostic of an older version that no longer matches gets no fix, rather than an edit at a
 * stale place).
 */
function problemOf(analysis: Analysis, diagnostic: Diagnostic): Problem | undefined {
  return analysis.result.problems.find((p) => p.code === diagnostic.code && sameRange(rangeOf(analysis.document, p), diagnostic.range));
}

/** Fixes beyond the problem's own, chosen by problem code (never by message text). */
const extraFixes: Partial<Record<ProblemCode, (analysis: Analysis, problem: Problem) => Fix[]>> = {
  'undefined-variable': (analysis, problem) => {
    const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(analysis.text.slice(problem.start, problem.end))?.[1];
    const fix = name ? defineVariableFix(analysis.result.parsed, analysis.result.pipeline, name) : undefined;
    return fix ? [fix] : [];
  },
  'duplicate-stage-name': renameDuplicateStage,
};

function isOurs(d: Diagnostic): d is Diagnostic & { code: ProblemCode } {
  return d.source === diagnosticSource && typeof d.code === 'string' && Object.hasOwn(problemCodes, d.code);
}

/**
 * From this many stages a check of the file costs ~70 ms and more (seconds at tens of thousands), and
 * the editor asks for code actions at every cursor move: checking each offered edit then would hold the
 * server up (diagnostics too) while the user types. Such a file's actions come without their edit, which
 * is made and checked when one is picked (codeAction/resolve), where the client can resolve edits.
 */
export const checkOnPickFrom = 1000;

/** What an action offered without its edit carries, to make that edit again when it is picked. */
interface Deferred {
  uri: string;
  version: number;
  title: string;
  /** A quick fix: the problem it fixes. */
  problem?: { code: ProblemCode; start: number; end: number };
  /** "Name this stage": the stage's index. */
  stage?: number;
}

/** An action before its edit is checked: the fix, how it is offered, and what finds it again (`Deferred`). */
interface Candidate {
  fix: Fix;
  kind: string;
  diagnostic?: Diagnostic;
  /** The problem a quick fix must fix (its check: dsl/verify.ts). */
  fixing?: Problem;
  pick: Omit<Deferred, 'uri' | 'version' | 'title'>;
}

const isSafe = (analysis: Analysis, c: Pick<Candidate, 'fix' | 'fixing'>) => isSafeEdit(analysis.result.problems, analysis.checkEdited, c.fix.edits, c.fixing);

/** A quick fix's candidates for one problem: its own fixes, then those chosen by its code. */
function problemFixes(analysis: Analysis, problem: Problem): Fix[] {
  return [...(problem.fixes ?? []), ...(extraFixes[problem.code]?.(analysis, problem) ?? [])];
}

/**
 * Quick fixes for the diagnostics in the request and "Name this stage" refactorings under the
 * cursor. Every edit is applied to the text and checked again before it is offered (dsl/verify.ts):
 * one that would bring a new problem, or not fix its own, is never offered. In a file of
 * `checkOnPickFrom` stages or more, with `resolvable` (the client resolves edits), that check waits
 * until the action is picked (`resolveCodeAction`).
 */
export function codeActions(analysis: Analysis, params: CodeActionParams, resolvable = false): CodeAction[] {
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const later = resolvable && analysis.result.pipeline.stages.length >= checkOnPickFrom;
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    for (const diagnostic of params.context.diagnostics.filter(isOurs)) {
      const problem = problemOf(analysis, diagnostic);
      if (!problem) continue;
      const candidates = problemFixes(analysis, problem).map((fix): Candidate => ({
        fix,
        kind: CodeActionKind.QuickFix,
        diagnostic,
        fixing: problem,
        pick: { problem: { code: problem.code, start: problem.start, end: problem.end } },
      }));
      const offered = later ? candidates : candidates.filter((c) => isSafe(analysis, c));
      offered.forEach((c, i) => actions.push(offer(analysis, c, later, offered.length === 1 || (i === 0 && problem.code !== 'conflicting-command'))));
    }
  }
  if (wants(CodeActionKind.RefactorRewrite)) {
    // Unnamed stages under the cursor or selection can get the name they already go by.
    const span = spanOf(analysis.document, params.range);
    for (const stage of stagesOver(analysis.result.pipeline.stages, span)) {
      const fix = addStageNameFix(analysis.result.parsed, stage);
      const c: Candidate | undefined = fix && { fix, kind: CodeActionKind.RefactorRewrite, pick: { stage: stage.index } };
      if (c && (later || isSafe(analysis, c))) actions.push(offer(analysis, c, later));
    }
  }
  return actions;
}

/** The stages a span touches. Found by bisection: they are in the order of the text, and a cursor moves in a file of 400,000 of them. */
function stagesOver(stages: readonly Stage[], span: Span): Stage[] {
  let lo = 0;
  let hi = stages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (stages[mid]!.span.end < span.start) lo = mid + 1;
    else hi = mid;
  }
  const over: Stage[] = [];
  for (let i = lo; i < stages.length && stages[i]!.span.start <= span.end; i++) over.push(stages[i]!);
  return over;
}

/** The action for a candidate: with its edit, or (`later`) with what makes the edit again when it is picked. */
function offer(analysis: Analysis, c: Candidate, later: boolean, isPreferred = false): CodeAction {
  const a: CodeAction = { title: c.fix.title, kind: c.kind };
  if (later) a.data = { uri: analysis.uri, version: analysis.version, title: c.fix.title, ...c.pick } satisfies Deferred;
  else a.edit = editOf(analysis, c.fix);
  if (c.diagnostic) a.diagnostics = [c.diagnostic];
  if (isPreferred) a.isPreferred = true;
  return a;
}

/** The `Deferred` an action offered without its edit carries; undefined for any other. */
export function deferredOf(action: CodeAction): Deferred | undefined {
  const d = action.data as Partial<Deferred> | undefined;
  return typeof d?.uri === 'string' && typeof d.version === 'number' && typeof d.title === 'string' ? (d as Deferred) : undefined;
}

/**
 * The edit of an action offered without it, made again from the same version of the file and
 * checked as `codeActions` would have: the action with its edit, or a reason it has none (the file
 * changed since, or the edit would bring a new problem).
 */
export function resolveCodeAction(analysis: Analysis, action: CodeAction, pick: Deferred): { action: CodeAction } | { refused: string } {
  if (analysis.version !== pick.version) return { refused: `${pick.title}: the file changed since it was offered; ask for it again` };
  const c = candidateOf(analysis, pick);
  if (!c) return { refused: `${pick.title}: what it was for is no longer there; ask again` };
  if (!isSafe(analysis, c)) return { refused: `${pick.title}: not applied, it would bring a new problem into the file` };
  return { action: { ...action, edit: editOf(analysis, c.fix) } };
}

function candidateOf(analysis: Analysis, pick: Deferred): Pick<Candidate, 'fix' | 'fixing'> | undefined {
  if (pick.problem) {
    const { code, start, end } = pick.problem;
    const problem = analysis.result.problems.find((p) => p.code === code && p.start === start && p.end === end);
    const fix = problem && problemFixes(analysis, problem).find((f) => f.title === pick.title);
    return fix && { fix, fixing: problem };
  }
  const stage = pick.stage === undefined ? undefined : analysis.result.pipeline.stages[pick.stage];
  const fix = stage && addStageNameFix(analysis.result.parsed, stage);
  return fix?.title === pick.title ? { fix } : undefined;
}
