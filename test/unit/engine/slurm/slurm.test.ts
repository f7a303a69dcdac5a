// Stages on a Slurm cluster (docs/remote.md#slurm) against a real single-node cluster started by
// this file (cluster.ts: munged, slurmctld, slurmd, all in a temporary folder, 127.0.0.1 only):
// the same bytes as locally with exact counts, early stop both ways, workers as steps Slurm
// places (some waiting for Slurm), a step over its time limit, cancel, a refused step, and the
// CLI killed. Processes of a run are found by a marker variable, which srun passes into the step
// with the rest of its environment (faults/marker.ts); jobs by squeue.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath } from '../../../cli/cli';
import { startRun, type RunEvent } from '../../../../engine';
import { hostBuilds, hostVersion } from '../../../../engine/host-install';
import { hostTarget } from '../../../../engine/native-programs';
import { cliAnnounced, marked, markerVariable, newMarker, scratchDir, waitUntilGone } from '../faults/marker';
import { bash, drain, endOf, fixtures, pipelineOf, run, statusesOf } from '../helpers';
import { Cluster, whyNoCluster } from './cluster';

let cluster: Cluster | undefined;
let skipped = whyNoCluster();
if (skipped === undefined) {
  try {
    cluster = await Cluster.start();
  } catch (e) {
    skipped = (e as Error).message;
  }
}
if (skipped !== undefined) console.log(`SKIPPED: the Slurm tests (test/unit/engine/slurm): ${skipped}`);
const dir = scratchDir();
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const hosts = (settings = '') => `hosts:\n  cluster: { slurm: { address: 127.0.0.1${settings} } }\n`;
const envOf = (marker: string) => ({ ...process.env, ...cluster!.env, [markerVariable]: marker });

