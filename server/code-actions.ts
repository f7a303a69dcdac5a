import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { addStageNameFix, defineVariableFix } from '../dsl/fixes';
import { problemCodes, type Fix, type ProblemCode } from '../dsl';
import type { Analysis } from './analysis';
import { diagnosticSource, type DiagnosticData, type DiagnosticFix } from './protocol';

function toEdits(analysis: Analysis, fix: Fix): TextEdit[] {
  return fix.edits.map((e) => ({ range: analysis.positions.range(e), newText: e.newText }));
}

function action(analysis: Analysis, title: string, edits: TextEdit[], kind: string, diagnostic?: Diagnostic, isPreferred = false): CodeAction {
  const a: CodeAction = { title, kind, edit: { changes: { [analysis.uri]: edits } } };
  if (diagnostic) a.diagnostics = [diagnostic];
  if (isPreferred) a.isPreferred = true;
  return a;
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * The dsl's own fixes for a diagnostic: from its `data` when it belongs to the version the
 * server holds, else from the current check's problem with the same code and range (a diagnostic
 * that no longer matches anything gets no fix, rather than an edit at a stale place).
 */
function dslFixes(analysis: Analysis, diagnostic: Diagnostic): DiagnosticFix[] {
  const data = diagnostic.data as Partial<DiagnosticData> | undefined;
  if (data?.version === analysis.version && Array.isArray(data.fixes)) return data.fixes;
  const problem = analysis.result.problems.find((p) => p.code === diagnostic.code && sameRange(analysis.positions.range(p), diagnostic.range));
  return (problem?.fixes ?? []).map((f) => ({ title: f.title, edits: toEdits(analysis, f) }));
}

type Provider = (analysis: Analysis, diagnostic: Diagnostic) => CodeAction[];

/** Fixes beyond the dsl's own, chosen by problem code (never by message text). */
const providers: Partial<Record<ProblemCode, Provider>> = {
  'undefined-variable': (analysis, diagnostic) => {
    const span = analysis.positions.span(diagnostic.range);
    const name = /^\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(analysis.text.slice(span.start, span.end))?.[1];
    const fix = name ? defineVariableFix(analysis.result.parsed, analysis.result.pipeline, name) : undefined;
    return fix ? [action(analysis, fix.title, toEdits(analysis, fix), CodeActionKind.QuickFix, diagnostic, true)] : [];
  },
};

function isOurs(d: Diagnostic): d is Diagnostic & { code: ProblemCode } {
  return d.source === diagnosticSource && typeof d.code === 'string' && Object.hasOwn(problemCodes, d.code);
}

export function codeActions(analysis: Analysis, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    for (const diagnostic of params.context.diagnostics.filter(isOurs)) {
      const fixes = dslFixes(analysis, diagnostic);
      fixes.forEach((f, i) => actions.push(action(analysis, f.title, f.edits, CodeActionKind.QuickFix, diagnostic, fixes.length === 1 || (i === 0 && diagnostic.code !== 'conflicting-command'))));
      actions.push(...(providers[diagnostic.code]?.(analysis, diagnostic) ?? []));
    }
  }
  if (wants(CodeActionKind.RefactorRewrite)) {
    // Unnamed stages under the cursor or selection can get the name they already go by.
    const span = analysis.positions.span(params.range);
    for (const stage of analysis.result.pipeline.stages) {
      if (span.start > stage.span.end || span.end < stage.span.start) continue;
      const fix = addStageNameFix(analysis.result.parsed, stage);
      if (fix) actions.push(action(analysis, fix.title, toEdits(analysis, fix), CodeActionKind.RefactorRewrite));
    }
  }
  return actions;
}
