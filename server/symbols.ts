import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver';
import type { Stage } from '../dsl';
import { rangeOf, type Analysis } from './analysis';

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

/** A symbol's name must not be empty or blank (VS Code rejects the whole outline otherwise). */
function shownName(name: string, fallback: string): string {
  return name.trim() === '' ? fallback : name;
}

/**
 * The outline lists at most this many stages, as VS Code's own JSON server lists at most 5,000
 * symbols (`json.maxItemsComputed`): VS Code asks for the outline after every edit (breadcrumbs),
 * and 432,526 stages were ~100 MB of symbols and 2 s of the server's time each time.
 */
export const maxOutlineStages = 5000;

/** Outline and breadcrumbs: the pipeline, with its stages as children (the first `maxOutlineStages`). */
export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  const { pipeline } = analysis.result;
  const whole = rangeOf(analysis.document, { start: 0, end: analysis.text.length });
  const head = pipeline.keys.name?.value ?? pipeline.stagesKeySpan ?? { start: 0, end: 0 };
  const children = pipeline.stages
    .slice(0, maxOutlineStages)
    .filter((s) => s.span.end > s.span.start)
    .map((stage): DocumentSymbol => {
      const range = rangeOf(analysis.document, stage.span);
      const selection = rangeOf(analysis.document, stage.headSpan);
      return {
        name: shownName(stage.name, `stage ${stage.index + 1}`),
        detail: stageDetail(stage),
        kind: SymbolKind.Function,
        range,
        selectionRange: within(selection, range) ? selection : range,
      };
    });
  const listed = pipeline.stages.length > maxOutlineStages ? ` (the first ${maxOutlineStages.toLocaleString('en-US')} listed)` : '';
  const count = `${pipeline.stages.length.toLocaleString('en-US')} stage${pipeline.stages.length === 1 ? '' : 's'}${listed}`;
  return [
    {
      name: shownName(pipeline.name, 'pipeline'),
      detail: pipeline.description === undefined ? count : `${pipeline.description}${listed}`,
      kind: SymbolKind.Module,
      range: whole,
      selectionRange: rangeOf(analysis.document, head),
      children,
    },
  ];
}
