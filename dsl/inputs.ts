import type { Document } from 'yaml';
import { stageLabel as label, type Pipeline, type Stage } from './model';
import { isUnread } from './graph';
import type { StageIndex } from './stage-index';
import { problem, type Fix, type Problem } from './problems';
import type { Span } from './span';
import { closest, didYouMean } from './suggest';
import { yamlScalar } from './yaml-text';
import { locate } from './yaml-nodes';

/** One stage's `input:` names that are not earlier stages, and the stages it meant (`StageIndex.meant`). */
export function stageInputProblems(doc: Document, raw: unknown, pipeline: Pipeline, stage: Stage, index: StageIndex): { problems: Problem[]; meant: string[] } {
  const problems: Problem[] = [];
  const meant: string[] = [];
  const value = (raw as { input?: unknown } | undefined)?.input;
  for (const [i, name] of (stage.input ?? []).entries()) {
    const at = index.first(name);
    if (at !== undefined && at < stage.index) continue;
    const path = ['stages', stage.index, 'input', ...(Array.isArray(value) ? [i] : [])];
    const place = locate(doc, path);
    if (at === stage.index) {
      const fixes = Array.isArray(value) ? removeItem(doc, path, value.length, `Remove \`${name}\` from \`input\``) : [];
      const msg = `${label(stage)} names itself in \`input:\`; a stage cannot read its own output. Remove \`${name}\`, or name an earlier stage.`;
      problems.push(problem('input-order', place.value, msg, fixes));
      continue;
    }
    if (at !== undefined) {
      meant.push(name);
      const msg = `${label(stage)} reads \`${name}\`, which comes after it (stage ${at + 1}); a stage reads earlier stages only, so the file reads top down and has no cycles. Move \`${name}\` above this stage or read another one.`;
      problems.push(problem('input-order', place.value, msg));
      continue;
    }
    // Only for a name that is not an earlier stage's: taken for every stage, it made many `input:`s quadratic.
    const before = pipeline.stages.slice(0, stage.index).map((s) => s.name);
    const near = closest(name, before);
    if (near[0] !== undefined) meant.push(near[0]);
    const fixes =
      place.indirect || !place.exact
        ? []
        : near.slice(0, 3).map((c) => ({ title: `Change to \`${c}\``, edits: [{ ...place.value, newText: yamlScalar(c, true) }] }));
    const known =
      before.length > 0 ? ` The stages before it are ${before.map((n) => `\`${n}\``).join(', ')}.` : ' It is the first stage: nothing comes before it.';
    problems.push(
      problem('unknown-input', place.value, `${label(stage)}: \`input\` names \`${name}\`, but there is no such stage.${didYouMean(near) || known}`, fixes),
    );
  }
  return { problems, meant };
}

/** `unread-output` for a stage whose output no stage reads, unless an `input:` meant it (its mistake is reported there). */
export function unreadOutput(stage: Stage, pipeline: Pipeline, index: StageIndex, headOf: (stage: Stage) => Span): Problem | undefined {
  if (!isUnread(stage, index.read, pipeline.stages.length) || index.meant.has(stage.name)) return undefined;
  const msg = `${label(stage)}: no stage reads its output, so it is discarded. Name it in a later stage's \`input:\`, or remove the stage; only the last stage's output is the pipeline's.`;
  return problem('unread-output', headOf(stage), msg);
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
