/**
 * The plumbing of a graph run (fan-out, fan-in; docs/engine.md, "Graphs"): the bash jobs that
 * segment.sh starts from `__PW_PLAN`. Every stage is one job; an edge is a FIFO in the segment's
 * private folder. A stage read by several gets GNU tee into its readers' FIFOs (bytes stay in
 * native processes); a stage reading several gets engine/merge.pl in front (whole lines); with
 * counts on, a counter on every edge reports it by its id (its position in `edges`). The text
 * holds only function names, stage and edge numbers and FIFO names: values never appear in it.
 */

/** Edges of the run's stages, from/to by run index, ordered by `to` then as written; `inputs[i]`: what stage i reads. */
export function graphEdges(inputs: readonly (readonly number[])[]): { from: number; to: number }[] {
  return inputs.flatMap((from, to) => from.map((f) => ({ from: f, to })));
}

/** True when stage i reads stage i - 1 only (and the first stage reads the run's input): a plain `a | b | c`. */
export function isStraight(inputs: readonly (readonly number[])[]): boolean {
  return inputs.every((ins, i) => (i === 0 ? ins.length === 0 : ins.length === 1 && ins[0] === i - 1));
}

/** The plan text for segment.sh; the last stage writes the segment's stdout (the run's records). */
export function graphPlan(inputs: readonly (readonly number[])[], counted: boolean): string {
  const edges = graphEdges(inputs);
  const fifo = (kind: 'e' | 't', id: number) => `"$__pw_fifos/${kind}${id}"`;
  const lines = [`mkfifo ${edges.map((_, id) => fifo('e', id)).join(' ')}`];
  const fanOuts = new Set(inputs.flatMap((_, i) => (edges.filter((e) => e.from === i).length > 1 ? [i] : [])));
  const teed = edges.flatMap((e, id) => (counted && fanOuts.has(e.from) ? [id] : []));
  if (teed.length > 0) lines.push(`mkfifo ${teed.map((id) => fifo('t', id)).join(' ')}`);
  inputs.forEach((_, i) => {
    const ins = edges.flatMap((e, id) => (e.to === i ? [id] : []));
    const outs = edges.flatMap((e, id) => (e.from === i ? [id] : []));
    let job = '';
    if (ins.length > 1) job += `__pw_merge ${ins.map((id) => fifo('e', id)).join(' ')} | `;
    job += `__pw_wrap ${i}`;
    if (ins.length === 1) job += ` <${fifo('e', ins[0]!)}`;
    if (outs.length === 1) job += counted ? ` | __pw_count ${outs[0]!} >${fifo('e', outs[0]!)}` : ` >${fifo('e', outs[0]!)}`;
    else if (outs.length > 1) {
      const targets = outs.map((id) => fifo(counted ? 't' : 'e', id));
      job += ` | __pw_tee ${targets.slice(0, -1).join(' ')} >${targets.at(-1)!}`;
    } else if (i < inputs.length - 1) job += ' >/dev/null';
    lines.push(`${job} &`);
  });
  for (const id of teed) lines.push(`__pw_count ${id} <${fifo('t', id)} >${fifo('e', id)} &`);
  return lines.join('\n');
}
