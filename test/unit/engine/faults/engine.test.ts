// Fault injection, in process: each case checks the outcome and blamed stage, the output against
// bash where bash has an answer, and that nothing is left: no process (worker copies and
// grandchildren included: see marker.ts), no temporary file, existing files unchanged.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startRun, type RunOptions } from '../../../../engine';
import { bash, drain, fixtures, pipelineOf, processFootprint, statusesOf, type Drained } from '../helpers';
import { envWith, marked, newMarker, scratchDir, temporaryFiles, waitUntilGone } from './marker';

const old = '{"old":1}\n{"old":2}\n';
let dir = '';
let marker = '';

/** `settle`: what the test itself started during the run (a FIFO's reader) has ended, before the footprint is compared. */
async function runMarked(
  yaml: string,
  options: Partial<RunOptions> = {},
  onEvent?: Parameters<typeof drain>[1],
  prepare?: () => void,
  settle?: () => Promise<unknown>,
): Promise<Drained> {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = scratchDir();
  marker = newMarker();
  fs.writeFileSync(path.join(dir, 'out.ndjson'), old);
  prepare?.();
  const before = processFootprint();
  const d = await drain(startRun(pipelineOf(yaml, dir), { fileDir: dir, file: 'test.pipeline.yaml', env: envWith(marker), ...options }), onEvent);
  // The run's end waits for every process it started; grandchildren that left are its kills' business.
  await waitUntilGone(marker);
  await settle?.();
  expect(processFootprint()).toEqual(before);
  expect(temporaryFiles(dir)).toEqual([]);
  return d;
}

const existing = () => fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8');

afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('write under faults', () => {
  it('keeps the existing file byte for byte when a stage feeding it fails after 5,000 records', async () => {
    const d = await runMarked(`stages:
  - name: gen
    run: awk 'BEGIN{for(i=1;i<=5000;i++) print "{\\"i\\":" i "}"; exit 3}'
  - use: write
    with: { path: out.ndjson }
`);
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('gen');
    expect(d.result.stages[0]!.exitCode).toBe(3);
    expect(existing()).toBe(old);
  });

  it('keeps it when a stage after a relay (workers) fails, and when the run is cancelled while `write` waits', async () => {
    const failed = await runMarked(`stages:
  - run: seq 1 3000
  - name: copy
    run: cat; exit 4
    workers: 2
  - use: write
    with: { path: out.ndjson }
`);
    expect(failed.result.failedStage).toBe('copy');
    expect(existing()).toBe(old);
    // `write` has all its input and waits for its verdict while the first stage still runs.
    const cancelled = await runMarked(
      `stages:
  - name: slow
    run: "seq 1 10; exec >&-; echo closed >&2; sleep 30"
  - name: save
    use: write
    with: { path: out.ndjson }
`,
      {},
      (e, h) => {
        if (e.type === 'stderr' && e.line === 'closed') h.cancel();
      },
    );
    expect(cancelled.result.outcome).toBe('cancelled');
    expect(existing()).toBe(old);
  });

  it('commits when every stage before it ended well, also when one stopped early for a downstream head', async () => {
    const d = await runMarked(`stages:
  - run: yes '{"y":1}'
  - run: head -n 3
  - use: write
    with: { path: out.ndjson }
`);
    const why = JSON.stringify(d.result.stages.map((s) => [s.name, s.status, s.exitCode, s.signal, s.stderrTail]));
    expect(statusesOf(d), why).toMatchObject({ yes: 'stopped-early', head: 'succeeded', write: 'succeeded' });
    expect(d.result.outcome).toBe('succeeded');
    expect(existing()).toBe('{"y":1}\n'.repeat(3));
  });

  it('writes through a symlink (the link stays), and straight through a FIFO and a device, never replacing them', async () => {
    let fromFifo = '';
    let readerClosed: Promise<unknown> = Promise.resolve();
    const d = await runMarked(
      `stages:
  - run: seq 1 3
  - use: write
    with: { path: link.ndjson }
  - use: write
    with: { path: fifo }
  - use: write
    with: { path: /dev/null }
`,
      {},
      // The reader of the FIFO starts with the run (opening a FIFO waits for the other end).
      (e) => {
        if (e.type !== 'start') return;
        const reader = spawn('cat', [path.join(dir, 'fifo')]);
        readerClosed = new Promise((resolve) => reader.on('close', resolve));
        reader.stdout.on('data', (c: Buffer) => (fromFifo += c.toString()));
      },
      () => {
        fs.symlinkSync('target.ndjson', path.join(dir, 'link.ndjson'));
        execFileSync('mkfifo', [path.join(dir, 'fifo')]);
      },
      // Our own reader is reaped by Node when its 'close' has fired; until then it is a zombie child of this process.
      () => readerClosed,
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(fs.lstatSync(path.join(dir, 'link.ndjson')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'target.ndjson'), 'utf8')).toBe('1\n2\n3\n');
    expect(fs.lstatSync(path.join(dir, 'fifo')).isFIFO()).toBe(true);
    expect(fromFifo).toBe('1\n2\n3\n');
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a `write` killed with SIGKILL leaves no temporary file (the engine removes it) and the file unchanged', async () => {
    const d = await runMarked(
      `stages:
  - name: gen
    run: "seq 1 100000; sleep 30"
  - name: save
    use: write
    with: { path: out.ndjson }
`,
      {},
      (e) => {
        if (e.type === 'status' && e.stage === 'save' && e.status === 'running' && e.pid) {
          // Once its temporary file exists, kill it where it stands.
          const poll = setInterval(() => {
            if (temporaryFiles(dir).length === 0) return;
            clearInterval(poll);
            process.kill(e.pid!, 'SIGKILL');
          }, 5);
        }
      },
    );
    expect(d.result.failedStage).toBe('save');
    expect(d.result.stages[1]!.signal).toBe('SIGKILL');
    expect(existing()).toBe(old);
  });
});

