import type { Document } from 'yaml';
import { stageLabel as label, type Pipeline, type Stage } from './model';
import { inputTarget, pipelineGraph, unreadStages } from './graph';
import { problem, type Problem } from './problems';
import type { Span } from './span';
import { closest, didYouMean } from './suggest';
import { yamlScalar } from './yaml-text';
import { locate } from './yaml-nodes';

/** `input:` names earlier stages that exist; outputs nobody reads are pointed out. */
export function inputProblems(doc: Document, raws: readonly unknown[], pipeline: Pipeline, headOf: (stage: Stage) => Span): Problem[] {
  const problems: Problem[] = [];
  for (const stage of pipeline.stages) {
    const raw = raws[stage.index] as { input?: unknown } | undefined;
    const value = raw?.input;
    if (stage.input === undefined) continue;
    const earlier = pipeline.stages.slice(0, stage.index).map((s) => s.name);
    stage.input.forEach((name, i) => {
      if (inputTarget(pipeline, stage, name)) return;
      const at = locate(doc, ['stages', stage.index, 'input', ...(Array.isArray(value) ? [i] : [])]);
      const named = pipeline.stages.find((s) => s.name === name);
      if (named) {
        const where = named === stage ? 'itself' : `\`${name}\`, which comes after it (stage ${named.index + 1})`;
        const msg = `${label(stage)} reads ${where}; a stage reads earlier stages only, so the file reads top down and has no cycles. Move \`${name}\` above this stage or read another one.`;
        problems.push(problem('input-order', at.value, msg));
        return;
      }
      const near = closest(name, earlier);
      const fixes =
        at.indirect || !at.exact ? [] : near.slice(0, 3).map((c) => ({ title: `Change to \`${c}\``, edits: [{ ...at.value, newText: yamlScalar(c, true) }] }));
      const known =
        earlier.length > 0 ? ` The stages before it are ${earlier.map((n) => `\`${n}\``).join(', ')}.` : ' It is the first stage: nothing comes before it.';
      problems.push(
        problem('unknown-input', at.value, `${label(stage)}: \`input\` names \`${name}\`, but there is no such stage.${didYouMean(near) || known}`, fixes),
      );
    });
  }
  for (const stage of unreadStages(pipeline, pipelineGraph(pipeline))) {
    const msg = `${label(stage)}: no stage reads its output, so it is discarded. Name it in a later stage's \`input:\`, or remove the stage; only the last stage's output is the pipeline's.`;
    problems.push(problem('unread-output', headOf(stage), msg));
  }
  return problems;
}