/** Waits until squeue lists nothing: a cancelled job is COMPLETING for a moment (how long is Slurm's, not the test's). */
async function queueEmpty(): Promise<void> {
  while (cluster!.squeue().length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe.runIf(skipped === undefined)('stages on a Slurm cluster', () => {
  it('gives the same bytes as the local run, with exact counts, the cluster and the step in the stats', async () => {
    const stages = `stages:
  - run: seq 1 200000
  - name: square
    ON
    run: awk '{ print $1 * $1 }'
  - run: tail -n 5
`;
    const marker = newMarker();
    const slurm = await run(hosts() + stages.replace('ON', 'on: cluster'), { env: envOf(marker) });
    const local = await run(stages.replace(/ {4}ON\n/, ''));
    expect(slurm.output.toString()).toBe(bash(`seq 1 200000 | awk '{ print $1 * $1 }' | tail -n 5`).toString());
    expect(slurm.output).toEqual(local.output);
    expect(statusesOf(slurm)).toEqual({ seq: 'succeeded', square: 'succeeded', tail: 'succeeded' });
    const counts = (d: typeof slurm) => d.result.stages.map((s) => [s.stats.recordsIn, s.stats.bytesIn, s.stats.recordsOut, s.stats.bytesOut]);
    expect(counts(slurm)).toEqual(counts(local));
    const square = slurm.result.stages[1]!.stats;
    expect(square.host).toBe('cluster');
    expect(square.step).toMatch(/^\d+\.0 on \S+$/);
    expect(square.exact).toBe(true);
    // It waited for Slurm before it ran: its own status, then running.
    const statuses = slurm.events.flatMap((e) => (e.type === 'status' && e.stage === 'square' ? [e.status] : []));
    expect(statuses).toEqual(['queued', 'running', 'succeeded']);
    // The step ran pw-segment, fetched from this machine into the node's cache folder (the cluster's XDG_CACHE_HOME).
    const installed = path.join(cluster!.env.XDG_CACHE_HOME!, 'pipewright', hostVersion, hostTarget, 'pw-segment');
    expect(createHash('sha256').update(fs.readFileSync(installed)).digest('hex')).toBe(hostBuilds().find((b) => b.target === hostTarget)!.sha256);
    await queueEmpty();
    await waitUntilGone(marker);
  });

  it('stops a `yes` on the cluster early when a local `head` has enough, and the step is gone', async () => {
    const marker = newMarker();
    const d = await run(`${hosts()}stages:\n  - name: yes\n    on: cluster\n    run: yes\n  - run: head -n 3\n`, { env: envOf(marker) });
    expect(d.output.toString()).toBe('y\ny\ny\n');
    expect(d.result.outcome, endOf(d)).toBe('succeeded');
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', head: 'succeeded' });
    await queueEmpty();
    await waitUntilGone(marker);
  });

  it('stops a local `yes` early when a `head` on the cluster has enough', async () => {
    const marker = newMarker();
    const d = await run(`${hosts()}stages:\n  - run: yes\n  - name: first\n    on: cluster\n    run: head -n 3\n`, { env: envOf(marker) });
    expect(d.output.toString()).toBe('y\ny\ny\n');
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', first: 'succeeded' });
    await queueEmpty();
    await waitUntilGone(marker);
  });

  // Two of the steps start when Slurm's scheduler next looks at its queue (every second on the test cluster).
  it('runs `workers: 4` as four steps that Slurm places, some waiting for it, with exactly the records of the local run', { timeout: 60_000 }, async () => {
    // 4 CPUs on the node, 2 per step: two steps at a time, the other two wait for Slurm.
    const stages = `stages:
  - run: seq 1 300000
  - name: double
    ON
    workers: 4
    ordered: true
    run: awk '{ print $1 * 2 }'
`;
    const marker = newMarker();
    const slurm = await run(hosts(', cpus: 2') + stages.replace('ON', 'on: cluster'), { env: envOf(marker) });
    const local = await run(stages.replace(/ {4}ON\n/, ''));
    // As text: toEqual on two 2 MB buffers compares byte by byte, for a minute.
    expect(slurm.output.toString()).toBe(local.output.toString());
    expect(slurm.result.stages[1]!.stats.recordsOut).toBe(300000);
    const steps = slurm.result.stages[1]!.stats.workers!.map((w) => w.step);
    expect(steps.every((s) => /^\d+\.0 on \S+$/.test(s ?? ''))).toBe(true);
    expect(new Set(steps.map((s) => s!.split('.')[0])).size).toBe(4);
    // Each step's own records (the run panel's worker rows): the ones Slurm started first took more.
    const workers = slurm.result.stages[1]!.stats.workers!;
    expect(workers.reduce((n, w) => n + w.recordsIn!, 0)).toBe(300000);
    expect(workers.map((w) => w.recordsOut)).toEqual(workers.map((w) => w.recordsIn));
    const statuses = slurm.events.flatMap((e) => (e.type === 'status' && e.stage === 'double' ? [e.status] : []));
    expect(statuses).toEqual(['queued', 'running', 'succeeded']);
    await queueEmpty();
    await waitUntilGone(marker);
  });

  it('shows `workers: 4` as four steps in squeue while they run, and none after Stop', async () => {
    const marker = newMarker();
    let started = 0;
    let steps: string[] = [];
    const handle = startRun(
      pipelineOf(`${hosts(', cpus: 1')}stages:\n  - run: yes\n  - name: copy\n    on: cluster\n    workers: 4\n    run: "echo started >&2; exec cat"\n`),
      { fileDir: fixtures, env: envOf(marker) },
    );
    const d = await drain(handle, (e, h) => {
      if (e.type !== 'stderr' || e.line !== 'started' || ++started < 4) return;
      steps = cluster!.squeue(true);
      h.stopReading();
    });
    expect(steps).toHaveLength(4);
    expect(d.result.outcome, endOf(d)).toBe('succeeded');
    expect(d.result.stages[1]!.stats.workers!.map((w) => w.status)).toEqual(['stopped-early', 'stopped-early', 'stopped-early', 'stopped-early']);
    await queueEmpty();
    await waitUntilGone(marker);
  });

  it('fails a step that Slurm ends at its time limit, naming Slurm’s reason', { timeout: 180_000 }, async () => {
    const marker = newMarker();
    const d = await run(`${hosts(', time: "1"')}stages:\n  - name: slow\n    on: cluster\n    run: sleep 300\n`, { env: envOf(marker) });
    expect(d.result.outcome, endOf(d)).toBe('failed');
    expect(statusesOf(d)).toEqual({ slow: 'failed' });
    expect(d.result.error?.message).toMatch(/stage `slow` .*Slurm ended the step \(time limit\): .*CANCELLED AT .* DUE TO TIME LIMIT/);
    await queueEmpty();
    await waitUntilGone(marker);
  });

  it('fails a step Slurm refuses, with srun’s words', async () => {
    const d = await run(`${hosts(', partition: nosuchpartition')}stages:\n  - name: nowhere\n    on: cluster\n    run: cat\n`, { env: envOf(newMarker()) });
    expect(d.result.outcome, endOf(d)).toBe('failed');
    expect(d.result.error?.message).toMatch(/stage `nowhere` could not start as a job step on Slurm cluster `cluster`: srun: error: .*[Pp]artition/);
  });

  it('ends the step on cancel: nothing of the run is left in squeue or on the node', async () => {
    const marker = newMarker();
    let stepsWhenCancelled: string[] | undefined;
    const handle = startRun(pipelineOf(`${hosts()}stages:\n  - name: slow\n    on: cluster\n    run: "echo started >&2; exec sleep 300"\n`), {
      fileDir: fixtures,
      env: envOf(marker),
    });
    const d = await drain(handle, (e: RunEvent, h) => {
      if (e.type === 'stderr' && e.line === 'started' && !stepsWhenCancelled) {
        stepsWhenCancelled = cluster!.squeue(true);
        h.cancel();
      }
    });
    expect(stepsWhenCancelled).toHaveLength(1);
    expect(d.result.outcome, endOf(d)).toBe('cancelled');
    await queueEmpty();
    await waitUntilGone(marker);
  });

  it('SIGKILL of the CLI: the step ends, nothing is left in squeue or on the node', async () => {
    const marker = newMarker();
    const file = path.join(dir, 'killed.pipeline.yaml');
    fs.writeFileSync(file, `${hosts()}stages:\n  - run: yes\n  - name: announce\n    on: cluster\n    run: "echo started >&2; exec cat"\n  - run: cat\n`);
    const { child, exit } = await cliAnnounced(cliPath, file, envOf(marker));
    expect(cluster!.squeue(true)).toHaveLength(1);
    expect(marked(marker).some((p) => / cat/.test(p))).toBe(true);
    child.kill('SIGKILL');
    expect(await exit).toEqual({ code: null, sig: 'SIGKILL' });
    await queueEmpty();
    await waitUntilGone(marker);
  });
});
