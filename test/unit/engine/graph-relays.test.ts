// Workers and taps inside graphs (fan-out, fan-in): outputs against bash's tee and process
// substitution, exact counts on every edge, peeking, early stop on one branch, a failing branch,
// cancel with every branch running, and nothing left behind (graph-helpers.ts checks that).
import { describe, expect, it } from 'vitest';
import type { EdgePeek } from '../../../engine';
import { bash, statusesOf } from './helpers';
import { cancelOnceRunning, edgeRecords, graphRunner, sortedLines } from './graph-helpers';

const graphs = graphRunner();

describe('workers in a graph', () => {
  it('on a fan-out branch read by a fan-in: the same multiset as bash, every edge counted', async () => {
    const d = await graphs.run(`stages:
  - name: numbers
    run: seq 1 50000
  - name: double
    workers: 3
    run: awk '{ print $1 * 2 }'
  - name: count
    input: numbers
    run: wc -l
  - name: both
    input: [double, count]
    run: cat
`);
    expect(d.result.outcome).toBe('succeeded');
    // The process substitution holds the pipe to `cat` on its stderr: `cat` ends when it has ended.
    const expected = bash(`{ seq 1 50000 | tee >(wc -l > c) | awk '{ print $1 * 2 }' > a; } 2>&1 | cat; cat a c`, graphs.dir);
    expect(sortedLines(d.output)).toEqual(sortedLines(expected));
    expect(edgeRecords(d)).toEqual({ '0>1': 50000, '0>2': 50000, '1>3': 50000, '2>3': 1, '3>output': 50001 });
    const double = d.result.stages[1]!.stats;
    expect([double.recordsIn, double.recordsOut, double.workers?.length]).toEqual([50000, 50000, 3]);
  });

  it('ordered, as the last stage of a fan-out: byte for byte, with another branch unread', async () => {
    const d = await graphs.run(`stages:
  - name: numbers
    run: seq 1 30000
  - name: side
    run: wc -l
  - name: square
    input: numbers
    workers: 3
    ordered: true
    run: awk '{ print $1 * $1 }'
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.equals(bash(`seq 1 30000 | awk '{ print $1 * $1 }'`, graphs.dir))).toBe(true);
    expect(edgeRecords(d)).toEqual({ '0>1': 30000, '0>2': 30000, '2>output': 30000 });
  });

  it('reading a fan-in and fanning out itself', async () => {
    const d = await graphs.run(`stages:
  - name: go
    run: seq 1 1000
  - name: odd
    run: awk '$1 % 2'
  - name: even
    input: go
    run: awk '$1 % 2 == 0'
  - name: ten
    input: [odd, even]
    workers: 2
    run: awk '{ print $1 * 10 }'
  - name: small
    run: awk '$1 <= 5000'
  - name: big
    input: ten
    run: awk '$1 > 5000'
  - name: all
    input: [small, big]
    run: sort -n
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.equals(bash(`seq 10 10 10000`, graphs.dir))).toBe(true);
    expect(edgeRecords(d)).toMatchObject({ '1>3': 500, '2>3': 500, '3>4': 1000, '3>5': 1000, '4>6': 500, '5>6': 500, '6>output': 1000 });
  });

  it('stops early when its branch has enough, and the writer when every branch has', async () => {
    const d = await graphs.run(`stages:
  - name: endless
    run: yes
  - name: copy
    workers: 2
    run: cat
  - name: five
    run: head -n 5
  - name: three
    input: endless
    run: head -n 3
  - name: both
    input: [five, three]
    run: cat
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString()).toBe('y\n'.repeat(8));
    expect(statusesOf(d)).toEqual({ endless: 'stopped-early', copy: 'stopped-early', five: 'succeeded', three: 'succeeded', both: 'succeeded' });
  });

  it('a failing copy fails the run and ends the other branches', async () => {
    const d = await graphs.run(`stages:
  - name: endless
    run: yes
  - name: work
    workers: 2
    run: awk 'NR == 1000 { exit 3 } 1'
  - name: other
    input: endless
    run: cat
  - name: both
    input: [work, other]
    run: wc -l
`);
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('work');
    expect(statusesOf(d)).toMatchObject({ work: 'failed', other: 'cancelled' });
  });
});

describe('taps in a graph', () => {
  it('peeks at a stage whose output fans out: every record, the last ones, the same bytes out', async () => {
    let peek: EdgePeek | undefined;
    let evens: EdgePeek | undefined;
    const d = await graphs.run(
      `stages:
  - name: numbers
    run: seq 1 1000
    tap: true
  - name: evens
    run: awk '$1 % 2 == 0'
  - name: odds
    input: numbers
    run: awk '$1 % 2'
  - name: both
    input: [evens, odds]
    run: sort -n
`,
      (e, h) => {
        if (e.type !== 'end') return;
        peek = h.peek('numbers');
        evens = h.peek('evens');
      },
      { tap: ['evens'] },
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.equals(bash('seq 1 1000', graphs.dir))).toBe(true);
    expect(edgeRecords(d)).toEqual({ '0>1': 1000, '0>2': 1000, '1>3': 500, '2>3': 500, '3>output': 1000 });
    expect(peek?.records).toBe(1000);
    expect(peek?.samples).toEqual(Array.from({ length: 20 }, (_, i) => String(981 + i)));
    expect(evens?.records).toBe(500);
    expect(evens?.samples.at(-1)).toBe('1000');
  });

  it('a tapped writer stops early only when every branch has enough', async () => {
    const d = await graphs.run(
      `stages:
  - name: endless
    run: yes
    tap: true
  - name: two
    run: head -n 2
  - name: three
    input: endless
    run: head -n 3
  - name: both
    input: [two, three]
    run: cat
`,
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString()).toBe('y\n'.repeat(5));
    expect(statusesOf(d)).toMatchObject({ endless: 'stopped-early', two: 'succeeded', three: 'succeeded' });
  });

  it('--limit stops a graph with workers and taps early', async () => {
    const d = await graphs.run(
      `stages:
  - name: endless
    run: yes
    tap: true
  - name: copy
    workers: 2
    run: cat
  - name: other
    input: endless
    run: cat
  - name: both
    input: [copy, other]
    run: cat
`,
      undefined,
      { limit: 7 },
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString()).toBe('y\n'.repeat(7));
  });

  it('with counts off: the same records, counted where the engine relays them', async () => {
    const d = await graphs.run(
      `stages:
  - name: numbers
    run: seq 1 5000
    tap: true
  - name: double
    workers: 2
    run: awk '{ print $1 * 2 }'
  - name: count
    input: numbers
    run: wc -l
  - name: both
    input: [double, count]
    run: cat
`,
      undefined,
      { counts: false },
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(sortedLines(d.output)).toEqual(sortedLines(bash(`{ seq 1 5000 | tee >(wc -l > c) | awk '{ print $1 * 2 }' > a; } 2>&1 | cat; cat a c`, graphs.dir)));
    // Counted where the engine passes the bytes on anyway: into `double` and out of it (it has workers).
    expect(d.result.edges.map((e) => [`${e.from}>${e.to}`, e.countedBy ?? null, e.records])).toEqual([
      ['0>1', 'engine', 5000],
      ['0>2', null, 0],
      ['1>3', 'engine', 5000],
      ['2>3', null, 0],
      ['3>output', 'engine', 5001],
    ]);
  });

  it('cancel with every branch running (workers on one, a tap on the other) ends them all', async () => {
    const d = await graphs.run(
      `stages:
  - name: endless
    run: yes
  - name: copy
    workers: 2
    run: cat
  - name: tapped
    input: endless
    run: cat
    tap: true
  - name: both
    input: [copy, tapped]
    run: cat > /dev/null
`,
      cancelOnceRunning(4),
    );
    expect(d.result.outcome).toBe('cancelled');
    expect(Object.values(statusesOf(d))).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });
});
