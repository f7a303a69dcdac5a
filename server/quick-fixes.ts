// Quick fixes the server adds beyond the dsl's own, each for one problem code (never chosen by
// message text): a number in a `command:` argv gets quoted; a duplicate stage name gets a free one.
// Like every fix, they are offered only once dsl/verify.ts has re-checked the edited text.
import type { Fix, Problem } from '../dsl';
import { yamlScalar } from '../dsl/yaml-text';
import type { Analysis } from './analysis';
import { nodeAt } from './yaml-path';

/** `command: [seq, 1, 10]`: argv items are strings; `1` becomes `"1"`. */
export function quoteArgvNumber(analysis: Analysis, problem: Problem): Fix[] {
  const at = nodeAt(analysis.result.parsed.doc, problem.start);
  const inArgv = at?.on === 'value' && at.path.length === 4 && at.path[0] === 'stages' && at.path[2] === 'command' && typeof at.path[3] === 'number';
  if (!at || !inArgv || (typeof at.value !== 'number' && typeof at.value !== 'boolean' && at.value !== null)) return [];
  const text = analysis.text.slice(at.span.start, at.span.end);
  return [{ title: `Quote ${text} as "${text}" (argv items are strings)`, edits: [{ ...at.span, newText: JSON.stringify(text) }] }];
}

/** A second stage named `parse` becomes `parse-2` (or the next free number). */
export function renameDuplicateStage(analysis: Analysis, problem: Problem): Fix[] {
  const raw = analysis.text.slice(problem.start, problem.end);
  const name = raw.replace(/^(["'])(.*)\1$/, '$2');
  const taken = new Set(analysis.result.pipeline.stages.map((s) => s.name));
  if (!taken.has(name)) return [];
  let n = 2;
  while (taken.has(`${name}-${n}`)) n++;
  const free = `${name}-${n}`;
  return [{ title: `Rename this stage to "${free}"`, edits: [{ start: problem.start, end: problem.end, newText: yamlScalar(free) }] }];
}