describe('stages under faults', () => {
  it('a stage exiting mid-stream fails the run, blamed, with the output bash gives', async () => {
    const d = await runMarked(`stages:
  - run: seq 1 100000
  - name: quits
    run: head -n 5; exit 3
  - run: cat
`);
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('quits');
    expect(d.output.toString()).toBe(bash('seq 1 100000 | { head -n 5; exit 3; } | cat').toString());
  });

  it('kill -9 of a stage fails the run, blames it with SIGKILL, and takes every other stage down', async () => {
    const d = await runMarked(
      `stages:
  - run: yes
  - name: victim
    run: cat
  - run: "sleep 60 & cat > /dev/null"
`,
      {},
      (e) => {
        if (e.type === 'status' && e.stage === 'victim' && e.status === 'running') process.kill(e.pid!, 'SIGKILL');
      },
    );
    expect(d.result.failedStage).toBe('victim');
    expect(d.result.stages[1]!.signal).toBe('SIGKILL');
    expect(marked(marker)).toEqual([]);
  });

  it('a stage ignoring SIGTERM is still ended on cancel', async () => {
    const d = await runMarked(
      `stages:
  - command: [${JSON.stringify(path.join(fixtures, 'stubborn.sh'))}]
  - run: cat
`,
      {},
      (e, h) => {
        if (e.type === 'stderr' && e.line.includes('started')) h.cancel();
      },
    );
    expect(d.result.outcome).toBe('cancelled');
  });

  it('a stage that never reads stops its writer early, as in bash', async () => {
    const d = await runMarked(`stages:
  - run: yes
  - run: "sleep 0.1; echo done"
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(statusesOf(d).yes).toBe('stopped-early');
    expect(d.output.toString()).toBe(bash('yes | { sleep 0.1; echo done; }').toString());
  });

  it('binary data passes byte for byte, NULs and all', async () => {
    const d = await runMarked(`stages:
  - run: head -c 3000000 /dev/urandom | tee data.bin
  - run: cat
`);
    expect(d.output.equals(fs.readFileSync(path.join(dir, 'data.bin')))).toBe(true);
  });

  it('a stage alone in its segment reports its exact bytes out (not one more)', async () => {
    const d = await runMarked(`stages:
  - run: printf abc
`);
    expect(d.result.stages[0]!.stats.bytesOut).toBe(3);
    const tapped = await runMarked(`stages:\n  - run: printf abc\n  - run: cat\n`, { tap: ['printf'] });
    expect(tapped.result.stages.map((s) => s.stats.bytesOut)).toEqual([3, 3]);
  });
});

describe('cancel at any moment', () => {
  // Cancels after the n-th event (0: right after start, before any process reported): whatever
  // the moment, the run ends cancelled or (if it was quicker) succeeded, and leaves nothing.
  for (const n of [0, 1, 2, 3, 5, 8, 13, 21]) {
    it(`after event ${n}`, async () => {
      let seen = 0;
      const yaml = `stages:
  - run: seq 1 20000
  - run: cat
    workers: 2
  - run: "sleep 10 & cat"
  - use: write
    with: { path: out.ndjson }
`;
      const d = await runMarked(yaml, {}, (_e, h) => {
        if (seen++ === n) h.cancel();
      });
      expect(['cancelled', 'succeeded']).toContain(d.result.outcome);
      // The file is replaced whole (the stages before `write` had all ended well) or not at all;
      // unordered workers may reorder the lines.
      const now = existing();
      const sorted = (text: string) => text.split('\n').sort().join('\n');
      expect([sorted(old), sorted(bash('seq 1 20000').toString())]).toContain(sorted(now));
      expect(d.result.outcome === 'cancelled' || now !== old, 'a run that succeeded replaced the file').toBe(true);
    });
  }

  it('during start: cancelled in the same tick as startRun', async () => {
    dir = scratchDir();
    marker = newMarker();
    const handle = startRun(pipelineOf('stages:\n  - run: yes\n  - run: cat\n    workers: 3\n', dir), { fileDir: dir, env: envWith(marker) });
    handle.cancel();
    const d = await drain(handle);
    expect(d.result.outcome).toBe('cancelled');
    await waitUntilGone(marker);
  });
});

describe('exit statuses', () => {
  it('a program exiting 129–192 on purpose is reported with that exit code, not as a signal', async () => {
    const d = await runMarked(`stages:
  - run: seq 1 3
  - name: odd
    run: "cat; exit 137"
`);
    expect(d.result.failedStage).toBe('odd');
    expect(d.result.stages[1]).toMatchObject({ exitCode: 137 });
    expect(d.result.stages[1]!.signal).toBeUndefined();
    expect(d.result.error?.message).toMatch(/failed with exit code 137/);
  });
});
