// Quick fixes the server adds beyond the dsl's own, each for one problem code (never chosen by
// message text): a duplicate stage name gets a free one.
// Like every fix, they are offered only once dsl/verify.ts has re-checked the edited text.
import type { Fix, Problem } from '../dsl';
import { yamlScalar } from '../dsl/yaml-text';
import type { Analysis } from './analysis';

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
