import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver';
import type { Stage } from '../dsl';
import type { Analysis } from './analysis';

/** What a stage runs, in one line: `run: grep x`, `command: node enrich.js`, `use: read`. */
export function stageDetail(stage: Stage): string {
  const a = stage.action;
  const text = !a ? '(no valid command)' : a.kind === 'run' ? `run: ${a.script}` : a.kind === 'command' ? `command: ${a.argv.join(' ')}` : `use: ${a.builtin}`;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine;
}

function within(inner: Range, outer: Range): boolean {
  const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/** Outline and breadcrumbs: the pipeline, with its stages as children. */
export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  const { pipeline } = analysis.result;
  const { positions } = analysis;
  const whole = positions.range({ start: 0, end: analysis.text.length });
  const head = pipeline.keys.name?.value ?? pipeline.stagesKeySpan ?? { start: 0, end: 0 };
  const children = pipeline.stages
    .filter((s) => s.span.end > s.span.start)
    .map((stage): DocumentSymbol => {
      const range = positions.range(stage.span);
      const selection = positions.range(stage.headSpan);
      return { name: stage.name, detail: stageDetail(stage), kind: SymbolKind.Function, range, selectionRange: within(selection, range) ? selection : range };
    });
  const count = `${pipeline.stages.length} stage${pipeline.stages.length === 1 ? '' : 's'}`;
  return [{ name: pipeline.name, detail: pipeline.description ?? count, kind: SymbolKind.Module, range: whole, selectionRange: positions.range(head), children }];
}
