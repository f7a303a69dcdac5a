import { ErrorCodes, ResponseError, type Location, type Position, type Range, type WorkspaceEdit } from 'vscode-languageserver';
import { anchorsOf, isAnchorName } from '../dsl/anchors';
import { isSafeEdit } from '../dsl/verify';
import { yamlScalar } from '../dsl/yaml-text';
import type { Edit } from '../dsl';
import { rangeOf, type Analysis } from './analysis';
import { nameAt, type NameAt } from './names';

/** Stage and host names: what the schema allows (`stages[].name`, the keys of `hosts`). */
const validName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function at(analysis: Analysis, position: Position): NameAt | undefined {
  return nameAt(analysis, analysis.document.offsetAt(position));
}

/** Stage names (from `name:` or a reference), host names and YAML anchors and aliases can be renamed. */
export function prepareRename(analysis: Analysis, position: Position): { range: Range; placeholder: string } | null {
  const offset = analysis.document.offsetAt(position);
  const name = nameAt(analysis, offset);
  const site = name?.sites.find((s) => offset >= s.start - 1 && offset <= s.end);
  return name && site ? { range: rangeOf(analysis.document, site), placeholder: name.name } : null;
}

function invalid(message: string): never {
  throw new ResponseError(ErrorCodes.InvalidParams, message);
}

/** The edits of a rename, checked: they must leave the file with no new problem. */
export function rename(analysis: Analysis, position: Position, newName: string): WorkspaceEdit {
  const name = at(analysis, position);
  if (!name)
    throw new ResponseError(
      ErrorCodes.InvalidRequest,
      'Put the cursor on a stage name (`name:` value), a host name (under `hosts:` or in `on:`) or a YAML anchor (`&x`) or alias (`*x`) to rename it.',
    );
  let edits: Edit[];
  if (name.kind === 'stage' || name.kind === 'host') {
    const what = name.kind === 'stage' ? 'stage' : 'host';
    if (!validName.test(newName) || newName.length > 64)
      invalid(`\`${newName}\` is not a valid ${what} name: use letters, digits, \`_\`, \`-\` and \`.\`, starting with a letter or \`_\`.`);
    if (name.kind === 'stage') {
      const clash = analysis.result.pipeline.stages.find((s) => s.name === newName && s.name !== name.name);
      if (clash) invalid(`Stage ${clash.index + 1} is already called \`${newName}\`; stage names must be unique.`);
    } else if (newName !== name.name && Object.hasOwn((analysis.result.parsed.data as { hosts?: object } | undefined)?.hosts ?? {}, newName)) {
      invalid(`A host is already called \`${newName}\`; host names must be unique.`);
    }
    // Sites are the text inside any quotes: a quoted name takes the new name as it is; a plain one is quoted if YAML
    // needs it (`null`, `true`). Valid names have no `,` or brackets, so one quoting suits block and flow alike.
    edits = name.sites.map((s) => {
      const quote = analysis.text[s.start - 1];
      const quoted = (quote === '"' || quote === "'") && analysis.text[s.end] === quote;
      return { ...s, newText: quoted ? newName : yamlScalar(newName, true) };
    });
  } else {
    if (!isAnchorName(newName)) invalid(`\`${newName}\` is not a valid anchor name: no spaces and none of \`,[]{}\`.`);
    // Aliases name the last anchor of that name before them: a second `&b` would silently take over `*b` after it.
    if (newName !== name.name && anchorsOf(analysis.result.parsed).anchors.some((a) => a.name === newName))
      invalid(`An anchor \`&${newName}\` already exists; anchor names must be unique, so choose another name.`);
    edits = name.sites.map((s) => ({ ...s, newText: newName }));
  }
  if (!isSafeEdit(analysis.result.problems, analysis.checkEdited, edits))
    invalid(`Renaming to \`${newName}\` would bring a new problem into the file; choose another name.`);
  return { changes: { [analysis.uri]: edits.map((e) => ({ range: rangeOf(analysis.document, e), newText: e.newText })) } };
}

export function definition(analysis: Analysis, position: Position): Location | null {
  const name = at(analysis, position);
  return name?.definition ? { uri: analysis.uri, range: rangeOf(analysis.document, name.definition) } : null;
}

export function references(analysis: Analysis, position: Position, includeDeclaration: boolean): Location[] {
  const name = at(analysis, position);
  if (!name) return [];
  return name.sites.filter((s) => includeDeclaration || s !== name.definition).map((s) => ({ uri: analysis.uri, range: rangeOf(analysis.document, s) }));
}
