/**
 * The plumbing of a graph run (fan-out, fan-in; docs/engine.md, "Graphs"): the bash jobs that
 * segment.sh starts from `__PW_PLAN`. Every stage is one job; an edge is a FIFO in the segment's
 * private folder. With counts on, the counter after a stage writes to each of its readers and
 * reports each edge by its id (its position in `edges`); with counts off, a stage read by several
 * gets GNU tee into its readers' FIFOs. Either way the bytes stay in native processes. A stage
 * reading several gets engine/merge.pl in front (whole lines). The text
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
  const fifo = (id: number) => `"$__pw_fifos/e${id}"`;
  const lines = [`mkfifo ${edges.map((_, id) => fifo(id)).join(' ')}`];
  inputs.forEach((_, i) => {
    const ins = edges.flatMap((e, id) => (e.to === i ? [id] : []));
    const outs = edges.flatMap((e, id) => (e.from === i ? [id] : []));
    let job = '';
    if (ins.length > 1) job += `__pw_merge ${ins.map(fifo).join(' ')} | `;
    job += `__pw_wrap ${i}`;
    if (ins.length === 1) job += ` <${fifo(ins[0]!)}`;
    const [first, ...more] = outs;
    // One counter per stage counts each of its readers' edges (a fan-out: it is the tee too).
    if (first !== undefined && counted) job += ` | __pw_count ${[first, ...more.map((id) => `${id} ${fifo(id)}`)].join(' ')} >${fifo(first)}`;
    else if (first !== undefined && more.length === 0) job += ` >${fifo(first)}`;
    else if (first !== undefined) job += ` | __pw_tee ${more.map(fifo).join(' ')} >${fifo(first)}`;
    else if (i < inputs.length - 1) job += ' >/dev/null';
    lines.push(`${job} &`);
  });
  return lines.join('\n');
}
