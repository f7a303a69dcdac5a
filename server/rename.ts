import { ResponseError, ErrorCodes, type Position, type Range, type WorkspaceEdit } from 'vscode-languageserver';
import type { Span, Stage } from '../dsl';
import type { Analysis } from './analysis';

const validName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The written name of the stage under the cursor, without its quotes. */
function nameAt(analysis: Analysis, position: Position): { stage: Stage; span: Span } | undefined {
  const offset = analysis.positions.offset(position);
  for (const stage of analysis.result.pipeline.stages) {
    const value = stage.keys.name?.value;
    if (!stage.named || !value || offset < value.start || offset > value.end) continue;
    const raw = analysis.text.slice(value.start, value.end);
    const quoted = /^(["']).*\1$/s.test(raw);
    return { stage, span: quoted ? { start: value.start + 1, end: value.end - 1 } : value };
  }
  return undefined;
}

/** Stage names are the only names the language has: they can be renamed from their `name:` value. */
export function prepareRename(analysis: Analysis, position: Position): { range: Range; placeholder: string } | null {
  const at = nameAt(analysis, position);
  return at ? { range: analysis.positions.range(at.span), placeholder: at.stage.name } : null;
}

export function rename(analysis: Analysis, position: Position, newName: string): WorkspaceEdit {
  const at = nameAt(analysis, position);
  if (!at) throw new ResponseError(ErrorCodes.InvalidRequest, 'Only stage names can be renamed: put the cursor on the value of a `name:` in a stage.');
  if (!validName.test(newName) || newName.length > 64) {
    throw new ResponseError(ErrorCodes.InvalidParams, `\`${newName}\` is not a valid stage name: use letters, digits, \`_\`, \`-\` and \`.\`, starting with a letter or \`_\`.`);
  }
  const clash = analysis.result.pipeline.stages.find((s) => s !== at.stage && s.name === newName);
  if (clash) throw new ResponseError(ErrorCodes.InvalidParams, `Stage ${clash.index + 1} is already called \`${newName}\`; stage names must be unique.`);
  return { changes: { [analysis.uri]: [{ range: analysis.positions.range(at.span), newText: newName }] } };
}
