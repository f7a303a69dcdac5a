import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import { isBuiltin, variableReferences, type BuiltinName } from '../dsl';
import { lineText, rangeOf, type Analysis } from './analysis';
import { hostHover } from './hosts';
import { builtinMarkdown, keyDocAt, keyMarkdown } from './schema-docs';
import { shownValue, stageAt, variableInfo } from './variables';
import { nodeAt } from './yaml-path';

/** The built-in a stage uses, read from the data (also for stages that are otherwise invalid). */
export function builtinOfStage(analysis: Analysis, index: number): BuiltinName | undefined {
  const data = analysis.result.parsed.data as { stages?: unknown } | null | undefined;
  const raw = data && Array.isArray(data.stages) ? (data.stages[index] as { use?: unknown } | undefined) : undefined;
  return raw && typeof raw.use === 'string' && isBuiltin(raw.use) ? raw.use : undefined;
}

function variableHover(analysis: Analysis, offset: number, env: Readonly<Record<string, string | undefined>>): Hover | undefined {
  const { line } = analysis.document.positionAt(offset);
  const lineStart = analysis.document.offsetAt({ line, character: 0 });
  const ref = variableReferences(lineText(analysis.document, line)).find((r) => offset >= lineStart + r.start && offset <= lineStart + r.end);
  if (!ref) return undefined;
  const pipeline = analysis.result.pipeline;
  const info = variableInfo(pipeline, stageAt(pipeline, offset), env, ref.name);
  const value =
    info.value === undefined
      ? `not defined${ref.hasDefault ? ' (its default applies)' : ''}. Define it in the pipeline's \`env:\` or the environment.`
      : `\`${shownValue(ref.name, info.value)}\` (from the ${info.source})`;
  return {
    contents: { kind: MarkupKind.Markdown, value: `**\`\${${ref.name}}\`** = ${value}` },
    range: rangeOf(analysis.document, { start: lineStart + ref.start, end: lineStart + ref.end }),
  };
}

/**
 * Hover: the resolved value of a `${VAR}` (masked for secret-looking names), a built-in's
 * documentation on `use: <name>`, and the schema's documentation of any key (also over its value).
 */
export function hover(analysis: Analysis, position: Position, env: Readonly<Record<string, string | undefined>>): Hover | null {
  const offset = analysis.document.offsetAt(position);
  const variable = variableHover(analysis, offset, env);
  if (variable) return variable;
  const at = nodeAt(analysis.result.parsed.doc, offset);
  if (!at) return null;
  const names = at.path.map((p) => (typeof p === 'number' ? '[]' : p));
  const range = rangeOf(analysis.document, at.span);
  const builtin = typeof at.path[1] === 'number' ? builtinOfStage(analysis, at.path[1]) : undefined;
  if (at.on === 'value' && names.length === 3 && names[0] === 'stages' && names[2] === 'use') {
    const name = String(at.value);
    return { contents: { kind: MarkupKind.Markdown, value: isBuiltin(name) ? builtinMarkdown(name) : `\`${name}\` is not a built-in stage.` }, range };
  }
  const host = at.on === 'value' ? hostHover(analysis, names, at.value) : undefined;
  if (host) return { contents: { kind: MarkupKind.Markdown, value: host }, range };
  // The key itself, or for a value, the nearest key above it that the schema documents.
  for (let n = names.length; n > 0; n--) {
    const doc = keyDocAt(names.slice(0, n), builtin);
    if (doc) return { contents: { kind: MarkupKind.Markdown, value: keyMarkdown(doc) }, range };
  }
  return null;
}
