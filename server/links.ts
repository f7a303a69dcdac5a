import { pathToFileURL } from 'node:url';
import type { DocumentLink } from 'vscode-languageserver';
import { builtins, pipelineDir, resolveStage, type DslHost } from '../dsl';
import { locate } from '../dsl/yaml-nodes';
import { parentDir, resolveIn } from '../dsl/resolve';
import { rangeOf, type Analysis } from './analysis';

/** The built-ins with a file option (`read`'s and `write`'s `path`). */
const withFiles = new Set(Object.entries(builtins).flatMap(([name, b]) => (Object.keys(b.files).length > 0 ? [name] : [])));

/**
 * Links from `cwd:` (pipeline and stage) and from built-ins' file options (`read`'s and
 * `write`'s `path`) to what they name, resolved exactly as a run resolves them (`${VAR}` and
 * working directories included). Only to what exists, and only for files on disk.
 */
export function documentLinks(analysis: Analysis, host: DslHost): DocumentLink[] {
  const { file } = analysis;
  if (file === undefined) return [];
  const { parsed, pipeline } = analysis.result;
  const fileDir = parentDir(file);
  const links: DocumentLink[] = [];
  const link = (path: (string | number)[], target: string) => {
    const at = locate(parsed.doc, path);
    if (!at.exact || at.indirect || host.statKind(target) === undefined) return;
    links.push({ range: rangeOf(analysis.document, at.value), target: pathToFileURL(target).href, tooltip: target });
  };
  if (pipeline.cwd !== undefined) link(['cwd'], pipelineDir(pipeline, host.env, fileDir));
  for (const stage of pipeline.stages) {
    // Only a `cwd` or a built-in's file option links: the other stages need no environment and folder resolved.
    if (stage.cwd === undefined && (stage.action?.kind !== 'use' || !withFiles.has(stage.action.builtin))) continue;
    const resolved = resolveStage(pipeline, stage, host.env, fileDir);
    if (stage.cwd !== undefined) link(['stages', stage.index, 'cwd'], resolved.dir);
    if (resolved.action?.kind !== 'use') continue;
    for (const option of Object.keys(builtins[resolved.action.builtin].files)) {
      const value = resolved.action.options[option];
      if (typeof value === 'string' && value !== '') link(['stages', stage.index, 'with', option], resolveIn(resolved.dir, value));
    }
  }
  return links;
}
