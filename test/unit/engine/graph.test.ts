// Graphs (fan-out, fan-in) on real pipes: outputs against bash's tee and process substitution
// (byte for byte where the order is defined, as sorted multisets where a fan-in merges), every
// edge counted, early stop on one branch, a failing branch, cancel with every branch running,
// and nothing left behind: no process, no fd, no file in TMPDIR.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bash, statusesOf } from './helpers';
import { accessLog as data, cancelOnceRunning, edgeRecords, graphRunner, sortedLines } from './graph-helpers';

const graphs = graphRunner();
const runGraph = graphs.run;

// The copy to each reader: pw-segment's copier, counting each reader's edge, or not (counts off).
const copiers = [
  { copier: 'the counting copier', options: {} },
  { copier: 'the plain copier (counts off)', options: { counts: false } },
];

describe.each(copiers)('fan-out through $copier', ({ options }) => {
  const counted = options.counts !== false;
  const run = (yaml: string) => runGraph(yaml, undefined, options);

  it('gives every reader every record: the same bytes as bash tee >(…) | …, every edge counted', async () => {
    const d = await run(`stages:
  - name: read
    run: cat ${data}
  - name: keep
    use: write
    with: { path: kept.ndjson }
  - name: failing
    input: read
    command: [jq, -c, "select(.status >= 500)"]
`);
    expect(d.result.outcome).toBe('succeeded');
    const kept = fs.readFileSync(path.join(graphs.dir, 'kept.ndjson'));
    const expected = bash(`cat ${data} | tee >(cat > "${graphs.dir}/bash-kept") | jq -c 'select(.status >= 500)'`, graphs.dir);
    expect(d.output.equals(expected)).toBe(true);
    expect(kept.equals(fs.readFileSync(data))).toBe(true);
    const failing = expected.toString().split('\n').length - 1;
    if (!counted) return;
    expect(edgeRecords(d)).toEqual({ '0>1': 400, '0>2': 400, '2>output': failing });
    expect(d.result.stages.map((s) => [s.name, s.stats.recordsIn ?? null])).toEqual([
      ['read', null],
      ['keep', 400],
      ['failing', 400],
    ]);
  });

  it('drops a reader that finishes early and goes on with the others', async () => {
    const d = await run(`stages:
  - name: numbers
    run: seq 1 200000
  - name: first
    run: head -n 2
  - name: all
    input: numbers
    run: wc -l
  - name: both
    input: [first, all]
    run: sort -n
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(statusesOf(d)).toEqual({ numbers: 'succeeded', first: 'succeeded', all: 'succeeded', both: 'succeeded' });
    expect(d.output.toString()).toBe('1\n2\n200000\n');
    if (!counted) return;
    // The branch that stopped got what went into its pipe before head left; the other got all.
    const edges = edgeRecords(d);
    expect(edges['0>2']).toBe(200000);
    expect(edges['0>1']).toBeGreaterThanOrEqual(2);
    expect(edges['0>1']).toBeLessThanOrEqual(200000);
  });

  it('gives every record to each of 70 readers (more than any fixed table of them)', async () => {
    const readers = Array.from({ length: 70 }, (_, i) => `r${i}`);
    const d = await run(`stages:
  - name: numbers
    run: seq 1 1000
${readers.map((r) => `  - name: ${r}\n    input: numbers\n    run: wc -l\n`).join('')}  - name: all
    input: [${readers.join(', ')}]
    run: uniq -c
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString().trim().split(/\s+/)).toEqual(['70', '1000']);
  });

  it('gives three readers every record, whatever the last line ends with', async () => {
    const d = await run(`stages:
  - name: lines
    run: printf 'a\\nb\\nno newline'
  - name: one
    run: cat
  - name: two
    input: lines
    run: cat
  - name: three
    input: lines
    run: wc -c
  - name: all
    input: [one, two, three]
    run: sort
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(sortedLines(d.output)).toEqual(['14', 'a', 'a', 'b', 'b', 'no newline', 'no newline'].sort());
    if (!counted) return;
    expect(edgeRecords(d)).toMatchObject({ '0>1': 3, '0>2': 3, '0>3': 3 });
  });

  it('stops the writer early only when every reader is gone', async () => {
    const d = await run(`stages:
  - name: endless
    run: yes
  - name: a
    run: head -n 2
  - name: b
    input: endless
    run: head -n 3
  - name: both
    input: [a, b]
    run: cat
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(statusesOf(d)).toMatchObject({ endless: 'stopped-early', a: 'succeeded', b: 'succeeded' });
    expect(d.output.toString()).toBe('y\n'.repeat(5));
  });
});

/** The access log read once, two jq filters on it, both merged: the fan-in of the examples. */
const failingAndSlow = `stages:
  - name: read
    run: cat ${data}
  - name: failing
    command: [jq, -c, "select(.status >= 500)"]
  - name: slow
    input: read
    command: [jq, -c, "select(.ms > 1000)"]
  - name: both
    input: [failing, slow]
    run: cat
`;

describe('fan-in', () => {
  it('merges whole records: the same multiset as bash, and the edges add up', async () => {
    const d = await runGraph(failingAndSlow);
    expect(d.result.outcome).toBe('succeeded');
    // The process substitution holds the pipe to `cat` on its stderr: `cat` ends when it has ended.
    const expected = bash(`{ cat ${data} | tee >(jq -c 'select(.status >= 500)' > a) | jq -c 'select(.ms > 1000)' > b; } 2>&1 | cat; cat a b`, graphs.dir);
    expect(sortedLines(d.output)).toEqual(sortedLines(expected));
    const e = edgeRecords(d);
    expect(e['1>3']! + e['2>3']!).toBe(sortedLines(expected).length);
    expect(d.result.stages.find((s) => s.name === 'both')!.stats.recordsIn).toBe(sortedLines(expected).length);
  });

  it('never splices a line from two writers, however long the lines', async () => {
    const d = await runGraph(`stages:
  - name: go
    run: echo go
  - name: as
    run: perl -e 'print "a" x 300000, "\\n" for 1..40'
  - name: bs
    input: go
    run: perl -e 'print "b" x 300000, "\\n" for 1..40'
  - name: both
    input: [as, bs]
    run: cat
`);
    expect(d.result.outcome).toBe('succeeded');
    const lines = d.output.toString().split('\n').slice(0, -1);
    expect(lines.length).toBe(80);
    expect(lines.every((l) => l === 'a'.repeat(300000) || l === 'b'.repeat(300000))).toBe(true);
  });
});

describe('failures and cancel', () => {
  it('a failing branch fails the run and ends the others', async () => {
    const d = await runGraph(`stages:
  - name: endless
    run: yes
  - name: bad
    run: head -n 5 >/dev/null; exit 3
  - name: good
    input: endless
    run: cat
  - name: both
    input: [bad, good]
    run: wc -l
`);
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('bad');
    expect(statusesOf(d)).toMatchObject({ bad: 'failed', good: 'cancelled' });
  });

  it('cancel with every branch running ends them all', async () => {
    const d = await runGraph(
      `stages:
  - name: endless
    run: yes
  - name: left
    run: cat
  - name: right
    input: endless
    run: cat
  - name: both
    input: [left, right]
    run: cat > /dev/null
`,
      cancelOnceRunning(4),
    );
    expect(d.result.outcome).toBe('cancelled');
    expect(Object.values(statusesOf(d))).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('--to runs a stage and the stages it reads from only', async () => {
    const d = await runGraph(failingAndSlow, undefined, { to: 'slow' });
    expect(d.result.stages.map((s) => s.name)).toEqual(['read', 'slow']);
    expect(d.output.equals(bash(`cat ${data} | jq -c 'select(.ms > 1000)'`, graphs.dir))).toBe(true);
  });
});
