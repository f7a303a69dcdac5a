// The plan text of a graph around stages the engine relays (graph-plan.ts, holeJobs): what the
// plan's jobs write into and read from the engine's fds. The runs themselves are in graph-relays.test.ts.
import { describe, expect, it } from 'vitest';
import { graphPlan } from '../../../engine/graph-plan';

// a → b, a → c, [b, c] → d: a fan-out from a, a fan-in into d.
const diamond = [[], [0], [0], [1, 2]];

describe('graphPlan with relayed stages', () => {
  it('a relayed fan-in stage: its inputs merged into its input fd, its output fd read where its output would be', () => {
    const plan = graphPlan([[], [0], [0], [1, 2], [3]], true, new Map([[3, { input: 20, output: 21 }]])).split('\n');
    expect(plan).toContain('__pw_merge "$__pw_fifos/e2" "$__pw_fifos/e3" >&20 &');
    expect(plan).toContain('__pw_count 4 >"$__pw_fifos/e4" <&21 &');
    expect(plan.some((job) => job.includes('__pw_wrap 3'))).toBe(false);
    expect(plan.at(-1)).toBe('exec 20>&- 21>&-');
  });

  it('a relayed fan-out stage with one input: copied from its FIFO, its output fd copied to each reader', () => {
    const plan = graphPlan([[], [0], [1], [1], [2, 3]], false, new Map([[1, { input: 20, output: 21 }]])).split('\n');
    expect(plan).toContain('__pw_copy <"$__pw_fifos/e0" >&20 &');
    expect(plan).toContain('__pw_tee "$__pw_fifos/e2" >"$__pw_fifos/e1" <&21 &');
  });

  it('a tapped stage runs in the plan writing the engine’s fd; the engine’s other fd feeds its readers', () => {
    const plan = graphPlan(diamond, true, new Map([[0, { input: 20, output: 21, runs: true }]])).split('\n');
    expect(plan).toContain('__pw_wrap 0 >&20 &');
    expect(plan).toContain('__pw_count 0 1 "$__pw_fifos/e1" >"$__pw_fifos/e0" <&21 &');
  });

  it('without relayed stages, the plan is unchanged: no fd is closed', () => {
    expect(graphPlan(diamond, true)).not.toMatch(/exec \d/);
  });
});
