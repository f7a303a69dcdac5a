import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startRun, type StatusEvent } from '../../../engine';
import { bash, drain, expectNothingLeft, fixtures, pipelineOf, processFootprint, run, statusesOf } from './helpers';

let before: ReturnType<typeof processFootprint>;

beforeAll(async () => {
  // Warm up: Node opens its own fds (epoll, signal pipes) on the first spawn.
  await run('stages:\n  - run: "true"\n');
  before = processFootprint();
});

describe('output is byte-identical to bash', () => {
  it('for a grep/sed chain with run and command stages', async () => {
    const d = await run(`stages:
  - run: seq 1 200000
  - run: grep -v 3
  - command: [sed, -e, "s/1/one/g"]
  - command: [awk, '{ print NR ": " $0 }']
`);
    expect(d.result.outcome).toBe('succeeded');
    const want = bash(`seq 1 200000 | grep -v 3 | sed -e 's/1/one/g' | awk '{ print NR ": " $0 }'`);
    expect(d.output.equals(want)).toBe(true);
    expect(d.result.records).toBe(want.toString().split('\n').length - 1);
    expect(d.result.bytes).toBe(want.length);
    expectNothingLeft(before, d);
  });

  it('for binary output without a final newline', async () => {
    const file = path.join(os.tmpdir(), `pipewright-engine-random-${process.pid}.bin`);
    const d = await run(`stages:
  - run: head -c 3000000 /dev/urandom > ${file}; cat ${file}
  - run: cat
  - command: [head, -c, "2999999"]
`);
    expect(d.result.outcome).toBe('succeeded');
    const want = fs.readFileSync(file).subarray(0, 2999999);
    expect(d.output.equals(want)).toBe(true);
    fs.rmSync(file);
    expectNothingLeft(before, d);
  });

  it('for arguments with quotes, spaces, $ and newlines (no shell on command:)', async () => {
    const tricky = [`it's`, 'two words', '$HOME', '`date`', 'a\nb', '"quoted"', '*', ''];
    const d = await run(`stages:
  - command: [printf, "%s|", ${tricky.map((t) => JSON.stringify(t)).join(', ')}]
`);
    expect(d.output.toString()).toBe(tricky.map((t) => `${t}|`).join(''));
  });

  it('with per-stage env and working directory, without the values in any command line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-cwd-'));
    const secret = `s3cr3t-${process.pid}`;
    const handle = startRun(
      pipelineOf(`env: { SHARED: pipeline-value, TOKEN: ${secret} }
stages:
  - command: [./print-env.sh, SHARED, OWN, TOKEN]
    env: { OWN: "it's \${SHARED}" }
  - run: cat; sleep 0.2
  - command: [${JSON.stringify(path.join(fixtures, 'print-env.sh'))}, OWN]
    cwd: ${dir}
`),
      { fileDir: fixtures },
    );
    let sawCmdline = false;
    const withSecret: string[] = [];
    const d = await drain(handle, (e) => {
      if (e.type !== 'status' || e.status !== 'running' || e.pid === undefined) return;
      // While running: no process of the run shows the secret in its command line.
      for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        let cmdline: string;
        try {
          cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'latin1');
        } catch {
          continue; // gone
        }
        // The program running the segment lives as long as the run (a stage may be gone already).
        if (/pw-segment|__PW_|print-env\.sh/.test(cmdline)) sawCmdline = true;
        if (cmdline.includes(secret)) withSecret.push(cmdline);
      }
    });
    expect(sawCmdline).toBe(true);
    expect(withSecret).toEqual([]);
    // The last stage prints its own cwd and OWN (unset there); the first one's lines were consumed by cat → print-env ignores stdin.
    expect(d.output.toString()).toBe(`${dir}\nOWN=\n`);
    const first = await run(`env: { SHARED: pipeline-value }
stages:
  - command: [./print-env.sh, SHARED, OWN]
    env: { OWN: "it's \${SHARED}" }
`);
    expect(first.output.toString()).toBe(`${fixtures}\nSHARED=pipeline-value\nOWN=it's pipeline-value\n`);
    fs.rmSync(dir, { recursive: true });
    expectNothingLeft(before, d);
  });
});

