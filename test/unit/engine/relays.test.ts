// Runs cut into several segments: edge taps (record counts + peek) and `workers: N`.
import fc from 'fast-check';
import type { Readable, Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { startRun, type RunEvent } from '../../../engine';
import { Dealer, EdgeTap, Merger } from '../../../engine/relay';
import { cutUnits } from '../../../engine/units';
import { bash, drain, expectNothingLeft, fixtures, pipelineOf, processFootprint, run, statusesOf } from './helpers';

let before: ReturnType<typeof processFootprint>;

beforeAll(async () => {
  await run('stages:\n  - run: "true"\n  - run: cat\n    workers: 2\n');
  before = processFootprint();
});

/** Lines of varied length (1..~2000 bytes), each saying its own length: a split or glued line shows. */
const selfChecking = `awk 'BEGIN { for (i = 1; i <= 6000; i++) { s = ""; n = (i * 7919) % 2000; for (j = 0; j < n; j++) s = s "x"; print i ":" n ":" s } }'`;
function checkLine(line: string): void {
  const [, n, s] = /^\d+:(\d+):(x*)$/.exec(line) ?? [];
  expect(s?.length, `a split or glued record: ${line.slice(0, 60)}`).toBe(Number(n));
}

describe('planning', () => {
  it('cuts after tapped stages and around workers; a tap on the last stage needs no relay', () => {
    const s = (workers = 1, tap = false, ordered = false) => ({ workers, tap, ordered });
    expect(cutUnits([s(), s(), s()])).toEqual([{ kind: 'segment', first: 0, last: 2 }]);
    expect(cutUnits([s(), s(1, true), s(), s(1, true)])).toEqual([
      { kind: 'segment', first: 0, last: 1 },
      { kind: 'segment', first: 2, last: 3 },
    ]);
    expect(cutUnits([s(), s(3, true, true), s()])).toEqual([
      { kind: 'segment', first: 0, last: 0 },
      { kind: 'workers', index: 1, copies: 3, ordered: true },
      { kind: 'segment', first: 2, last: 2 },
    ]);
    expect(cutUnits([s(2), s(2)])).toEqual([
      { kind: 'workers', index: 0, copies: 2, ordered: false },
      { kind: 'workers', index: 1, copies: 2, ordered: false },
    ]);
  });

  it('EdgeTap counts records exactly across any chunking and keeps the last 20, capped', () => {
    const lines = Array.from({ length: 500 }, (_, i) => (i % 97 === 0 ? `${i}:${'é'.repeat(5000)}` : `${i}:${'x'.repeat(i % 13)}`));
    const data = Buffer.from(`${lines.join('\n')}\nlast-without-newline`);
    for (const size of [1, 7, 64, 4096, data.length]) {
      const tap = new EdgeTap('s');
      for (let i = 0; i < data.length; i += size) tap.observe(data.subarray(i, i + size));
      tap.end();
      const p = tap.peek();
      expect(p.records).toBe(501);
      expect(p.bytes).toBe(data.length);
      const want = [...lines.slice(-19), 'last-without-newline'].map((l) => l.slice(0, 4096));
      expect(p.samples).toEqual(want);
    }
    const long = new EdgeTap('s');
    long.observe(Buffer.from(`${'€'.repeat(10_000)}\n`));
    expect(long.peek().samples[0]).toBe('€'.repeat(4096));
  });
});

describe('dealer and merger (in memory, any chunking)', () => {
  it('deal whole records and merge them back: in input order when ordered, never split or glued', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, ' ')),
          { minLength: 1, maxLength: 300 },
        ),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (records, ordered, sizes, copies, lastNewline) => {
          const input = Buffer.from(records.join('\n') + (lastNewline ? '\n' : ''));
          const out: Buffer[] = [];
          const errors: string[] = [];
          const merger = new Merger(
            Array.from({ length: copies }, () => () => undefined),
            ordered,
            64,
            (c, what) => errors.push(`${c} ${what}`),
          );
          merger.onData = (c) => out.push(Buffer.from(c));
          // Copies that echo what they got (like cat), in pieces of their own size, at their own pace.
          const got: Buffer[][] = Array.from({ length: copies }, () => []);
          const fake = got.map((_, i) => ({
            destroyed: false,
            writableNeedDrain: false,
            writableLength: 0,
            write: (c: Buffer) => got[i]!.push(Buffer.from(c)),
            end() {},
          }));
          const dealer = new Dealer(fake as unknown as Writable[], ordered ? (c, n) => merger.assigned(c, n) : undefined);
          const echo = (i: number, all = false) => {
            const b = Buffer.concat(got[i]!);
            const cut = all ? b.length : Math.floor(b.length / 2);
            got[i] = [b.subarray(cut)];
            if (cut > 0) merger.data(i, b.subarray(0, cut));
          };
          let off = 0;
          for (let k = 0; off < input.length; k++) {
            const size = sizes[k % sizes.length]!;
            dealer.write(input.subarray(off, off + size));
            off += size;
            echo(k % copies);
          }
          dealer.end();
          for (let i = copies - 1; i >= 0; i--) {
            echo(i, true);
            merger.closed(i);
          }
          expect(errors).toEqual([]);
          const lines = Buffer.concat(out).toString().split('\n').slice(0, -1);
          // Without a final newline, a last empty record is no record at all.
          const want = !lastNewline && records[records.length - 1] === '' ? records.slice(0, -1) : records;
          // Unordered workers may reorder the records, never change them.
          expect(ordered ? lines : [...lines].sort()).toEqual(ordered ? want : [...want].sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ordered: output ahead of its turn is held up to the window, then the early copy is paused', () => {
    const paused = [false, false];
    const streams = paused.map((_, i) => ({ pause: () => (paused[i] = true), resume: () => (paused[i] = false) }));
    const merger = new Merger(
      streams.map((s) => () => s as unknown as Readable),
      true,
      1000,
      () => {},
    );
    const out: string[] = [];
    merger.onData = (c) => out.push(c.toString());
    merger.assigned(0, 1); // line 0 goes to copy 0, which is slow
    for (let k = 1; k <= 100; k++) merger.assigned(1, 1);
    for (let k = 1; k <= 100; k++) {
      merger.data(1, Buffer.from(`${String(k).padStart(99, '.')}\n`));
      expect(merger.heldBytes).toBeLessThanOrEqual(1000 + 100);
      if (merger.heldBytes > 1000) break;
    }
    expect(paused).toEqual([false, true]); // the copy whose output is due next is never paused
    expect(out).toEqual([]);
    merger.data(0, Buffer.from('first\n'));
    expect(out[0]).toBe('first\n');
    expect(out.join('').split('\n').slice(0, -1)).toHaveLength(1 + 11); // first, then the 11 held
    expect(merger.heldBytes).toBe(0);
    expect(paused).toEqual([false, false]);
  });
});

