// Running a graph in a scratch folder that is also its TMPDIR, and checking that it leaves
// nothing behind: no process, no fd, no file (graph.test.ts, graph-relays.test.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect } from 'vitest';
import { startRun, type RunOptions } from '../../../engine';
import { drain, pipelineOf, processFootprint, type Drained } from './helpers';
import { envWith, newMarker, scratchDir, waitUntilGone } from './faults/marker';

export const accessLog = path.resolve(__dirname, '../../../examples/data/access.ndjson');

/** A runner of graphs; `dir` is the scratch folder of its latest run (removed after each test). */
type RunGraph = (
  yaml: Parameters<typeof runIn>[1],
  onEvent?: Parameters<typeof drain>[1],
  options?: Partial<RunOptions>,
  extraEnv?: Record<string, string>,
) => Promise<Drained>;

export function graphRunner(): { run: RunGraph; readonly dir: string } {
  let dir = '';
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    run: (yaml, onEvent, options, extraEnv) => {
      dir = scratchDir();
      return runIn(dir, yaml, onEvent, options, extraEnv);
    },
    get dir() {
      return dir;
    },
  };
}

/** `yaml` may be made with the run's marker, to give it to stages on other hosts too (their env is the pipeline's only). */
async function runIn(
  dir: string,
  yaml: string | ((marker: string) => string),
  onEvent?: Parameters<typeof drain>[1],
  options: Partial<RunOptions> = {},
  extraEnv: Record<string, string> = {},
): Promise<Drained> {
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp);
  const marker = newMarker();
  if (typeof yaml === 'function') yaml = yaml(marker);
  const before = processFootprint();
  const env = { ...envWith(marker), TMPDIR: tmp, ...extraEnv };
  const d = await drain(startRun(pipelineOf(yaml, dir), { fileDir: dir, file: 'test.pipeline.yaml', env, ...options }), onEvent);
  await waitUntilGone(marker);
  // Children on their way out (an ssh that sent a signal to a host, one not reaped yet) are waited
  // for like the marked processes: a child that stays fails the test by its timeout.
  const children = JSON.stringify(before.children);
  while (JSON.stringify(processFootprint().children) !== children) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(processFootprint()).toEqual(before);
  expect(fs.readdirSync(tmp), 'nothing is left in TMPDIR').toEqual([]);
  return d;
}

/** An event handler that cancels the run once `count` stages are running (every branch under way). */
export function cancelOnceRunning(count: number): NonNullable<Parameters<typeof drain>[1]> {
  const running = new Set<string>();
  return (e, h) => {
    if (e.type === 'status' && e.status === 'running') running.add(e.stage);
    if (running.size === count) {
      running.clear();
      h.cancel();
    }
  };
}

export const sortedLines = (b: Buffer | string) => b.toString().split('\n').filter(Boolean).sort();
export const edgeRecords = (d: Drained) => Object.fromEntries(d.result.edges.map((e) => [`${e.from}>${e.to}`, e.records]));
