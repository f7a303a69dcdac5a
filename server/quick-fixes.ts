// Quick fixes the server adds beyond the dsl's own, each for one problem code (never chosen by
// message text): a number in a `command:` argv gets quoted; a duplicate stage name gets a free one.
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { Analysis } from './analysis';
import { nodeAt } from './yaml-path';

function edit(analysis: Analysis, title: string, diagnostic: Diagnostic, newText: string): CodeAction {
  return {
    title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: true,
    edit: { changes: { [analysis.uri]: [{ range: diagnostic.range, newText }] } },
  };
}

/** `command: [seq, 1, 10]`: argv items are strings; `1` becomes `"1"`. */
export function quoteArgvNumber(analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  const span = analysis.positions.span(diagnostic.range);
  const at = nodeAt(analysis.result.parsed.doc, span.start);
  const inArgv = at?.on === 'value' && at.path.length === 4 && at.path[0] === 'stages' && at.path[2] === 'command' && typeof at.path[3] === 'number';
  if (!at || !inArgv || (typeof at.value !== 'number' && typeof at.value !== 'boolean' && at.value !== null)) return [];
  const text = analysis.text.slice(at.span.start, at.span.end);
  return [edit(analysis, `Quote ${text} as "${text}" (argv items are strings)`, diagnostic, JSON.stringify(text))];
}

/** A second stage named `parse` becomes `parse-2` (or the next free number). */
export function renameDuplicateStage(analysis: Analysis, diagnostic: Diagnostic): CodeAction[] {
  const span = analysis.positions.span(diagnostic.range);
  const raw = analysis.text.slice(span.start, span.end);
  const name = raw.replace(/^(["'])(.*)\1$/, '$2');
  const taken = new Set(analysis.result.pipeline.stages.map((s) => s.name));
  if (!taken.has(name)) return [];
  let n = 2;
  while (taken.has(`${name}-${n}`)) n++;
  return [edit(analysis, `Rename this stage to "${name}-${n}"`, diagnostic, `${name}-${n}`)];
}