describe('edge taps and peek', () => {
  it('counts records exactly on tapped edges, peek shows real records of that edge, output as bash', async () => {
    const handle = startRun(
      pipelineOf(`stages:
  - name: numbers
    run: seq 1 300000
  - name: sevens
    run: grep 7
    tap: true
  - name: out
    run: sed 's/^/n=/'
`),
      { fileDir: fixtures, tap: ['numbers'] },
    );
    let during: ReturnType<typeof handle.peek>;
    const d = await drain(handle, (e) => {
      if (e.type === 'records' && during === undefined) during = handle.peek('numbers');
    });
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.equals(bash(`seq 1 300000 | grep 7 | sed 's/^/n=/'`))).toBe(true);
    // While running: whole records of that edge (numbers, not n=… and not only sevens).
    expect(during!.records).toBeGreaterThan(0);
    for (const s of during!.samples) expect(s).toMatch(/^\d+$/);
    const numbers = handle.peek('numbers')!;
    expect(numbers.records).toBe(300000);
    expect(numbers.samples).toEqual(Array.from({ length: 20 }, (_, i) => String(299981 + i)));
    const sevens = handle.peek('sevens')!;
    const wantSevens = bash('seq 1 300000 | grep 7').toString().trimEnd().split('\n');
    expect(sevens.records).toBe(wantSevens.length);
    expect(sevens.samples).toEqual(wantSevens.slice(-20));
    expect(handle.peek('out')).toBeUndefined();
    const stats = Object.fromEntries(d.result.stages.map((s) => [s.name, s.stats.recordsOut]));
    expect(stats).toEqual({ numbers: 300000, sevens: wantSevens.length, out: wantSevens.length });
    expectNothingLeft(before, d);
  });

  it('a tap on the last stage uses the records the engine reads anyway', async () => {
    const handle = startRun(pipelineOf('stages:\n  - name: a\n    run: seq 1 50\n  - name: b\n    run: cat\n'), { fileDir: fixtures, tap: ['b'], limit: 30 });
    const d = await drain(handle);
    expect(d.result.records).toBe(30);
    expect(handle.peek('b')).toMatchObject({ records: 30, samples: Array.from({ length: 20 }, (_, i) => String(11 + i)) });
    expectNothingLeft(before, d);
  });

  it('refuses an unknown tap, or one after `to`, before anything starts', async () => {
    const p = pipelineOf('stages:\n  - name: a\n    run: seq 1 5\n  - name: b\n    run: cat\n');
    const d = await drain(startRun(p, { fileDir: fixtures, tap: ['nope'] }));
    expect(d.result.outcome).toBe('refused');
    expect(d.result.error?.message).toMatch(/no stage named `nope` to peek at; the stages are `a`, `b`/);
    expect(d.events.map((e) => e.type)).toEqual(['end']);
    const after = await drain(startRun(p, { fileDir: fixtures, tap: ['b'], to: 'a' }));
    expect(after.result.error?.message).toMatch(/stage `b` does not run when running to `a`/);
  });

  it('early stop across relays: upstream stages stop early (never failed), quietly, nothing left', async () => {
    const d = await run(
      `stages:
  - name: yes
    run: yes
  - name: pass
    run: cat
    tap: true
  - name: first
    run: head -n 5
`,
      { tap: ['yes'] },
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString()).toBe('y\n'.repeat(5));
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', pass: 'stopped-early', first: 'succeeded' });
    expect(d.stderr).toEqual([]);
    expectNothingLeft(before, d);
  });

  it('a failure in a later segment fails the run and ends the earlier ones; cancel ends all within 100 ms', async () => {
    const failed = await run(`stages:
  - name: yes
    run: yes
  - name: pass
    run: cat
    tap: true
  - name: bad
    run: head -n 3 >/dev/null; exit 4
`);
    expect(failed.result).toMatchObject({ outcome: 'failed', failedStage: 'bad' });
    expect(statusesOf(failed).yes).toMatch(/stopped-early|cancelled/);
    expectNothingLeft(before, failed);

    let cancelled = false;
    const handle = startRun(
      pipelineOf('stages:\n  - name: yes\n    run: yes\n  - name: pass\n    run: cat\n    tap: true\n  - name: w\n    run: cat\n    workers: 2\n'),
      { fileDir: fixtures },
    );
    const d = await drain(handle, (e, h) => {
      if (e.type === 'records' && !cancelled) {
        cancelled = true;
        h.cancel();
      }
    });
    expect(d.result.outcome).toBe('cancelled');
    expect(Object.values(statusesOf(d))).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const workerPids = d.result.stages[2]!.stats.workers!.map((w) => w.pid!);
    expect(workerPids).toHaveLength(2);
    expectNothingLeft(before, { ...d, pids: [...d.pids, ...workerPids] });
  });
});

