// Remote stages on hosts set up like real ones (sshd.ts: a ~/.bashrc that takes 1.5 s and counts
// the sessions): an early stop across ssh is "stopped early" whatever the login shell costs, the
// signal reaches the host without a new session, a `write` after it always gets its verdict in
// every shape (a line, a fan-out branch, a tap, workers over hosts), a stage that ignores SIGPIPE
// ends as in bash, and a server that never speaks fails the stage naming the host. Nothing is
// left on either side (the marker is in the local env and in the pipeline's, which the hosts get).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRun } from '../../../../engine';
import { envWith, markerVariable, newMarker, scratchDir, temporaryFiles, waitUntilGone } from '../faults/marker';
import { drain, pipelineOf, statusesOf, type Drained } from '../helpers';
import { sshdsForFile } from './servers';
import { haveSshd, type Keys, type Sshd } from './sshd';

let keys: Keys;
let box: Sshd;
let box2: Sshd;
let dir = '';

sshdsForFile(2, (k, [a, b]) => {
  keys = k;
  box = a!;
  box2 = b!;
  dir = scratchDir();
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `stages` (YAML under `stages:`) with both hosts and a marker, in the scratch folder; waits until nothing of it is left. */
async function runMarked(stages: string): Promise<Drained> {
  const marker = newMarker();
  const yaml = `hosts:\n  box: ${box.entry()}\n  box2: ${box2.entry()}\nenv: { ${markerVariable}: "${marker}" }\nstages:\n${stages}`;
  const d = await drain(startRun(pipelineOf(yaml, dir), { fileDir: dir, file: 'test.pipeline.yaml', env: envWith(marker) }));
  await waitUntilGone(marker);
  return d;
}

/** The file `write` made, and no temporary file beside it. */
function written(name: string): string {
  expect(temporaryFiles(dir)).toEqual([]);
  return fs.readFileSync(path.join(dir, name), 'utf8');
}

describe.runIf(haveSshd)('remote stages on hosts with a slow login shell', () => {
  it('yes on a host → head here → write: stopped early, the file written, one session per segment', async () => {
    // One session per segment, whether it installs pw-segment there or not (install.test.ts).
    const before = box.sessions();
    const d = await runMarked(`  - name: endless
    on: box
    run: yes
  - run: head -n 3
  - use: write
    with: { path: line.txt }
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(statusesOf(d)).toEqual({ endless: 'stopped-early', head: 'succeeded', write: 'succeeded' });
    expect(written('line.txt')).toBe('y\ny\ny\n');
    // Its report came: the exact end of the process on the host, and its signal.
    expect(d.result.stages[0]!.signal).toBe('SIGPIPE');
    expect(d.result.stages[0]!.stats.exact).toBe(true);
    // The early stop reached the host without a second login.
    expect(box.sessions() - before).toBe(1);
  });

  it('a remote stage that ignores SIGPIPE ends on EPIPE, as in bash: stopped early, the file written', async () => {
    const d = await runMarked(`  - name: stubborn
    on: box
    run: trap '' PIPE; exec yes x
  - run: head -n 3
  - use: write
    with: { path: stubborn.txt }
`);
    expect(statusesOf(d)).toEqual({ stubborn: 'stopped-early', head: 'succeeded', write: 'succeeded' });
    expect(written('stubborn.txt')).toBe('x\nx\nx\n');
    expect(d.result.stages[0]!.exitCode).toBe(1);
  });

  it('a remote stage in a fan-out branch that stops early, fanned in → write', async () => {
    const d = await runMarked(`  - name: src
    run: yes
  - name: far
    on: box
    run: cat
  - name: three
    run: head -n 3
  - name: near
    input: src
    run: head -n 2
  - name: both
    input: [three, near]
    use: write
    with: { path: graph.txt }
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(statusesOf(d)).toEqual({ src: 'stopped-early', far: 'stopped-early', three: 'succeeded', near: 'succeeded', both: 'succeeded' });
    expect(written('graph.txt')).toBe('y\n'.repeat(5));
  });

  it('a tapped remote stage that stops early → write', async () => {
    const d = await runMarked(`  - name: endless
    on: box
    tap: true
    run: yes
  - run: head -n 4
  - use: write
    with: { path: tapped.txt }
`);
    expect(statusesOf(d)).toEqual({ endless: 'stopped-early', head: 'succeeded', write: 'succeeded' });
    expect(written('tapped.txt')).toBe('y\n'.repeat(4));
  });

  it('workers over two hosts that stop early → write', async () => {
    const d = await runMarked(`  - run: yes
  - name: spread
    on: [box, box2]
    workers: 2
    run: cat
  - run: head -n 5
  - use: write
    with: { path: workers.txt }
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', spread: 'stopped-early', head: 'succeeded', write: 'succeeded' });
    expect(written('workers.txt')).toBe('y\n'.repeat(5));
  });

  it('a server that accepts and never speaks fails the stage naming the host, after ConnectTimeout, with the command to try', async () => {
    const silent = net.createServer(() => {}); // holds every connection, says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const entry = box.entry().replace(`port: ${box.port}`, `port: ${port}`);
    const yaml = (options: string) =>
      `hosts:\n  far: ${options ? entry.replace('options: [', `options: [${options}, `) : entry}\nstages:\n  - name: mute\n    on: far\n    run: cat\n`;
    for (const [options, seconds] of [
      ['', '10'],
      ['ConnectTimeout=1', '1'],
    ] as const) {
      const d = await drain(startRun(pipelineOf(yaml(options), dir), { fileDir: dir, file: 'test.pipeline.yaml' }));
      expect(d.result.outcome).toBe('failed');
      expect(statusesOf(d)).toEqual({ mute: 'failed' });
      const message = d.result.error?.message ?? '';
      expect(message).toMatch(/stage `mute` ssh could not reach host `far` \(root@127\.0\.0\.1\): .*timed out/);
      expect(message).toContain(`(ConnectTimeout=${seconds} s;`);
      // The hint is the command the engine ran, ready to paste: port, key and options included.
      expect(message).toContain(
        `check that \`ssh -T -e none -p ${port} -i ${keys.userKey} -o ${options ? `${options} -o ` : ''}UserKnownHostsFile=${keys.knownHosts}`,
      );
      expect(message).toMatch(/-o ConnectTimeout=10 -o ServerAliveInterval=15 -o ServerAliveCountMax=3 .*-- root@127\.0\.0\.1 true` works/);
    }
    silent.close();
  });
});