describe('early stop', () => {
  it('yes | cat | cat | head: upstream stages stop early, quietly, and the run succeeds', async () => {
    const d = await run(`stages:
  - run: yes
  - run: cat
  - command: [cat]
  - run: head -n 10
`);
    expect(d.output.toString()).toBe('y\n'.repeat(10));
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', cat: 'stopped-early', 'cat-2': 'stopped-early', head: 'succeeded' });
    expect(d.result.stages.slice(0, 3).map((s) => s.signal)).toEqual(['SIGPIPE', 'SIGPIPE', 'SIGPIPE']);
    expect(d.result.outcome).toBe('succeeded');
    expect(d.stderr).toEqual([]);
    expectNothingLeft(before, d);
  });

  it('hides broken-pipe noise of programs that report EPIPE instead of dying of SIGPIPE', async () => {
    const d = await run(`stages:
  - run: yes
  - command: [python3, -c, "import sys\\nfor line in sys.stdin: sys.stdout.write(line)"]
  - run: head -n 2
`);
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', python3: 'stopped-early', head: 'succeeded' });
    expect(d.stderr).toEqual([]);
    expect(d.result.stages[1]!.stderrTail.join('\n')).toMatch(/BrokenPipeError/);
    expect(d.result.outcome).toBe('succeeded');
  });

  it('handles a stage that never reads its stdin', async () => {
    const d = await run(`stages:
  - run: yes
  - run: echo never read
`);
    expect(d.output.toString()).toBe('never read\n');
    expect(statusesOf(d)).toEqual({ yes: 'stopped-early', echo: 'succeeded' });
    expectNothingLeft(before, d);
  });

  it('limit: stops after N records, upstream stopped early, output cut at a record boundary', async () => {
    const d = await run(fs.readFileSync(path.join(fixtures, 'endless.pipeline.yaml'), 'utf8'), { limit: 5 });
    expect(d.output.toString()).toBe('n=1\nn=2\nn=3\nn=4\nn=5\n');
    expect(d.result.records).toBe(5);
    expect(d.result.stoppedReading).toBe(true);
    expect(d.result.outcome).toBe('succeeded');
    expect(Object.values(statusesOf(d))).toEqual(['stopped-early', 'stopped-early', 'stopped-early']);
    expectNothingLeft(before, d);
  });

  it('to: runs only up to the named stage', async () => {
    const d = await run(
      `stages:
  - name: numbers
    run: seq 1 5
  - name: double
    run: awk '{ print $0 * 2 }'
  - name: never
    run: "false"
`,
      { to: 'double' },
    );
    expect(d.output.toString()).toBe('2\n4\n6\n8\n10\n');
    expect(d.result.stages.map((s) => s.name)).toEqual(['numbers', 'double']);
    expect(d.result.outcome).toBe('succeeded');
  });
});

describe('failures', () => {
  it('a stage exiting non-zero fails the run, is named, and its stderr tail kept', async () => {
    const d = await run(fs.readFileSync(path.join(fixtures, 'failing.pipeline.yaml'), 'utf8'));
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('parse');
    const parse = d.result.stages.find((s) => s.name === 'parse')!;
    expect(parse).toMatchObject({ status: 'failed', exitCode: 3, stderrTail: ['fail-after-one.sh: record 2 is not valid JSON'] });
    expect(d.result.error?.kind).toBe('stage-failed');
    expect(d.result.error?.message).toMatch(/test\.pipeline\.yaml: stage `parse` failed with exit code 3: fail-after-one\.sh: record 2/);
    expect(d.stderr).toEqual([{ stage: 'parse', line: 'fail-after-one.sh: record 2 is not valid JSON' }]);
    expectNothingLeft(before, d);
  });

  it('a stage killed by a signal fails with the signal name, and the rest is terminated', async () => {
    const d = await run(`stages:
  - run: yes
  - run: kill -KILL $$
  - run: cat
`);
    expect(d.result.failedStage).toBe('kill');
    expect(d.result.stages[1]).toMatchObject({ status: 'failed', signal: 'SIGKILL' });
    expect(d.result.error?.message).toMatch(/was killed by SIGKILL/);
    expectNothingLeft(before, d);
  });

  it('a command: program missing from PATH is refused by name before anything starts', async () => {
    const childrenBefore = processFootprint().children;
    const d = await run(`stages:
  - run: seq 3
  - command: [no-such-program-here, --flag]
`);
    expect(d.result.outcome).toBe('refused');
    expect(d.result.error).toMatchObject({ kind: 'command-not-found', stage: 'no-such-program-here' });
    expect(d.result.error?.message).toMatch(/`no-such-program-here` was not found on PATH/);
    expect(d.events.map((e) => e.type)).toEqual(['end']);
    expect(childrenBefore).toEqual([]);
  });

  it('a run: script naming a missing program fails with exit code 127 and says so', async () => {
    const d = await run(`stages:
  - run: seq 3
  - run: no-such-program-here --flag
`);
    expect(d.result.stages[1]).toMatchObject({ status: 'failed', exitCode: 127 });
    expect(d.result.error?.message).toMatch(/a command was not found.*no-such-program-here/);
  });

  it('built-in stages run as stages of their own (more in test/unit/builtins)', async () => {
    const d = await run(fs.readFileSync(path.join(fixtures, 'builtin.pipeline.yaml'), 'utf8'));
    expect(d.result.error).toBeUndefined();
    expect(d.result.stages[0]).toMatchObject({ name: 'first', status: 'succeeded', exitCode: 0 });
    expect(d.output.length).toBe(0); // the first stage reads /dev/null
  });

  it('an unknown `to` stage is refused, listing the stages', async () => {
    const d = await run('stages:\n  - name: a\n    run: "true"\n', { to: 'b' });
    expect(d.result.error).toMatchObject({ kind: 'bad-option' });
    expect(d.result.error?.message).toMatch(/no stage named `b`.*`a`/);
  });

  it('a stage over its timeout is timed out, the run fails and nothing is left', async () => {
    const d = await run(`stages:
  - run: yes
  - run: sleep 30
    timeout: 150ms
  - run: cat
`);
    expect(d.result.outcome).toBe('failed');
    expect(d.result.failedStage).toBe('sleep');
    expect(d.result.error?.kind).toBe('stage-timeout');
    expect(statusesOf(d).sleep).toBe('timed-out');
    expectNothingLeft(before, d);
  });
});

