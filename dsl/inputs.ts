import type { Document } from 'yaml';
import { stageLabel as label, type Pipeline, type Stage } from './model';
import { inputTarget, unreadStages } from './graph';
import { problem, type Fix, type Problem } from './problems';
import type { Span } from './span';
import { closest, didYouMean } from './suggest';
import { yamlScalar } from './yaml-text';
import { locate } from './yaml-nodes';

/** `input:` names earlier stages that exist; outputs nobody reads are pointed out. */
export function inputProblems(doc: Document, raws: readonly unknown[], pipeline: Pipeline, headOf: (stage: Stage) => Span): Problem[] {
  const problems: Problem[] = [];
  // Stages an `input:` meant to name (a typo's closest name, a stage named out of order): their output is not
  // "unread" too, since the one mistake is already reported where it was made.
  const meant = new Set<string>();
  for (const stage of pipeline.stages) {
    const raw = raws[stage.index] as { input?: unknown } | undefined;
    const value = raw?.input;
    if (stage.input === undefined) continue;
    // Only for a name that is not an earlier stage's: taken for every stage, it made many `input:`s quadratic.
    const earlier = () => pipeline.stages.slice(0, stage.index).map((s) => s.name);
    stage.input.forEach((name, i) => {
      if (inputTarget(pipeline, stage, name)) return;
      const path = ['stages', stage.index, 'input', ...(Array.isArray(value) ? [i] : [])];
      const at = locate(doc, path);
      const named = pipeline.stages.find((s) => s.name === name);
      if (named === stage) {
        const fixes = Array.isArray(value) ? removeItem(doc, path, value.length, `Remove \`${name}\` from \`input\``) : [];
        const msg = `${label(stage)} names itself in \`input:\`; a stage cannot read its own output. Remove \`${name}\`, or name an earlier stage.`;
        problems.push(problem('input-order', at.value, msg, fixes));
        return;
      }
      if (named) {
        meant.add(name);
        const msg = `${label(stage)} reads \`${name}\`, which comes after it (stage ${named.index + 1}); a stage reads earlier stages only, so the file reads top down and has no cycles. Move \`${name}\` above this stage or read another one.`;
        problems.push(problem('input-order', at.value, msg));
        return;
      }
      const before = earlier();
      const near = closest(name, before);
      if (near[0] !== undefined) meant.add(near[0]);
      const fixes =
        at.indirect || !at.exact ? [] : near.slice(0, 3).map((c) => ({ title: `Change to \`${c}\``, edits: [{ ...at.value, newText: yamlScalar(c, true) }] }));
      const known =
        before.length > 0 ? ` The stages before it are ${before.map((n) => `\`${n}\``).join(', ')}.` : ' It is the first stage: nothing comes before it.';
      problems.push(
        problem('unknown-input', at.value, `${label(stage)}: \`input\` names \`${name}\`, but there is no such stage.${didYouMean(near) || known}`, fixes),
      );
    });
  }
  for (const stage of unreadStages(pipeline)) {
    if (meant.has(stage.name)) continue;
    const msg = `${label(stage)}: no stage reads its output, so it is discarded. Name it in a later stage's \`input:\`, or remove the stage; only the last stage's output is the pipeline's.`;
    problems.push(problem('unread-output', headOf(stage), msg));
  }
  return problems;
}

/** Deletes item `path` of a list of `length` items (block or flow), with the separator before it (or after, for the first). */
function removeItem(doc: Document, path: (string | number)[], length: number, title: string): Fix[] {
  const i = path[path.length - 1] as number;
  if (length < 2) return [];
  const item = locate(doc, path);
  const neighbour = locate(doc, [...path.slice(0, -1), i === 0 ? 1 : i - 1]);
  if (!item.exact || item.indirect || !neighbour.exact || neighbour.indirect) return [];
  const span = i === 0 ? { start: item.value.start, end: neighbour.value.start } : { start: neighbour.value.end, end: item.value.end };
  return [{ title, edits: [{ ...span, newText: '' }] }];
}
