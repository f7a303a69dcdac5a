import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, expect } from 'vitest';
import { check, type Pipeline } from '../../../dsl';
import { nodeHost } from '../../../dsl/host-node';
import { startRun, type RunEvent, type RunHandle, type RunOptions, type RunResult } from '../../../engine';

export const fixtures = path.resolve(__dirname, '../../fixtures/engine');

/** A checked pipeline from YAML text, anchored in the fixtures folder. */
export function pipelineOf(yaml: string, dir = fixtures): Pipeline {
  const r = check(yaml, { file: path.join(dir, 'test.pipeline.yaml'), host: nodeHost() });
  expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return r.pipeline;
}

export interface Drained {
  events: RunEvent[];
  result: RunResult;
  output: Buffer;
  stderr: { stage: string; line: string }[];
  pids: number[];
}

/** Runs being drained: a test that fails or times out must not leave its run going into the next tests. */
const going = new Set<RunHandle>();
afterEach(async () => {
  const left = [...going];
  going.clear();
  for (const h of left) h.cancel();
  await Promise.allSettled(left.map((h) => h.result));
});

/** Drains the event stream; `onEvent` may act on the run (cancel, stop) while it goes. */
export async function drain(handle: RunHandle, onEvent?: (e: RunEvent, handle: RunHandle) => void): Promise<Drained> {
  going.add(handle);
  void handle.result.finally(() => going.delete(handle));
  const events: RunEvent[] = [];
  const chunks: Buffer[] = [];
  const stderr: { stage: string; line: string }[] = [];
  const pids = new Set<number>();
  for await (const e of handle.events) {
    if (e.type === 'records') chunks.push(e.data);
    else events.push(e);
    if (e.type === 'stderr') stderr.push({ stage: e.stage, line: e.line });
    if (e.type === 'status' && e.pid !== undefined) pids.add(e.pid);
    onEvent?.(e, handle);
  }
  const result = await handle.result;
  return { events, result, output: Buffer.concat(chunks), stderr, pids: [...pids] };
}

export function run(yaml: string, options: Partial<RunOptions> = {}): Promise<Drained> {
  return drain(startRun(pipelineOf(yaml), { fileDir: fixtures, file: 'test.pipeline.yaml', ...options }));
}

/** The same shell pipeline run by bash, for byte-for-byte comparison. */
export function bash(script: string, cwd = fixtures): Buffer {
  return execFileSync('/bin/bash', ['-c', script], { cwd, maxBuffer: 512 * 1024 * 1024 });
}

/** Why a run ended as it did, for an assertion's message: its error and how each stage ended. */
export function endOf(d: Drained): string {
  const stages = d.result.stages.map((s) => ({
    name: s.name,
    status: s.status,
    message: s.message,
    exitCode: s.exitCode,
    signal: s.signal,
    stderr: s.stderrTail,
    workers: s.stats.workers?.map((w) => w.status),
  }));
  return JSON.stringify({ error: d.result.error, stages });
}

export function statusesOf(d: Drained): Record<string, string> {
  return Object.fromEntries(d.result.stages.map((s) => [s.name, s.status]));
}

/** Pipe and socket fds this process holds, and its live or zombie children, from /proc. */
export function processFootprint(): { fds: string[]; children: string[] } {
  const fds: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith('pipe:') || target.startsWith('socket:')) fds.push(target);
    } catch {
      // the fd of readdir itself
    }
  }
  const children: string[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) children.push(`${name} ${stat.slice(stat.indexOf('('), stat.lastIndexOf(')') + 1)} ${fields[0]}`);
    } catch {
      // gone meanwhile
    }
  }
  return { fds: fds.sort(), children };
}

/** Asserts that nothing of a run is left: no child, no zombie, no pipe or socket fd, no stage process. */
export function expectNothingLeft(before: { fds: string[] }, d: Drained): void {
  const after = processFootprint();
  expect(after.children).toEqual([]);
  expect(after.fds).toEqual(before.fds);
  for (const pid of d.pids) expect(fs.existsSync(`/proc/${pid}`), `stage process ${pid} still exists`).toBe(false);
}