describe('cancel', () => {
  for (const [what, yaml] of [
    ['a busy pipeline', `stages:\n  - run: yes\n  - run: cat\n  - run: cat\n  - run: "cat > /dev/null"\n`],
    ['a stage that ignores SIGTERM and a shell with children', `stages:\n  - command: [./stubborn.sh]\n  - run: "sleep 30 | cat; echo never"\n`],
  ] as const) {
    it(`ends ${what}, leaving nothing`, async () => {
      const controller = new AbortController();
      const stages = pipelineOf(yaml).stages.length;
      let running = 0;
      const d = await drain(startRun(pipelineOf(yaml), { fileDir: fixtures, signal: controller.signal }), (e) => {
        if (e.type === 'status' && e.status === 'running' && ++running === stages) controller.abort();
      });
      expect(running).toBe(stages);
      // Every stage was reaped by its wrapper (which took its end time): none was left running.
      expect(d.result.stages.every((s) => s.endedAt !== undefined)).toBe(true);
      expect(d.result.outcome).toBe('cancelled');
      expect(d.result.error?.kind).toBe('cancelled');
      expect(d.result.stages.every((s) => s.status === 'cancelled')).toBe(true);
      expectNothingLeft(before, d);
    });
  }

  it('an already aborted signal starts nothing', async () => {
    const d = await run('stages:\n  - run: yes\n', { signal: AbortSignal.abort() });
    expect(d.result.outcome).toBe('cancelled');
    expect(d.pids).toEqual([]);
  });
});

describe('large data', () => {
  it('runs 150 stages (a script longer than one argument may be) and leaves nothing', async () => {
    const d = await run(`stages:\n  - run: seq 1 1000\n${'  - run: cat\n'.repeat(149)}`);
    expect(d.result.outcome).toBe('succeeded');
    expect(d.result.records).toBe(1000);
    expect(d.result.stages.every((s) => s.status === 'succeeded')).toBe(true);
    expectNothingLeft(before, d);
    // About 450 processes start (stages, their wrappers, a counter per edge): on a busy 2-core
    // machine that alone took over 30 s, the default guard against a hang.
  }, 120_000);

  it('passes a 100 MB line whole, as one record', async () => {
    const d = await run(`stages:
  - run: head -c 100000000 /dev/zero | tr '\\0' x; echo
  - run: cat
`);
    expect(d.result.records).toBe(1);
    expect(d.output.length).toBe(100_000_001);
    expect(d.result.stages[1]!.stats.recordsOut).toBe(1);
    expect(d.output.indexOf(10)).toBe(100_000_000);
    expectNothingLeft(before, d);
  });
});

