// Every stat against an oracle: records and bytes on every edge against `wc -l` / `wc -c` of the
// same commands run by bash, peak memory against GNU time, the source file's progress against
// its size. Real processes; pw-segment's counters (engine/native/count.c).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeProgram } from '../../../engine/native-programs';
import { parseControlLine } from '../../../engine/plumbing';
import { headlineSource, sourceFileOf, type SourceProgress } from '../../../engine/progress';
import { planStages } from '../../../engine/preflight';
import { startRun } from '../../../engine';
import { bash, drain, fixtures, pipelineOf, run, statusesOf } from './helpers';

const yamlOf = (stages: string[]) => `stages:\n${stages.map((s) => `  - run: ${JSON.stringify(s)}\n`).join('')}`;
/** Records as the engine counts them: lines, and a last line without newline. */
const recordsOf = (b: Buffer) => b.toString('latin1').split('\n').length - (b.length === 0 || b[b.length - 1] === 10 ? 1 : 0);

/** Peak RSS (KB) of a command as GNU time reports it. */
function gnuTimeKb(...argv: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  return Number(r.stderr.trim().split('\n').pop());
}

const chain = ['seq 1 200000', "awk 'NR % 3'", 'sed -e s/1/xy/', "grep -v '^9'", 'cat'];

describe('edge counts', () => {
  it('records and bytes in and out of every stage match wc -l and wc -c of the same commands', async () => {
    // pw-segment counts (npm run build compiles it; the set-up installs gcc).
    expect(nativeProgram()).toBeDefined();
    const d = await run(yamlOf(chain));
    expect(d.result.outcome).toBe('succeeded');
    // The oracle: bash's output of every prefix of the chain, counted.
    const prefix = chain.map((_, i) => bash(chain.slice(0, i + 1).join(' | ')));
    const counted = (b: Buffer | undefined) => (b === undefined ? [undefined, undefined] : [recordsOf(b), b.length]);
    expect(d.result.stages.map((s) => [s.stats.recordsIn, s.stats.bytesIn, s.stats.recordsOut, s.stats.bytesOut])).toEqual(
      prefix.map((out, i) => [...counted(i > 0 ? prefix[i - 1] : undefined), ...counted(out)]),
    );
    expect(d.result.stages.every((s) => s.stats.recordsPerSec !== undefined && s.stats.recordsPerSec >= 0)).toBe(true);
    expect(d.result.edges.map((e) => [e.from, e.to, e.countedBy, e.ended])).toEqual([
      [0, 1, 'counter', true],
      [1, 2, 'counter', true],
      [2, 3, 'counter', true],
      [3, 4, 'counter', true],
      [4, 'output', 'engine', true],
    ]);
    // The headline is the first edge.
    expect(d.result.progress).toMatchObject({ records: 200000, bytes: d.result.stages[0]!.stats.bytesOut });
  });

  it('counts a last line without newline, and a stage that writes only to stderr writes 0 bytes out', async () => {
    const d = await run(yamlOf(["printf 'a\\nb\\nlast'", 'cat', 'cat']));
    const [printf, cat] = d.result.stages.map((s) => s.stats);
    expect([printf!.recordsOut, printf!.bytesOut, cat!.recordsIn, cat!.recordsOut, cat!.bytesOut]).toEqual([3, 8, 3, 3, 8]);
    const quiet = await run(yamlOf(['echo oops >&2', 'cat']));
    const noisy = quiet.result.stages[0]!.stats;
    expect([noisy.recordsOut, noisy.bytesOut, quiet.result.stages[1]!.stats.recordsIn]).toEqual([0, 0, 0]);
    // Its process wrote the message (to stderr): that is the process total, not output.
    expect(noisy.procBytesWritten).toBe('oops\n'.length);
  });

  it('stops early through the counters as a shell would', async () => {
    const d = await run(yamlOf(['yes', 'cat', 'cat', 'head -n 10']));
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', cat: 'stopped-early', 'cat-2': 'stopped-early', head: 'succeeded' });
    expect(d.output.toString()).toBe('y\n'.repeat(10));
    const head = d.result.stages[3]!.stats;
    // What reached head's pipe is at least what it printed; its output is exact.
    expect(head.recordsIn).toBeGreaterThanOrEqual(10);
    expect([head.recordsOut, head.bytesOut]).toEqual([10, 20]);
    // The result comes once every process of the segment is gone; each edge's counts are final and
    // exact: whole `y` lines, and never more past a stage than went into it.
    expect(d.result.edges.slice(0, 3).every((e) => e.ended && e.bytes === 2 * e.records)).toBe(true);
    const moved = d.result.edges.slice(0, 3).map((e) => e.bytes);
    expect(moved).toEqual([...moved].sort((a, b) => b - a));
    expect(moved[2]).toBe(head.bytesIn);
  });

  it('a counter leaves when its reader does, even while its writer is idle, so the writer gets SIGPIPE', async () => {
    // The writer writes two lines, then waits for its pipe's reader to go away (POLLERR) and
    // writes again. If the counter waited for input before noticing that head left, neither
    // would ever move again: the run would hang until the test's timeout.
    const writer = 'perl -MIO::Poll=POLLERR -e \'$| = 1; print "a\\nb\\n"; my $p = IO::Poll->new; $p->mask(\\*STDOUT => POLLERR); $p->poll; print "c\\n"\'';
    const d = await run(yamlOf([writer, 'head -n 1']));
    expect(statusesOf(d)).toEqual({ perl: 'stopped-early', head: 'succeeded' });
    expect(d.output.toString()).toBe('a\n');
    expect(d.result.edges[0]).toMatchObject({ countedBy: 'counter', ended: true, records: 2, bytes: 4 });
  });
});

