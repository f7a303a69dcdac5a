// Stages on other hosts inside graphs (fan-out, fan-in), against real sshd servers on 127.0.0.1
// (sshd.ts): the same records as bash, exact counts on every edge, a tap and workers on hosts,
// early stop on one branch, a failing branch, cancel with every branch running, and nothing left
// on either side (graph-helpers.ts; the marker reaches the hosts through the pipeline's env).
import { describe, expect, it } from 'vitest';
import type { EdgePeek } from '../../../../engine';
import { markerVariable } from '../faults/marker';
import { cancelOnceRunning, edgeRecords, graphRunner, sortedLines } from '../graph-helpers';
import { bash, statusesOf } from '../helpers';
import { sshdsForFile } from './servers';
import { haveSshd, type Sshd } from './sshd';

let box: Sshd;
let box2: Sshd;

sshdsForFile(2, (_keys, [a, b]) => {
  box = a!;
  box2 = b!;
});

const graphs = graphRunner();
/** The pipeline's head: both hosts, and the marker in the env every stage gets, here and there. */
const head = (marker: string) => `hosts:\n  box: ${box.entry()}\n  box2: ${box2.entry()}\nenv: { ${markerVariable}: "${marker}" }\n`;

describe.runIf(haveSshd)('stages on other hosts in a graph', () => {
  it('a tapped branch on a host and workers over two hosts, merged: the same multiset as bash, every edge counted', async () => {
    let peek: EdgePeek | undefined;
    const d = await graphs.run(
      (marker) => `${head(marker)}stages:
  - name: numbers
    run: seq 1 20000
  - name: square
    on: box
    tap: true
    run: awk '{ print $1 * $1 }'
  - name: triple
    input: numbers
    on: [box, box2]
    workers: 2
    run: awk '{ print $1 * 3 }'
  - name: both
    input: [square, triple]
    run: cat
`,
      (e, h) => {
        if (e.type === 'end') peek = h.peek('square');
      },
    );
    expect(d.result.outcome).toBe('succeeded');
    const expected = bash(`{ seq 1 20000 | tee >(awk '{ print $1 * 3 }' > t) | awk '{ print $1 * $1 }' > s; } 2>&1 | cat; cat s t`, graphs.dir);
    expect(sortedLines(d.output)).toEqual(sortedLines(expected));
    expect(edgeRecords(d)).toEqual({ '0>1': 20000, '0>2': 20000, '1>3': 20000, '2>3': 20000, '3>output': 40000 });
    const [, square, triple] = d.result.stages.map((s) => s.stats);
    expect([square!.host, triple!.host]).toEqual(['box', 'box, box2']);
    expect([square!.recordsIn, square!.recordsOut, triple!.recordsIn, triple!.recordsOut]).toEqual([20000, 20000, 20000, 20000]);
    expect(peek?.records).toBe(20000);
    expect(peek?.samples.at(-1)).toBe(String(20000 * 20000));
  });

  it('a host stage reading a fan-in and fanning out, and the last stage on a host: byte for byte', async () => {
    const d = await graphs.run(
      (marker) => `${head(marker)}stages:
  - name: go
    run: seq 1 1000
  - name: odd
    run: awk '$1 % 2'
  - name: even
    input: go
    run: awk '$1 % 2 == 0'
  - name: ten
    input: [odd, even]
    on: box
    run: awk '{ print $1 * 10 }'
  - name: small
    run: awk '$1 <= 5000'
  - name: big
    input: ten
    run: awk '$1 > 5000'
  - name: all
    input: [small, big]
    on: box2
    run: sort -n
`,
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.equals(bash('seq 10 10 10000', graphs.dir))).toBe(true);
    expect(edgeRecords(d)).toEqual({ '0>1': 1000, '0>2': 1000, '1>3': 500, '2>3': 500, '3>4': 1000, '3>5': 1000, '4>6': 500, '5>6': 500, '6>output': 1000 });
  });

  it('stops a host stage early when its branch has enough, and the writer when every branch has', async () => {
    const d = await graphs.run(
      (marker) => `${head(marker)}stages:
  - name: endless
    run: yes
  - name: copy
    on: box
    run: cat
  - name: five
    run: head -n 5
  - name: three
    input: endless
    run: head -n 3
  - name: both
    input: [five, three]
    run: cat
`,
    );
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString()).toBe('y\n'.repeat(8));
    expect(statusesOf(d)).toEqual({ endless: 'stopped-early', copy: 'stopped-early', five: 'succeeded', three: 'succeeded', both: 'succeeded' });
  });

  it('a failing host stage fails the run and ends the other branches', async () => {
    const d = await graphs.run(
      (marker) => `${head(marker)}stages:
  - name: endless
    run: yes
  - name: work
    on: box
    run: awk 'NR == 1000 { exit 3 } 1'
  - name: other
    input: endless
    run: cat
  - name: both
    input: [work, other]
    run: wc -l
`,
    );
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('work');
    expect(statusesOf(d)).toMatchObject({ work: 'failed', other: 'cancelled' });
  });

  it('cancel with every branch running ends them all, here and on the host', async () => {
    const d = await graphs.run(
      (marker) => `${head(marker)}stages:
  - name: endless
    run: yes
  - name: far
    on: box
    run: cat
  - name: near
    input: endless
    run: cat
  - name: both
    input: [far, near]
    run: cat > /dev/null
`,
      cancelOnceRunning(4),
    );
    expect(d.result.outcome).toBe('cancelled');
    expect(Object.values(statusesOf(d))).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });
});
