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

/**
 * A stage whose data the engine relays (workers, a tap, another host; docs/engine.md, "Graphs"):
 * the plan joins its edges to fds of the segment whose other ends the engine holds. `input`: the
 * fd its input edges are written into, merged when several (none for a first stage); with `runs`
 * (a tap) the stage runs in the plan and writes its own output there instead. `output`: the fd
 * the engine writes its output into, which the plan hands on to its readers as a stage's.
 */
export interface Hole {
  input?: number;
  runs?: boolean;
  output?: number;
}

/** The plan text for segment.sh; the last stage writes the segment's stdout (the run's records). */
export function graphPlan(inputs: readonly (readonly number[])[], counted: boolean, holes: ReadonlyMap<number, Hole> = new Map()): string {
  const edges = graphEdges(inputs);
  const fifo = (id: number) => `"$__pw_fifos/e${id}"`;
  const lines = [`mkfifo ${edges.map((_, id) => fifo(id)).join(' ')}`];
  inputs.forEach((_, i) => {
    const ins = edges.flatMap((e, id) => (e.to === i ? [id] : []));
    const outs = edges.flatMap((e, id) => (e.from === i ? [id] : []));
    const merged = ins.length > 1 ? `__pw_merge ${ins.map(fifo).join(' ')}` : '';
    const read = ins.length === 1 ? ` <${fifo(ins[0]!)}` : '';
    const out = outputOf(outs, counted, fifo, i < inputs.length - 1);
    const hole = holes.get(i);
    if (hole) lines.push(...holeJobs(i, hole, merged, read, out));
    else lines.push(`${merged ? `${merged} | ` : ''}__pw_wrap ${i}${read}${out.via ? ` | ${out.via}` : ''}${out.to} &`);
  });
  // This bash's copies of the engine's fds go once every job has its own.
  const fds = [...holes.values()].flatMap((h) => [h.input, h.output].filter((fd) => fd !== undefined));
  if (fds.length > 0) lines.push(`exec ${fds.map((fd) => `${fd}>&-`).join(' ')}`);
  return lines.join('\n');
}

/**
 * Where stage i's output goes: `via` a helper that reads it (its counter, which is the fan-out too
 * when counted; GNU tee when not), then `to` a redirection (its first reader's FIFO; /dev/null when
 * no one reads it; none for the last stage, whose stdout is the segment's).
 */
interface Output {
  via?: string;
  to: string;
}

const discarded = ' >/dev/null';

function outputOf(outs: number[], counted: boolean, fifo: (id: number) => string, unread: boolean): Output {
  const [first, ...more] = outs;
  if (first === undefined) return { to: unread ? discarded : '' };
  const to = ` >${fifo(first)}`;
  // One counter per stage counts each of its readers' edges (a fan-out: it is the tee too).
  if (counted) return { via: `__pw_count ${[first, ...more.map((id) => `${id} ${fifo(id)}`)].join(' ')}`, to };
  if (more.length > 0) return { via: `__pw_tee ${more.map(fifo).join(' ')}`, to };
  return { to };
}

/**
 * The jobs around a relayed stage i: its input edges (`merged`, or `read` from one FIFO) into
 * the engine's fd, unless the stage runs here and writes that fd itself; the engine's output
 * fd to its readers (`out`, as for a stage: its counter, tee, or straight into one FIFO).
 */
function holeJobs(i: number, hole: Hole, merged: string, read: string, out: Output): string[] {
  const jobs: string[] = [];
  if (hole.runs) jobs.push(`${merged ? `${merged} | ` : ''}__pw_wrap ${i}${read} >&${hole.input!} &`);
  else if (hole.input !== undefined && merged) jobs.push(`${merged} >&${hole.input} &`);
  else if (hole.input !== undefined && read) jobs.push(`__pw_copy${read} >&${hole.input} &`);
  if (hole.output === undefined) return jobs;
  if (out.via) jobs.push(`${out.via}${out.to} <&${hole.output} &`);
  else if (out.to !== discarded) jobs.push(`__pw_copy <&${hole.output}${out.to} &`);
  return jobs;
}
