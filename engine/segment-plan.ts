/**
 * The plan of a straight segment as dist/pw-segment reads it on its stdin (engine/native/plan.c):
 * the one writer of the format specified in docs/engine-protocol.md (version 1). Every line is a
 * key, and for most keys a space and a value: a number, or a string as BYTE_LENGTH:BYTES, so
 * values may hold any byte (newlines included) and nothing is quoted.
 */
import { commitFdVariable } from './builtins/protocol';
import { firstStderrFd, segmentFds, type StagePlan } from './plumbing';

export const segmentPlanVersion = 1;

/** Which edges of the segment are counted: between its stages, into its first stage, out of its last. */
export interface SegmentCounts {
  between: boolean;
  into: boolean;
  out: boolean;
}

const text = (key: string, value: string) => `${key} ${Buffer.byteLength(value)}:${value}\n`;
const flag = (b: boolean) => (b ? 1 : 0);

/**
 * The plan of `stages`, with the fds of segmentFds (what Segment passes). A stage's environment
 * is exactly its own, plus its commit channel's variable for a `write`, and PWD, its directory,
 * as a shell sets it after `cd`.
 */
export function segmentPlan(stages: readonly StagePlan[], counts: SegmentCounts): string {
  const fds = segmentFds(stages.length, stages.filter((s) => s.commit).length);
  let commits = 0;
  const lines = [
    `pipewright-segment ${segmentPlanVersion}\n`,
    `stages ${stages.length}\n`,
    `input ${fds.input}\n`,
    `counts ${flag(counts.between)}\ncount-in ${flag(counts.into)}\ncount-out ${flag(counts.out)}\n`,
  ];
  stages.forEach((stage, i) => {
    const commit = stage.commit ? fds.commit[commits++] : undefined;
    const env: Record<string, string> = { ...stage.env, PWD: stage.dir };
    if (commit !== undefined) env[commitFdVariable] = String(commit);
    lines.push('stage\n', `err ${firstStderrFd + i}\n`, commit === undefined ? '' : `commit ${commit}\n`, text('dir', stage.dir));
    for (const arg of stage.argv) lines.push(text('arg', arg));
    for (const [k, v] of Object.entries(env)) lines.push(text('env', `${k}=${v}`));
    lines.push('end\n');
  });
  return lines.join('');
}