describe('edge counts: the rest', () => {
  it('with counts off, edges inside a segment are bare pipes; the output is still counted', async () => {
    const d = await run(yamlOf(['seq 1 1000', 'cat']), { counts: false });
    const [seq, cat] = d.result.stages.map((s) => s.stats);
    expect([seq!.recordsOut, seq!.bytesOut, cat!.recordsIn]).toEqual([undefined, undefined, undefined]);
    expect([cat!.recordsOut, cat!.bytesOut]).toEqual([1000, bash('seq 1 1000').length]);
    expect(d.result.edges[0]!.countedBy).toBeUndefined();
    // The headline falls back to what the first process wrote.
    expect(d.result.progress).toMatchObject({ bytes: bash('seq 1 1000').length });
    expect(d.result.progress?.records).toBeUndefined();
  });

  it('edges around workers and taps are counted by the engine', async () => {
    const d = await run(`stages:\n  - run: seq 1 5000\n    tap: true\n  - run: cat\n    workers: 2\n  - run: wc -l\n`);
    const [seq, work, wc] = d.result.stages.map((s) => s.stats);
    expect([seq!.recordsOut, work!.recordsIn, work!.recordsOut, wc!.recordsIn, wc!.recordsOut]).toEqual([5000, 5000, 5000, 5000, 1]);
    expect(d.result.edges.map((e) => e.countedBy)).toEqual(['engine', 'engine', 'engine']);
  });

  it("peak RSS is the kernel's for the reaped stage: within 10 % of GNU time", async () => {
    const grow = `perl -e '$x = "a" x 40_000_000; print length($x), "\\n"'`;
    const d = await run(yamlOf([grow, 'cat']));
    const engine = d.result.stages[0]!.stats.maxRssKb;
    const oracle = gnuTimeKb('/bin/sh', '-c', `${grow} >/dev/null`);
    expect(oracle).toBeGreaterThan(40_000);
    expect(Math.abs(engine - oracle) / oracle).toBeLessThan(0.1);
    // A short stage too (sampling missed those): never below the program's own peak. pw-segment
    // execs the program straight from its fork, so the figure is the program's, as GNU time's is.
    // A short process's own peak varies from run to run (GNU time gives 1.4–1.7 MB for
    // `cat /dev/null` here): the bounds are GNU time's spread, widened by 10 %.
    const spread = (...argv: string[]) => {
      const kb = Array.from({ length: 5 }, () => gnuTimeKb(...argv));
      return { min: Math.min(...kb), max: Math.max(...kb) };
    };
    const alone = spread('cat', '/dev/null');
    const short = await run(yamlOf(['echo hi', 'cat']));
    const cat = short.result.stages[1]!.stats.maxRssKb;
    expect(cat).toBeGreaterThanOrEqual(alone.min * 0.9);
    expect(cat).toBeLessThanOrEqual(alone.max * 1.1);
  });

  it('a first stage reading a file of known size reports its progress to 100 %', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-progress-'));
    try {
      const file = path.join(dir, 'data.txt');
      fs.writeFileSync(file, 'x'.repeat(99) + '\n'.repeat(1) + 'line\n'.repeat(20000));
      const size = fs.statSync(file).size;
      const d = await run(yamlOf([`cat ${file}`, 'wc -l']), { statsIntervalMs: 20 });
      expect(d.result.progress?.source).toMatchObject({ file, size, position: size, percent: 100 });
      expect(d.result.progress?.bytes).toBe(size);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a first stage whose file the plan does not name (a $VAR, a script with a pipe): found among its open files, to 100 %', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-progress-'));
    try {
      const file = path.join(dir, 'data.txt');
      fs.writeFileSync(file, 'line\n'.repeat(200_000));
      const size = fs.statSync(file).size;
      const gate = path.join(dir, 'gate');
      expect(spawnSync('mkfifo', [gate]).status).toBe(0);
      // It holds the file open, 1000 bytes in, until the test opens the gate: no timing involved.
      const script = `F=${file}; exec 3<"$F"; head -c 1000 <&3 > /dev/null; read -r go < ${gate}; cat <&3 | cat`;
      let seen: { file: string; size: number; percent: number } | undefined;
      let ticks = 0;
      const d = await drain(startRun(pipelineOf(yamlOf([script, 'wc -l'])), { fileDir: fixtures, statsIntervalMs: 20 }), (e) => {
        if (e.type !== 'stats' || ticks < 0) return;
        seen = e.progress.source;
        // Opened once the file is seen (or, that failing, after 100 ticks: the test then fails, nothing hangs).
        if (seen || ++ticks >= 100) {
          ticks = -1;
          void fs.promises.writeFile(gate, 'go\n');
        }
      });
      expect(seen).toMatchObject({ file, size });
      expect(seen!.percent).toBeLessThan(100);
      expect(d.output.toString().trim()).toBe(String(200_000 - 200));
      expect(d.result.progress?.source).toMatchObject({ file, size, position: size, percent: 100 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a later stage reading a file has % too, in its own stats and the headline; a file made during the run is not an input', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-progress-'));
    try {
      const file = path.join(dir, 'lookup.txt');
      fs.writeFileSync(file, 'line\n'.repeat(100_000));
      const size = fs.statSync(file).size;
      const fresh = path.join(dir, 'fresh.txt');
      const gate = path.join(dir, 'gate');
      expect(spawnSync('mkfifo', [gate]).status).toBe(0);
      // The second stage writes a bigger file of its own and holds both open, 1000 bytes into the
      // old one, until the test opens the gate. Only the old one is an input.
      const script = `seq 1 300000 > ${fresh}; exec 4<${fresh}; exec 3<${file}; head -c 1000 <&3 > /dev/null; read -r go < ${gate}; cat - <&3`;
      let seen: { stage?: SourceProgress; headline?: SourceProgress } | undefined;
      let ticks = 0;
      const d = await drain(startRun(pipelineOf(yamlOf(['echo first', script, 'wc -l'])), { fileDir: fixtures, statsIntervalMs: 20 }), (e) => {
        if (e.type !== 'stats' || ticks < 0) return;
        const stage = e.stages[1]!.source;
        if (stage || ++ticks >= 100) {
          seen = { ...(stage ? { stage } : {}), ...(e.progress.source ? { headline: e.progress.source } : {}) };
          ticks = -1;
          void fs.promises.writeFile(gate, 'go\n');
        }
      });
      expect(seen?.stage).toMatchObject({ file, size });
      expect(seen!.stage!.percent).toBeLessThan(100);
      expect(seen!.headline).toEqual(seen!.stage);
      expect(d.result.stages[0]!.stats.source).toBeUndefined();
      expect(d.output.toString().trim()).toBe(String(100_000 - 200));
      expect(d.result.stages[1]!.stats.source).toMatchObject({ file, size, position: size, percent: 100 });
      expect(d.result.progress?.source).toMatchObject({ file, size, percent: 100 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the headline takes the file read with the most time left; all read, the first', () => {
    const at = (file: string, percent: number, etaMs?: number): SourceProgress => ({
      file,
      size: 100,
      position: percent,
      percent,
      ...(etaMs !== undefined ? { etaMs } : {}),
    });
    expect(headlineSource([])).toBeUndefined();
    expect(headlineSource([undefined, at('a', 50, 1000), at('b', 10, 9000)])?.file).toBe('b');
    expect(headlineSource([at('a', 100, 0), at('b', 10, 9000)])?.file).toBe('b');
    // Just found, no ETA yet: it may be the longest.
    expect(headlineSource([at('a', 50, 1000), at('b', 1)])?.file).toBe('b');
    expect(headlineSource([at('a', 100, 0), undefined, at('b', 100, 0)])?.file).toBe('a');
  });

  it('finds the source file from the plan alone: read, cat FILE, < FILE', () => {
    const data = path.join(fixtures, 'source.txt');
    fs.writeFileSync(data, 'a\nb\n');
    try {
      const first = (stage: string) => {
        const planned = planStages(pipelineOf(`stages:\n  - ${stage}\n`), { fileDir: fixtures, env: process.env });
        if ('error' in planned) throw new Error(planned.error.message);
        return sourceFileOf(planned.stages[0]!)?.file;
      };
      expect(first('run: cat source.txt')).toBe(data);
      expect(first('run: jq -c . < source.txt')).toBe(data);
      expect(first('command: [cat, source.txt]')).toBe(data);
      expect(first('use: read\n    with: { path: source.txt }')).toBe(data);
      // Not a plain read of one file: no percentage.
      expect(first('run: cat source.txt source.txt')).toBeUndefined();
      expect(first('run: cat $F')).toBeUndefined();
      expect(first('run: head -n 1 source.txt')).toBeUndefined();
      expect(first('run: cat source.txt | sort')).toBeUndefined();
      expect(first('run: cat missing.txt')).toBeUndefined();
    } finally {
      fs.rmSync(data, { force: true });
    }
  });

  it("parses the counters' and the wrappers' control lines", () => {
    expect(parseControlLine('edge 2 10 300')).toEqual({ kind: 'edge', index: 2, records: 10, bytes: 300, end: false });
    expect(parseControlLine('edge 2 10 300 end')).toEqual({ kind: 'edge', index: 2, records: 10, bytes: 300, end: true });
    expect(parseControlLine('edge 2 x 300')).toBeUndefined();
    expect(parseControlLine('done 0 0 1 2 3 4 1795309507.5 exit 1640')).toMatchObject({ kind: 'done', signaled: false, maxRssKb: 1640, at: 1795309507500 });
  });
});
