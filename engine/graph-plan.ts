/**
 * The shape of a graph run (fan-out, fan-in; docs/engine.md, "Graphs"): its edges, and the
 * stages the engine relays. engine/segment-plan.ts turns it into dist/pw-segment's plan: every
 * edge a pipe, with a copier after a stage that is counted or read by several (each edge
 * reported by its id, its position in `graphEdges`) and a whole-line merger in front of a stage
 * that reads several.
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
