/**
 * The plan of a segment as dist/pw-segment reads it on its stdin (engine/native/plan.c): the one
 * writer of the format specified in docs/engine-protocol.md (version 3). A segment is a straight
 * a | b | c or a graph (fan-out, fan-in; docs/engine.md, "Graphs"): stages, the pipes between
 * them, a `copy` wherever an edge is counted or a stage has several readers (count.c), a `merge`
 * in front of a stage that reads several (merge.c). Every line is a key, and for most keys a
 * space and a value: a number, an end (`null`, `fd N`, `pipe K`), or a string as
 * BYTE_LENGTH:BYTES, so values may hold any byte (newlines included) and nothing is quoted.
 */
import { commitFdVariable } from './builtins/protocol';
import { graphEdges, type Hole } from './graph-plan';
import { firstStderrFd, segmentFds, type StagePlan } from './plumbing';

export const segmentPlanVersion = 3;

/**
 * How the segment's stages are joined. `inputs[i]`: the stages stage i reads (by index in the
 * segment; a straight line reads i - 1). `counted`: a counter on every edge between stages;
 * `into`: on the edge into the first stage too (edge -1), `out`: out of the last (edge n - 1).
 * `holes`: stages the engine relays (workers, a tap, another host), joined to it by fds.
 */
export interface SegmentShape {
  inputs: readonly (readonly number[])[];
  counted: boolean;
  into?: boolean;
  out?: boolean;
  holes?: ReadonlyMap<number, Hole>;
  /**
   * On another host (engine/native/host.c): each stage's `env` goes over the host's login
   * environment, and its directory (relative to the login folder) sets PWD there, not here.
   */
  onHost?: boolean;
}

/** The shape of a | b | c. */
export const straight = (stages: number, counts: Omit<SegmentShape, 'inputs' | 'holes'>): SegmentShape => ({
  inputs: Array.from({ length: stages }, (_, i) => (i === 0 ? [] : [i - 1])),
  ...counts,
});

const text = (key: string, value: string) => `${key} ${Buffer.byteLength(value)}:${value}\n`;

/**
 * The plan of `stages` joined as `shape`, with the fds of segmentFds (what Segment passes). A
 * stage whose hole does not run it here is left out (it runs elsewhere: its edges end at the
 * hole's fds). A stage's environment is exactly its own, plus its commit channel's variable for
 * a `write`, and PWD, its directory, as a shell sets it after `cd`.
 */
export function segmentPlan(stages: readonly StagePlan[], shape: SegmentShape): string {
  const n = stages.length;
  const holes = shape.holes ?? new Map<number, Hole>();
  const here = (i: number) => !holes.has(i) || holes.get(i)!.runs === true;
  const fds = segmentFds(n, stages.filter((s, i) => s.commit && here(i)).length);
  const edges = graphEdges(shape.inputs);
  let pipes = 0;
  const pipe = () => `pipe ${pipes++}`;
  const copies: string[] = [];
  const merges: string[] = [];
  const copy = (counted: boolean, from: string, to: [id: number, end: string][]) =>
    copies.push(`copy\ncounted ${counted ? 1 : 0}\nin ${from}\n${to.map(([id, end]) => `to ${id} ${end}\n`).join('')}end\n`);

  // Where each edge's bytes are written (its reader's pipe, or a merge's), and where each stage reads.
  const dest: string[] = [];
  const readFrom: string[] = [];
  stages.forEach((_, i) => {
    const ins = edges.flatMap((e, id) => (e.to === i ? [id] : []));
    const hole = holes.get(i);
    // Into a stage that runs elsewhere: the engine's fd, which it relays.
    let target = hole?.input !== undefined && !here(i) ? `fd ${hole.input}` : '';
    if (!target && ins.length > 0) {
      target = pipe();
      readFrom[i] = target;
    }
    if (ins.length === 0 && here(i)) {
      if (i > 0) readFrom[i] = 'null';
      else if (shape.into) {
        readFrom[i] = pipe();
        copy(shape.counted, `fd ${fds.input}`, [[-1, readFrom[i]]]);
      } else readFrom[i] = `fd ${fds.input}`;
    }
    if (ins.length === 1) dest[ins[0]!] = target;
    if (ins.length > 1) {
      for (const id of ins) dest[id] = pipe();
      merges.push(`merge\n${ins.map((id) => `in ${dest[id]}\n`).join('')}out ${target}\nend\n`);
    }
  });

  // Where each stage writes, and what hands its output on to its readers.
  const writeTo: string[] = [];
  stages.forEach((_, i) => {
    const outs = edges.flatMap((e, id) => (e.from === i ? [id] : []));
    const hole = holes.get(i);
    const to = outs.map((id): [number, string] => [id, dest[id]!]);
    if (hole?.runs) writeTo[i] = `fd ${hole.input}`;
    if (hole?.output !== undefined) {
      // The engine writes the relayed stage's output into this fd; it goes on as any stage's.
      copy(shape.counted, `fd ${hole.output}`, to);
      return;
    }
    if (hole) return;
    if (outs.length === 0) {
      const last = i === n - 1;
      if (!last) writeTo[i] = 'null';
      else if (shape.out) {
        writeTo[i] = pipe();
        copy(shape.counted, writeTo[i], [[n - 1, 'fd 1']]);
      } else writeTo[i] = 'fd 1';
    } else if (shape.counted || outs.length > 1) {
      writeTo[i] = pipe();
      copy(shape.counted, writeTo[i], to);
    } else writeTo[i] = to[0]![1];
  });

  let commits = 0;
  const blocks: string[] = [];
  stages.forEach((stage, i) => {
    if (!here(i)) return;
    const commit = stage.commit ? fds.commit[commits++] : undefined;
    const env: Record<string, string> = shape.onHost ? { ...stage.env } : { ...stage.env, PWD: stage.dir };
    if (commit !== undefined) env[commitFdVariable] = String(commit);
    blocks.push(`stage ${i}\nin ${readFrom[i]}\nout ${writeTo[i]}\nerr ${firstStderrFd + i}\n`, commit === undefined ? '' : `commit ${commit}\n`);
    blocks.push(text('dir', stage.dir));
    for (const arg of stage.argv) blocks.push(text('arg', arg));
    for (const [k, v] of Object.entries(env)) blocks.push(text('env', `${k}=${v}`));
    blocks.push('end\n');
  });
  const header = `pipewright-segment ${segmentPlanVersion}\nstages ${stages.filter((_, i) => here(i)).length}\n`;
  return `${header}pipes ${pipes}\ncopies ${copies.length}\nmerges ${merges.length}\n${blocks.join('')}${copies.join('')}${merges.join('')}`;
}
