import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { addStageNameFix, defineVariableFix } from '../dsl/fixes';
import { isSafeEdit, safeFixes } from '../dsl/verify';
import { problemCodes, type Fix, type Problem, type ProblemCode } from '../dsl';
import { rangeOf, spanOf, type Analysis } from './analysis';
import { diagnosticSource } from './protocol';
import { renameDuplicateStage } from './quick-fixes';

function toEdits(analysis: Analysis, fix: Fix): TextEdit[] {
  return fix.edits.map((e) => ({ range: rangeOf(analysis.document, e), newText: e.newText }));
}

function action(analysis: Analysis, fix: Fix, kind: string, diagnostic?: Diagnostic, isPreferred = false): CodeAction {
  const a: CodeAction = { title: fix.title, kind, edit: { changes: { [analysis.uri]: toEdits(analysis, fix) } } };
  if (diagnostic) a.diagnostics = [diagnostic];
  if (isPreferred) a.isPreferred = true;
  return a;
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
 * Quick fixes for the diagnostics in the request and "Name this stage" refactorings under the
 * cursor. Every edit is applied to the text and checked again first (dsl/verify.ts): one that
 * would bring a new problem, or not fix its own, is never offered.
 */
export function codeActions(analysis: Analysis, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    for (const diagnostic of params.context.diagnostics.filter(isOurs)) {
      const problem = problemOf(analysis, diagnostic);
      if (!problem) continue;
      const candidates = { ...problem, fixes: [...(problem.fixes ?? []), ...(extraFixes[problem.code]?.(analysis, problem) ?? [])] };
      const fixes = safeFixes(analysis.result, analysis.options, candidates);
      fixes.forEach((f, i) =>
        actions.push(action(analysis, f, CodeActionKind.QuickFix, diagnostic, fixes.length === 1 || (i === 0 && problem.code !== 'conflicting-command'))),
      );
    }
  }
  if (wants(CodeActionKind.RefactorRewrite)) {
    // Unnamed stages under the cursor or selection can get the name they already go by.
    const span = spanOf(analysis.document, params.range);
    for (const stage of analysis.result.pipeline.stages) {
      if (span.start > stage.span.end || span.end < stage.span.start) continue;
      const fix = addStageNameFix(analysis.result.parsed, stage);
      if (fix && isSafeEdit(analysis.result, analysis.options, fix.edits)) actions.push(action(analysis, fix, CodeActionKind.RefactorRewrite));
    }
  }
  return actions;
}
