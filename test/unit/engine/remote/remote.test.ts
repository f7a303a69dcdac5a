// Stages on other hosts (docs/remote.md) against real sshd servers on 127.0.0.1 (sshd.ts): the
// same output as locally, exact totals, early stop and cancel across hosts, a host lost mid-run,
// ssh's own errors, workers spread over two hosts. "Remote" processes are found by a marker
// variable that only the pipeline's `env` gives them (marker.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRun } from '../../../../engine';
import { envWith, marked, markerVariable, newMarker, waitUntilGone } from '../faults/marker';
import { bash, drain, fixtures, pipelineOf, run, statusesOf } from '../helpers';
import { sshdsForFile } from './servers';
import { haveSshd, Sshd, type Keys } from './sshd';

let keys: Keys;
let box: Sshd;
let box2: Sshd;

sshdsForFile(2, (k, [a, b]) => {
  keys = k;
  box = a!;
  box2 = b!;
});

const hosts = () => `hosts:\n  box: ${box.entry()}\n  box2: ${box2.entry()}\n`;

describe.runIf(haveSshd)('stages on another host', () => {
  it('gives the same bytes as the pipeline run locally, with exact totals and the host in the stats', async () => {
    const stages = `stages:
  - run: seq 1 200000
  - name: square
    ON
    run: awk '{ print $1 * $1 }'
  - name: odd
    ON
    run: grep '[13579]$'
  - run: tail -n 5
`;
    const remote = await run(hosts() + stages.replace(/ON/g, 'on: box'));
    const local = await run(stages.replace(/ {4}ON\n/g, ''));
    expect(remote.output.toString()).toBe(bash(`seq 1 200000 | awk '{ print $1 * $1 }' | grep '[13579]$' | tail -n 5`).toString());
    expect(remote.output).toEqual(local.output);
    expect(statusesOf(remote)).toEqual({ seq: 'succeeded', square: 'succeeded', odd: 'succeeded', tail: 'succeeded' });
    const [seq, square, odd, tail] = remote.result.stages.map((s) => s.stats);
    expect([seq!.host, square!.host, odd!.host, tail!.host]).toEqual([undefined, 'box', 'box', undefined]);
    expect(remote.result.stages.every((s) => s.stats.exact)).toBe(true);
    // Every edge is counted exactly, also into the host (counted here), on it and out of it, as locally.
    const counts = (d: typeof remote) => d.result.stages.map((s) => [s.stats.recordsIn, s.stats.bytesIn, s.stats.recordsOut, s.stats.bytesOut]);
    expect(counts(remote)).toEqual(counts(local));
    expect(square!.recordsIn).toBe(200000);
    expect(square!.bytesOut).toBe(bash(`seq 1 200000 | awk '{ print $1 * $1 }'`).length);
    expect(square!.procBytesRead).toBeGreaterThanOrEqual(bash('seq 1 200000').length);
    expect(square!.pid).toBeGreaterThan(0);
  });

  it('tags a remote stage’s stderr with its stage and reports its exit code', async () => {
    const d = await run(`${hosts()}stages:
  - name: fails
    on: box
    run: echo "no such thing" >&2; exit 3
`);
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('fails');
    expect(d.result.stages[0]!.exitCode).toBe(3);
    expect(d.stderr).toEqual([{ stage: 'fails', line: 'no such thing' }]);
    expect(d.result.error?.message).toContain('exit code 3');
  });

  it('stops a remote `yes` early when a local `head` has enough, leaving nothing on the host', async () => {
    const marker = newMarker();
    const d = await run(`${hosts()}env: { ${markerVariable}: "${marker}" }
stages:
  - name: yes
    on: box
    run: yes
  - run: head -n 3
`);
    expect(d.output.toString()).toBe('y\ny\ny\n');
    expect(d.result.outcome).toBe('succeeded');
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', head: 'succeeded' });
    expect(d.result.stages[0]!.stats.exact).toBe(true);
    // The edge out of the host is counted here by the counter's own final report: whole `y` lines
    // (a last half line counts once the edge has ended), however many got through before `head` left.
    const out = d.result.edges[0]!;
    expect(out).toMatchObject({ from: 0, to: 1, countedBy: 'counter', ended: true });
    expect(out.records).toBeGreaterThanOrEqual(3);
    expect(out.records).toBe(Math.ceil(out.bytes / 2));
    expect(d.result.stages[1]!.stats.recordsIn).toBe(out.records);
    await waitUntilGone(marker);
  });

  it('stops a local `yes` early when the remote stage it writes into directly has enough', async () => {
    const d = await run(`${hosts()}stages:
  - run: yes
  - name: first
    on: box
    run: head -n 2
`);
    expect(d.output.toString()).toBe('y\ny\n');
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', first: 'succeeded' });
    expect(d.result.stages[1]!.stats.recordsOut).toBe(2);
    // Directly: `yes` writes into ssh's stdin (its segment counts that edge), no relay (the engine would count it).
    expect(d.result.edges[0]!.countedBy).toBe('counter');
  });

  it('runs under a TMPDIR too long for the control socket (reports on ssh’s stderr): early stop still reaches the host, statuses right', async () => {
    const long = path.join(keys.dir, 'x'.repeat(100));
    fs.mkdirSync(long);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = long;
    try {
      const d = await run(`${hosts()}stages:\n  - name: yes\n    on: box\n    run: yes\n  - run: head -n 3\n`);
      expect(d.output.toString()).toBe('y\ny\ny\n');
      expect(statusesOf(d)).toEqual({ yes: 'stopped-early', head: 'succeeded' });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('passes the declared env (not the local environment) and runs in the login folder', async () => {
    const d = await run(
      `${hosts()}env: { GREETING: hello }
stages:
  - on: box
    env: { WHO: world }
    run: echo "$GREETING $WHO \${HOME:+home} \${PIPEWRIGHT_LOCAL_ONLY:-unset}"; pwd
`,
      { env: { ...process.env, PIPEWRIGHT_LOCAL_ONLY: 'leaked' } },
    );
    expect(d.output.toString()).toBe(`hello world home unset\n${process.env.HOME ?? '/root'}\n`);
  });

  it('spreads workers over two hosts: the same multiset as one local worker', async () => {
    const stages = (on: string) => `stages:
  - run: seq 1 20000
  - name: work
    ${on}
    workers: 4
    run: awk '{ print $1 * 7 }'
`;
    const spread = await run(hosts() + stages('on: [box, box2]'));
    const local = await run(stages(''));
    const sorted = (b: Buffer) => b.toString().trimEnd().split('\n').sort().join('\n');
    expect(sorted(spread.output)).toBe(sorted(local.output));
    const work = spread.result.stages[1]!.stats;
    expect(work.host).toBe('box, box2');
    expect(work.workers!.map((w) => w.host)).toEqual(['box', 'box2', 'box', 'box2']);
  });

  it('cancel leaves nothing on either side', async () => {
    const marker = newMarker();
    const handle = startRun(
      pipelineOf(`${hosts()}env: { ${markerVariable}: "${marker}" }
stages:
  - name: slow
    on: box
    run: echo started >&2; sleep 300
  - run: cat
`),
      { fileDir: fixtures, file: 'test.pipeline.yaml', env: envWith(marker) },
    );
    const d = await drain(handle, (e, h) => {
      if (e.type === 'stderr' && e.line === 'started') h.cancel();
    });
    expect(d.result.outcome).toBe('cancelled');
    expect(statusesOf(d).slow).toBe('cancelled');
    await waitUntilGone(marker);
  });

  it('fails the stage naming the host when its sshd goes away mid-run', async () => {
    const keysLost = keys;
    const lost = await Sshd.start(keysLost);
    const marker = newMarker();
    const handle = startRun(
      pipelineOf(`hosts:\n  far: ${lost.entry()}\nenv: { ${markerVariable}: "${marker}" }
stages:
  - name: endless
    on: far
    run: echo started >&2; exec sleep 300
`),
      { fileDir: fixtures, file: 'test.pipeline.yaml' },
    );
    const d = await drain(handle, (e) => {
      if (e.type === 'stderr' && e.line === 'started') void lost.stop();
    });
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('endless');
    expect(d.result.error?.message).toMatch(/stage `endless` lost the connection to host `far` \(root@127\.0\.0\.1\)/);
    await waitUntilGone(marker);
  });

  it('counts the records out of a host exactly when the connection is lost after they came', async () => {
    const lost = await Sshd.start(keys);
    const marker = newMarker();
    const expected = bash('seq 1 1000');
    let got = 0;
    const handle = startRun(
      pipelineOf(`hosts:\n  far: ${lost.entry()}\nenv: { ${markerVariable}: "${marker}" }
stages:
  - name: some
    on: far
    run: seq 1 1000; exec sleep 300
  - run: cat
`),
      { fileDir: fixtures, file: 'test.pipeline.yaml' },
    );
    const d = await drain(handle, (e) => {
      if (e.type !== 'records') return;
      got += e.data.length;
      // Every record is through the local `cat`: the host goes away.
      if (got === expected.length) void lost.stop();
    });
    expect(d.output).toEqual(expected);
    expect(d.result.failedStage).toBe('some');
    expect(d.result.error?.message).toMatch(/stage `some` lost the connection to host `far`/);
    expect(d.result.edges[0]).toMatchObject({ from: 0, to: 1, countedBy: 'counter', records: 1000, bytes: expected.length, ended: true });
    expect(d.result.stages[1]!.stats.recordsIn).toBe(1000);
    await waitUntilGone(marker);
  });

  it('shows ssh’s own errors as such: an unknown host key, a refused connection', async () => {
    const unknownKey = box.entry().replace(keys.knownHosts, path.join(keys.dir, 'empty_known_hosts'));
    fs.writeFileSync(path.join(keys.dir, 'empty_known_hosts'), '');
    const d = await run(`hosts:\n  box: ${unknownKey}\nstages:\n  - name: s\n    on: box\n    run: cat\n`);
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('s');
    expect(d.result.error?.message).toMatch(/ssh could not reach host `box` \(root@127\.0\.0\.1\): Host key verification failed\./);
    const closed = box.entry().replace(`port: ${box.port}`, 'port: 1');
    const refused = await run(`hosts:\n  box: ${closed}\nstages:\n  - name: s\n    on: box\n    run: cat\n`);
    expect(refused.result.error?.message).toMatch(/ssh could not reach host `box`.*Connection refused/);
    expect(marked('never')).toEqual([]);
  });
});
