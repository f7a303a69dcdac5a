import { describe, expect, it } from 'vitest';
import { check } from '../../../dsl';
import { nodeHost } from '../../../dsl/host-node';
import { failureReport } from '../../../extension/failure';
import { RunModel } from '../../../extension/run-model';
import { pipelineSlug, pipelineTemplate } from '../../../extension/template';

describe('New Pipeline template', () => {
  it('checks clean with the real checker (files, PATH and all)', () => {
    const { problems, pipeline } = check(pipelineTemplate('my-pipeline'), { file: '/tmp/my-pipeline.pipeline.yaml', host: nodeHost() });
    expect(problems).toEqual([]);
    expect(pipeline.name).toBe('my-pipeline');
  });

  it('names the file after what the user typed', () => {
    expect(pipelineSlug('  My data: Sales!  ')).toBe('my-data-sales');
    expect(pipelineSlug('***')).toBe('pipeline');
  });
});

describe('failure report', () => {
  it('names the stage, its exit and its last stderr lines', () => {
    const m = new RunModel(1, '/p.pipeline.yaml', 'prices', undefined, 0);
    m.apply({
      type: 'start',
      at: 0,
      stages: [
        { name: 'read', index: 0, inputs: [] },
        { name: 'parse', index: 1, inputs: [0] },
      ],
    });
    for (const line of ['reading', 'jq: error (at <stdin>:3): Cannot index number with "price"', ''])
      m.apply({ type: 'stderr', stage: 'parse', index: 1, line });
    m.apply({ type: 'status', stage: 'parse', index: 1, status: 'failed', exitCode: 5 });
    m.state = 'failed';
    const r = failureReport(m)!;
    expect(r.stage.name).toBe('parse');
    expect(r.headline).toBe('prices failed: stage "parse" exited with code 5: reading ⏎ jq: error (at <stdin>:3): Cannot index number with "price"');
    expect(r.lines[0]).toBe('── FAILED at stage parse: it exited with code 5.');
    expect(r.lines.slice(2)).toEqual(['   │ reading', '   │ jq: error (at <stdin>:3): Cannot index number with "price"']);
    m.state = 'succeeded';
    expect(failureReport(m)).toBeUndefined();
  });
});