describe('workers', () => {
  it('ordered: output is byte-identical to bash, and every copy did work', async () => {
    const d = await run(
      `stages:
  - name: gen
    run: ${JSON.stringify(selfChecking)}
  - name: work
    run: ${JSON.stringify(`awk -F: '{ print $1 ":" $2 ":" $3 "|" length($3) }'`)}
    workers: 3
    ordered: true
  - name: out
    run: cat
`,
      { reorderWindowBytes: 64 * 1024 },
    );
    expect(d.result.outcome).toBe('succeeded');
    const want = bash(`${selfChecking} | awk -F: '{ print $1 ":" $2 ":" $3 "|" length($3) }'`);
    expect(d.output.length).toBe(want.length);
    expect(d.output.equals(want)).toBe(true);
    const work = d.result.stages[1]!;
    expect(work.status).toBe('succeeded');
    expect(work.stats.workers).toHaveLength(3);
    for (const w of work.stats.workers!) {
      expect(w.status).toBe('succeeded');
      expect(w.exact).toBe(true);
      expect(w.procBytesWritten).toBeGreaterThan(0);
    }
    expect(work.stats.procBytesWritten).toBe(work.stats.workers!.reduce((n, w) => n + w.procBytesWritten, 0));
    // What the merger passed on is the stage's output edge.
    expect(work.stats.bytesOut).toBe(d.output.length);
    // Each copy's own records and bytes, in and out (the run panel's worker rows): together, the stage's.
    const sum = (k: 'recordsIn' | 'recordsOut' | 'bytesIn' | 'bytesOut') => work.stats.workers!.reduce((n, w) => n + w[k]!, 0);
    expect([sum('recordsIn'), sum('bytesIn'), sum('recordsOut'), sum('bytesOut')]).toEqual([
      work.stats.recordsIn,
      work.stats.bytesIn,
      work.stats.recordsOut,
      work.stats.bytesOut,
    ]);
    for (const w of work.stats.workers!) expect(w.recordsOut).toBe(w.recordsIn);
    expectNothingLeft(before, d);
  });

  it('unordered: the same records as bash (sorted), none split or glued', async () => {
    const d = await run(
      `stages:
  - name: gen
    run: ${JSON.stringify(selfChecking)}
  - name: work
    run: cat
    workers: 4
`,
      { tap: ['work'] },
    );
    expect(d.result.outcome).toBe('succeeded');
    const got = d.output.toString().trimEnd().split('\n');
    const want = bash(selfChecking).toString().trimEnd().split('\n');
    got.forEach(checkLine);
    expect([...got].sort()).toEqual([...want].sort());
    expect(d.result.stages[1]!.stats.recordsOut).toBe(6000);
    expect(d.result.stages[1]!.stats.workers!.filter((w) => w.procBytesWritten > 0).length).toBeGreaterThan(1);
    expectNothingLeft(before, d);
  });

  it('a last record without newline stays whole', async () => {
    const d = await run(`stages:\n  - run: printf 'a\\nb\\nc'\n  - run: cat\n    workers: 2\n    ordered: true\n`);
    expect(d.output.toString()).toBe('a\nb\nc\n');
  });

  it('early stop through a workers stage: upstream and copies stop early, the run succeeds', async () => {
    const d = await run(`stages:
  - name: yes
    run: yes
  - name: w
    run: cat
    workers: 2
  - name: first
    run: head -n 5
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString()).toBe('y\n'.repeat(5));
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', w: 'stopped-early', first: 'succeeded' });
    expect(d.result.stages[1]!.stats.workers!.map((w) => w.status)).toEqual(['stopped-early', 'stopped-early']);
    expect(d.stderr).toEqual([]);
    expectNothingLeft(before, d);
  });

  it('limit on a workers stage that is last', async () => {
    const d = await run('stages:\n  - name: yes\n    run: yes\n  - name: w\n    run: cat\n    workers: 2\n', { limit: 10 });
    expect(d.result).toMatchObject({ outcome: 'succeeded', records: 10, stoppedReading: true });
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', w: 'stopped-early' });
    expectNothingLeft(before, d);
  });

  it('a failing copy fails the run, naming the stage and the copy; the rest is ended', async () => {
    const d = await run(`stages:
  - name: numbers
    run: seq 1 100000
  - name: w
    run: awk '$1 == 5000 { print "bad record " $1 > "/dev/stderr"; exit 3 } { print }'
    workers: 2
  - name: out
    run: cat
`);
    expect(d.result).toMatchObject({ outcome: 'failed', failedStage: 'w' });
    expect(d.result.error?.stage).toBe('w');
    expect(d.result.error?.message).toMatch(/stage `w` \(worker [12] of 2\) failed with exit code 3: bad record 5000/);
    expect(statusesOf(d).w).toBe('failed');
    expect(d.stderr).toContainEqual({ stage: 'w', line: 'bad record 5000' });
    expect(d.events.some((e: RunEvent) => e.type === 'stderr' && e.worker !== undefined)).toBe(true);
    expectNothingLeft(before, d);
  });

  it('ordered with a stage that drops or adds lines fails, saying why', async () => {
    const d = await run(`stages:\n  - run: seq 1 200000\n  - name: w\n    run: ${JSON.stringify(`awk 'NR % 2'`)}\n    workers: 2\n    ordered: true\n`);
    expect(d.result).toMatchObject({ outcome: 'failed', failedStage: 'w' });
    expect(d.result.error?.message).toMatch(
      /stage `w` \(worker \d of 2\) wrote \d+ lines fewer than it read; `ordered: true` needs a stage that writes exactly one line per line it reads/,
    );
    expectNothingLeft(before, d);
    const more = await run(`stages:\n  - run: yes\n  - name: w\n    run: ${JSON.stringify(`awk '{ print; print }'`)}\n    workers: 2\n    ordered: true\n`);
    expect(more.result).toMatchObject({ outcome: 'failed', failedStage: 'w' });
    expect(more.result.error?.message).toMatch(/stage `w` \(worker \d of 2\) wrote more lines than it read/);
    const statuses = statusesOf(more);
    expect(['stopped-early', 'cancelled']).toContain(statuses.yes);
    expect(statuses).toEqual({ yes: statuses.yes, w: 'failed' });
    expectNothingLeft(before, { ...more, pids: more.result.stages[1]!.stats.workers!.map((x) => x.pid!) });
  });

  it('a copy over its timeout times the stage out', async () => {
    const d = await run('stages:\n  - run: yes\n  - name: w\n    run: sleep 5\n    workers: 2\n    timeout: 200ms\n');
    expect(d.result).toMatchObject({ outcome: 'failed', failedStage: 'w' });
    expect(statusesOf(d).w).toBe('timed-out');
    expect(d.result.error?.message).toMatch(/stage `w` \(worker \d of 2\) timed out after 200 ms/);
    expectNothingLeft(before, d);
  });

  it('memory stays flat with a slow consumer: backpressure through taps, dealer and merger', async () => {
    const handle = startRun(
      pipelineOf(
        'stages:\n  - name: gen\n    run: yes 0123456789abcdefghij0123456789abcdefghij\n  - name: pass\n    run: cat\n    tap: true\n  - name: w\n    run: cat\n    workers: 2\n    ordered: true\n',
      ),
      { fileDir: fixtures, highWaterBytes: 1024 * 1024, reorderWindowBytes: 256 * 1024 },
    );
    const rss0 = process.memoryUsage().rss;
    let bytes = 0;
    let maxRss = rss0;
    let checksum = 0;
    for await (const e of handle.events) {
      if (e.type !== 'records') continue;
      bytes += e.data.length;
      // A slow reader: real work per chunk, and a turn of the event loop before the next.
      for (let i = 0; i < e.data.length; i += 7) checksum = (checksum + e.data[i]!) | 0;
      await new Promise((r) => setImmediate(r));
      maxRss = Math.max(maxRss, process.memoryUsage().rss);
      if (bytes > 150 * 1024 * 1024) break;
    }
    const result = await handle.result;
    expect(result.error?.message).toBeUndefined();
    expect(result.outcome).toBe('succeeded');
    expect(checksum).not.toBe(0);
    // `yes` alone would outrun this reader by far: without backpressure the engine holds hundreds of MB.
    const gen = result.stages[0]!.stats;
    expect(gen.bytesOut).toBeGreaterThan(150 * 1024 * 1024);
    expect(gen.bytesOut! - bytes).toBeLessThan(32 * 1024 * 1024);
    expect(maxRss - rss0).toBeLessThan(64 * 1024 * 1024);
    expect(handle.peek('pass')!.records).toBeGreaterThan(0);
  });
});
