import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../../dsl';
import { nodeHost } from '../../../dsl/host-node';
import { runFile, startRun, type RunEvent } from '../../../engine';
import { builtinProgram, planStages } from '../../../engine/preflight';
import { builtinPath, records, repoRoot, tempDir } from './helpers';

const example = path.join(repoRoot, 'examples/products.pipeline.yaml');

/**
 * What examples/products.pipeline.yaml must print, computed here from the CSV on its own: rows
 * in stock (`available` is the text true) under 100, four fields as numbers, cheapest first
 * (stable), the first 10.
 */
function expectedProducts(): unknown[] {
  const [header, ...rows] = fs.readFileSync(path.join(repoRoot, 'examples/data/products.csv'), 'utf8').trim().split('\n');
  const names = header!.split(',');
  const rowsAsObjects = rows.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
  const picked = rowsAsObjects
    .filter((r) => r.available === 'true' && Number(r.price) < 100)
    .map((r) => ({ id: Number(r.id), name: r.name, price: Number(r.price), stock: Number(r.stock) }))
    .sort((a, b) => a.price - b.price);
  expect(picked.length).toBeGreaterThan(10); // so `head` has something to cut
  return picked.slice(0, 10);
}

async function drain(events: AsyncIterable<RunEvent>): Promise<{ output: string; stderr: { stage: string; line: string }[] }> {
  let output = '';
  const stderr: { stage: string; line: string }[] = [];
  for await (const e of events) {
    if (e.type === 'records') output += e.data.toString();
    if (e.type === 'stderr') stderr.push({ stage: e.stage, line: e.line });
  }
  return { output, stderr };
}

function pipelineOf(yaml: string, dir: string) {
  const r = check(yaml, { file: path.join(dir, 'test.pipeline.yaml'), host: nodeHost() });
  expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return r.pipeline;
}

describe('built-in stages through the engine', () => {
  it('examples/products.pipeline.yaml gives the expected records (runFile)', async () => {
    const handle = runFile(example);
    const { output, stderr } = await drain(handle.events);
    const result = await handle.result;
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('succeeded');
    expect(stderr).toEqual([]);
    expect(records(output)).toEqual(expectedProducts());
    expect(result.records).toBe(10);
  });

  it('and through the CLI: node dist/cli.cjs run examples/products.pipeline.yaml', () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/cli.cjs'), 'run', 'examples/products.pipeline.yaml'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    expect(records(r.stdout)).toEqual(expectedProducts());
    expect(r.stderr).toMatch(/finished in .*: 10 records/);
  });

  it('head stops an endless upstream: upstream stages stop early, quietly', async () => {
    const dir = tempDir();
    const handle = startRun(
      pipelineOf(
        `stages:
  - name: endless
    run: yes '{"n":1,"ok":true}'
  - name: keep
    use: filter
    with: { expr: r.ok }
  - name: shape
    use: map
    with: { expr: "({ n: r.n + 1 })" }
  - name: first
    use: head
    with: { count: 5 }
`,
        dir,
      ),
      { fileDir: dir },
    );
    const { output, stderr } = await drain(handle.events);
    const result = await handle.result;
    expect(result.outcome).toBe('succeeded');
    expect(output).toBe('{"n":2}\n'.repeat(5));
    expect(Object.fromEntries(result.stages.map((s) => [s.name, s.status]))).toEqual({
      endless: 'stopped-early',
      keep: 'stopped-early',
      shape: 'stopped-early',
      first: 'succeeded',
    });
    expect(stderr).toEqual([]);
  });

  it('a failing record fails its stage, with the record number in its stderr', async () => {
    const dir = tempDir();
    const handle = startRun(
      pipelineOf(
        `stages:
  - run: printf '{"a":{"b":1}}\\n{"a":null}\\n{"a":{"b":3}}\\n'
  - name: deep
    use: map
    with: { expr: r.a.b }
`,
        dir,
      ),
      { fileDir: dir },
    );
    const { output, stderr } = await drain(handle.events);
    const result = await handle.result;
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatchObject({ kind: 'stage-failed', stage: 'deep' });
    expect(result.stages[1]).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(output).toBe('1\n');
    expect(stderr.map((s) => s.stage)).toEqual(['deep']);
    expect(stderr[0]?.line).toMatch(/^record 2 made the expression throw: Cannot read properties of null/);
  });

  it('stopReading ends a built-in that is waiting for input (the engine sends SIGPIPE): stopped early', async () => {
    const dir = tempDir();
    const handle = startRun(
      pipelineOf(
        `stages:
  - run: yes '{}'
  - name: nothing
    use: filter
    with: { expr: "false" }
`,
        dir,
      ),
      { fileDir: dir },
    );
    let stopped = false;
    for await (const e of handle.events) {
      if (!stopped && e.type === 'stats' && (e.stages[1]?.bytesIn ?? 0) > 1_000_000) {
        stopped = true;
        handle.stopReading();
      }
    }
    const result = await handle.result;
    expect(stopped).toBe(true);
    expect(result.outcome).toBe('succeeded');
    expect(result.stages[1]).toMatchObject({ name: 'nothing', status: 'stopped-early', exitCode: 141 }); // its own exit 141, not the engine's SIGTERM later
  });

  it('write and read files relative to the stage working directory; options with ${VARS} never reach a command line', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data/in.csv'), 'k,v\nsecret-1,1\nother,2\n');
    const yaml = `env: { KEY: secret-1 }
cwd: data
stages:
  - use: read
    with: { path: in.csv }
  - use: filter
    with: { expr: "r.k === '\${KEY}'" }
  - use: write
    with: { path: out.ndjson }
`;
    const pipeline = pipelineOf(yaml, dir);
    const planned = planStages(pipeline, { fileDir: dir, env: process.env });
    if (!('stages' in planned)) throw new Error(planned.error.message);
    const filter = planned.stages[1]!.plan;
    expect(filter.argv).toEqual([process.execPath, builtinPath, 'filter']);
    expect(filter.argv.join(' ')).not.toContain('secret-1');
    expect(filter.env).toMatchObject({ ELECTRON_RUN_AS_NODE: '1', PIPEWRIGHT_BUILTIN_OPTIONS: JSON.stringify({ expr: "r.k === 'secret-1'" }) });
    const handle = startRun(pipeline, { fileDir: dir });
    const { output } = await drain(handle.events);
    expect((await handle.result).outcome).toBe('succeeded');
    expect(output).toBe('{"k":"secret-1","v":1}\n');
    expect(fs.readFileSync(path.join(dir, 'data/out.ndjson'), 'utf8')).toBe(output);
  });

  it('finds the bundle from the TypeScript sources (engine/ → dist/)', () => {
    expect(builtinProgram()).toEqual({ ok: true, path: builtinPath });
  });
});
