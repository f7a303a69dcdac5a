import { describe, expect, it } from 'vitest';
import { ancestors, buildPipeline, parse, pipelineGraph, stagesToRun, unreadStages } from '../../../dsl';

const pipeline = (text: string) => buildPipeline(parse(text));
const names = (stages: { name: string }[] | undefined) => stages?.map((s) => s.name);

const fan = pipeline(
  [
    'stages:',
    '  - { name: read, run: cat }',
    '  - { name: keep, use: write, with: { path: all.ndjson } }',
    '  - { name: errors, run: grep e, input: read }',
    '  - { name: slow, run: grep s, input: read }',
    '  - { name: debug, run: cat, input: read }',
    '  - { name: both, run: sort, input: [errors, slow, errors] }',
    '',
  ].join('\n'),
);

describe('pipeline graph', () => {
  it('reads the stage before by default, else the named earlier stages, each once', () => {
    const g = pipelineGraph(fan);
    expect(g.inputs).toEqual([[], [0], [0], [0], [0], [2, 3]]);
    expect(g.readers).toEqual([[1, 2, 3, 4], [], [5], [5], [], []]);
    expect(g.edges.at(-1)).toEqual({ from: 3, to: 5 });
    expect(g.output).toBe(5);
  });

  it('leaves out names that are not earlier stages (problems report them)', () => {
    const g = pipelineGraph(pipeline('stages:\n  - { name: a, run: cat, input: b }\n  - { name: b, run: cat, input: [nope, a] }\n'));
    expect(g.inputs).toEqual([[], [0]]);
  });

  it('finds the stages no one reads, sparing write and the last stage', () => {
    expect(names(unreadStages(fan))).toEqual(['debug']);
  });

  it('runs a stage with its ancestors only', () => {
    const g = pipelineGraph(fan);
    expect(ancestors(g, 5)).toEqual([0, 2, 3, 5]);
    expect(names(stagesToRun(fan, 'slow'))).toEqual(['read', 'slow']);
    expect(stagesToRun(fan, 'nope')).toBeUndefined();
  });
});