describe('stats', () => {
  it('final bytes and CPU are exact totals from the wrapper; records exact at the sink', async () => {
    const d = await run(`stages:
  - command: [head, -c, "5000000", /dev/zero]
  - run: cat
  - command: [wc, -c]
`);
    const [head, cat, wc] = d.result.stages.map((s) => s.stats);
    expect(head!.exact && cat!.exact && wc!.exact).toBe(true);
    expect(head!.bytesOut).toBe(5_000_000);
    expect(cat!.bytesOut).toBe(5_000_000);
    expect(cat!.bytesIn).toBeGreaterThanOrEqual(5_000_000);
    expect(cat!.bytesIn).toBeLessThan(5_000_000 + 256 * 1024);
    expect(wc!.bytesOut).toBe(8);
    expect(wc!.recordsOut).toBe(1);
    expect(d.output.toString()).toBe('5000000\n');
  });

  it('sends stats ticks while running and flags one stage as the bottleneck', async () => {
    const d = await run(
      `stages:
  - command: [head, -c, "60000000", /dev/zero]
  - command: [gzip, "-6"]
  - command: [wc, -c]
`,
      { statsIntervalMs: 20 },
    );
    const ticks = d.events.filter((e) => e.type === 'stats');
    expect(ticks.length).toBeGreaterThan(3);
    const final = d.result.stages.map((s) => s.stats);
    // Which stage is the bottleneck depends on the machine's load (verdicts are measured in
    // bench/, and the rule is unit-tested in parts.test.ts): here, that there is one, once.
    expect(final.filter((s) => s.bottleneck)).toHaveLength(1);
    expect(final[1]!.cpuUserMs).toBeGreaterThan(0);
    expect(final[1]!.maxRssKb).toBeGreaterThan(0);
  });

  it('status events go pending → running → ended, once per stage', async () => {
    const d = await run('stages:\n  - run: seq 3\n  - run: cat\n');
    const byStage = new Map<string, string[]>();
    for (const e of d.events.filter((x): x is StatusEvent => x.type === 'status')) byStage.set(e.stage, [...(byStage.get(e.stage) ?? []), e.status]);
    expect(Object.fromEntries(byStage)).toEqual({ seq: ['running', 'succeeded'], cat: ['running', 'succeeded'] });
    expect(d.events[0]!.type).toBe('start');
    expect(d.events[d.events.length - 1]!.type).toBe('end');
  });
});

describe('the event stream', () => {
  it('leaving the loop early stops reading: the run ends, upstream stopped early', async () => {
    const handle = startRun(pipelineOf(fs.readFileSync(path.join(fixtures, 'endless.pipeline.yaml'), 'utf8')), { fileDir: fixtures });
    for await (const e of handle.events) if (e.type === 'records') break;
    const result = await handle.result;
    expect(result.outcome).toBe('succeeded');
    expect(result.stoppedReading).toBe(true);
    expect(result.stages.map((s) => s.status)).toEqual(['stopped-early', 'stopped-early', 'stopped-early']);
  });
});

describe('stderr', () => {
  it('`stderr: ignore` hides the lines but keeps them for the failure message', async () => {
    const d = await run(`stages:
  - run: echo quiet please >&2; exit 4
    stderr: ignore
`);
    expect(d.stderr).toEqual([]);
    expect(d.result.stages[0]).toMatchObject({ status: 'failed', exitCode: 4, stderrTail: ['quiet please'] });
    expect(d.result.error?.message).toMatch(/exit code 4: quiet please/);
    expectNothingLeft(before, d);
  });

  it('tags every line with its stage, in order per stage', async () => {
    const d = await run(`stages:
  - run: for i in 1 2 3; do echo "a$i" >&2; done; echo x
  - run: cat; for i in 1 2 3; do echo "b$i" >&2; done
`);
    expect(d.stderr.filter((l) => l.stage === 'for').map((l) => l.line)).toEqual(['a1', 'a2', 'a3']);
    expect(d.stderr.filter((l) => l.stage === 'cat').map((l) => l.line)).toEqual(['b1', 'b2', 'b3']);
    expect(d.output.toString()).toBe('x\n');
  });
});

describe('working directory', () => {
  it('a missing working directory fails the stage with a message naming it', async () => {
    // The checker refuses this file (file-not-found); startRun is the last line of defence.
    const pipeline = pipelineOf('stages:\n  - run: pwd\n');
    pipeline.stages[0]!.cwd = 'no-such-dir-here';
    const d = await drain(startRun(pipeline, { fileDir: fixtures, file: 'x.pipeline.yaml' }));
    expect(d.result.stages[0]).toMatchObject({ status: 'failed', exitCode: 126 });
    expect(d.result.error?.message).toContain(`cannot enter the working directory ${path.join(fixtures, 'no-such-dir-here')}`);
    expectNothingLeft(before, d);
  });
});
