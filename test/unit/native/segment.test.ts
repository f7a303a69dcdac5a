// The contract of dist/pw-segment (docs/engine-protocol.md), tested on the program itself: plans
// written by hand, its reports on fd 3 read as they come. No engine in between (one test feeds it
// the engine's own writer, engine/segment-plan.ts). PIPEWRIGHT_SEGMENT_PROGRAM runs the same tests
// against another build of it (npm run test:native-sanitized, test:native-platforms), through
// PIPEWRIGHT_SEGMENT_LAUNCHER when set (qemu-aarch64-static for the arm64 build on x64);
// PIPEWRIGHT_SEGMENT_PORTABLE=1 says the build has no /proc (its process I/O is 0).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { hostTarget, nativeProgramPath } from '../../../engine/native-programs';
import { segmentPlan, straight } from '../../../engine/segment-plan';

const program = process.env.PIPEWRIGHT_SEGMENT_PROGRAM ?? nativeProgramPath(path.resolve(__dirname, '../../../dist'), hostTarget);
/** The program as a command: its launcher's words first, if any. */
const command = [...(process.env.PIPEWRIGHT_SEGMENT_LAUNCHER?.split(' ').filter(Boolean) ?? []), program];
const portable = process.env.PIPEWRIGHT_SEGMENT_PORTABLE === '1';

/** A string line of a plan: KEY BYTE_LENGTH:BYTES. */
const s = (key: string, value: string) => `${key} ${Buffer.byteLength(value)}:${value}\n`;

interface Stage {
  argv: string[];
  env?: string[];
  dir?: string;
  commit?: number;
}

/** A stage block of a plan: stage `id` reads `input` and writes `output` (ends: `null`, `fd N`, `pipe K`), its stderr to fd 4 + id. */
function stageBlock(id: number, input: string, output: string, st: Stage): string {
  let text = `stage ${id}\nin ${input}\nout ${output}\nerr ${4 + id}\n${st.commit === undefined ? '' : `commit ${st.commit}\n`}${s('dir', st.dir ?? '/')}`;
  for (const a of st.argv) text += s('arg', a);
  for (const e of st.env ?? ['PATH=/usr/bin:/bin']) text += s('env', e);
  return `${text}end\n`;
}

const copyBlock = (counted: number, input: string, to: [number, string][]) =>
  `copy\ncounted ${counted}\nin ${input}\n${to.map(([id, end]) => `to ${id} ${end}\n`).join('')}end\n`;

const header = (stages: number, pipes: number, copies: number, merges: number) =>
  `pipewright-segment 3\nstages ${stages}\npipes ${pipes}\ncopies ${copies}\nmerges ${merges}\n`;

/**
 * A plan of `stages` in a straight line, by hand: stage i writes its stderr to fd 4 + i, the
 * input is the fd after those; with counts, a counted copy on each edge (and into / out of the ends).
 */
function plan(stages: Stage[], counts = { between: 0, into: 0, out: 0 }): string {
  let pipes = 0;
  const copies: string[] = [];
  let reads = `fd ${4 + stages.length}`;
  if (counts.into) {
    copies.push(copyBlock(1, reads, [[-1, `pipe ${pipes}`]]));
    reads = `pipe ${pipes++}`;
  }
  const blocks = stages.map((st, i) => {
    const last = i === stages.length - 1;
    const counted = last ? counts.out : counts.between;
    let writes = last ? 'fd 1' : `pipe ${pipes++}`;
    const input = reads;
    reads = writes;
    if (counted) {
      const into = writes;
      writes = `pipe ${pipes++}`;
      copies.push(copyBlock(1, writes, [[i, into]]));
    }
    return stageBlock(i, input, writes, st);
  });
  return header(stages.length, pipes, copies.length, 0) + blocks.join('') + copies.join('');
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  control: string[];
  stdout: string;
  /** The program's own stderr. */
  errors: string;
  /** Each stage's stderr. */
  stageErr: string[];
}

function collect(stream: Readable | null | undefined): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    if (!stream) return resolve('');
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

/**
 * Runs the program over `planText` with `stages` stderr fds, `input` written into the first
 * stage's input fd, and `commits` more fds (commit channels); `during` may act on it once started.
 */
async function runPlan(
  planText: string,
  stages: number,
  options: { input?: string; commits?: number; parent?: number; during?: (child: ChildProcess, control: string[]) => void } = {},
): Promise<Ran> {
  const extra = Array.from({ length: 1 + stages + (options.commits ?? 0) }, () => 'pipe' as const);
  const child = spawn(command[0]!, [...command.slice(1), String(options.parent ?? process.pid)], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', ...extra],
    detached: true,
  });
  const control: string[] = [];
  const controlDone = new Promise<void>((resolve) => {
    let rest = '';
    const c = child.stdio[3] as Readable;
    c.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      control.push(...lines);
    });
    c.on('close', () => resolve());
  });
  for (const stream of child.stdio) stream?.on('error', () => {});
  const stdout = collect(child.stdout);
  const errors = collect(child.stderr);
  const stageErr = Promise.all(Array.from({ length: stages }, (_, i) => collect(child.stdio[4 + i] as Readable)));
  const input = child.stdio[4 + stages] as Writable;
  input.on('error', () => {});
  input.end(options.input ?? '');
  child.stdin.on('error', () => {});
  child.stdin.end(planText);
  options.during?.(child, control);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, sig) => resolve([c, sig])));
  await controlDone;
  return { code, signal, control, stdout: await stdout, errors: await errors, stageErr: await stageErr };
}

/** The `done` line of stage i, as words. */
function done(r: Ran, i: number): string[] {
  const line = r.control.find((l) => l.startsWith(`done ${i} `));
  expect(line, `no done line for stage ${i} in ${JSON.stringify(r.control)}`).toBeDefined();
  return line!.split(' ');
}

describe('dist/pw-segment', () => {
  it('runs a | b | c joined by pipes: a pid line when each starts, a done line when each ends, exit 0 when all have', async () => {
    const r = await runPlan(plan([{ argv: ['printf', 'a\\nb\\nc'] }, { argv: ['cat'] }, { argv: ['tr', 'a-z', 'A-Z'] }]), 3);
    expect(r).toMatchObject({ code: 0, stdout: 'A\nB\nC', errors: '' });
    for (const i of [0, 1, 2]) {
      const pid = r.control.find((l) => l.startsWith(`pid ${i} `))!.split(' ');
      expect(pid[2]).toMatch(/^[1-9]\d*$/);
      expect(pid[3]).toMatch(/^\d+\.\d{6}$/);
      const d = done(r, i);
      expect(d).toHaveLength(10);
      expect(d.slice(2, 3).concat(d.slice(8, 9))).toEqual(['0', 'exit']);
      expect(Number(d[9])).toBeGreaterThan(0); // ru_maxrss
      expect(r.control.indexOf(pid.join(' '))).toBeLessThan(r.control.indexOf(d.join(' ')));
    }
    expect(r.control.filter((l) => l.startsWith('edge'))).toEqual([]);
  });

  it('counts every edge between stages with counts on (a last line without newline is a record)', async () => {
    const r = await runPlan(plan([{ argv: ['printf', 'a\\nb\\nc'] }, { argv: ['cat'] }, { argv: ['tr', 'a-z', 'A-Z'] }], { between: 1, into: 0, out: 0 }), 3);
    expect(r.stdout).toBe('A\nB\nC');
    expect(r.control.filter((l) => l.endsWith(' end')).sort()).toEqual(['edge 0 3 5 end', 'edge 1 3 5 end']);
  });

  it('starts an edge’s counter only once something passes: none while the writer is silent, none when it ends without a byte', async () => {
    // Fds: 4, 5 stderr; 6 input; 7 stage 0's commit channel, which holds it (silent, stdout open) until stage 1 has looked.
    const children = 'set -- $(cat /proc/$PPID/task/$PPID/children); echo "$# children"';
    const stages = [{ argv: ['sh', '-c', 'read -r go <&7'], commit: 7 }, { argv: ['sh', '-c', `${children}; cat`] }];
    const r = await runPlan(plan(stages, { between: 1, into: 0, out: 0 }), 2, {
      commits: 1,
      // The two stages; a counter forked at the start would be a third child of pw-segment.
      during: (child) => child.stdout!.on('data', () => (child.stdio as (Writable | null)[])[7]!.end('go\n')),
    });
    expect(r.stdout).toBe('2 children\n');
    expect(r.control.filter((l) => l.startsWith('edge'))).toEqual(['edge 0 0 0 end']);
  });

  it('a writer silent at first: its edge’s counter starts when the first byte comes and counts every one', async () => {
    // Fds: 4, 5 stderr; 6 input; 7 stage 0's commit channel: it writes once stage 1 has said it runs.
    const stages = [{ argv: ['sh', '-c', 'read -r go <&7; printf "a\\nb\\nc"'], commit: 7 }, { argv: ['sh', '-c', 'echo started; cat'] }];
    const r = await runPlan(plan(stages, { between: 1, into: 0, out: 0 }), 2, {
      commits: 1,
      during: (child) => child.stdout!.once('data', () => (child.stdio as (Writable | null)[])[7]!.end('go\n')),
    });
    expect(r.stdout).toBe('started\na\nb\nc');
    expect(r.control.filter((l) => l.startsWith('edge') && l.endsWith(' end'))).toEqual(['edge 0 3 5 end']);
  });

  it('a reader that leaves before its silent writer wrote: the edge ends empty and the writer gets SIGPIPE when it writes, as without a counter', async () => {
    // Fds: 4, 5 stderr; 6 input; 7 stage 0's commit channel: it writes once its edge has ended.
    const stages = [{ argv: ['sh', '-c', 'read -r go <&7; echo late'], commit: 7 }, { argv: ['true'] }];
    const r = await runPlan(plan(stages, { between: 1, into: 0, out: 0 }), 2, {
      commits: 1,
      during: (child, control) => {
        const commit = (child.stdio as (Writable | null)[])[7]!;
        (child.stdio[3] as Readable).on('data', () => {
          if (control.includes('edge 0 0 0 end')) commit.end('go\n');
        });
      },
    });
    expect(done(r, 0).slice(2, 3).concat(done(r, 0).slice(8, 9))).toEqual(['141', 'signal']);
    expect(r.control.filter((l) => l.startsWith('edge'))).toEqual(['edge 0 0 0 end']);
  });

  it('counts the edge into the first stage (as edge -1) and out of the last when asked', async () => {
    const r = await runPlan(plan([{ argv: ['cat'] }], { between: 1, into: 1, out: 1 }), 1, { input: 'x\ny\n' });
    expect(r.stdout).toBe('x\ny\n');
    expect(r.control.filter((l) => l.endsWith(' end')).sort()).toEqual(['edge -1 2 4 end', 'edge 0 2 4 end']);
  });

  it('tells an exit status from a death by signal, as the kernel reports them', async () => {
    const r = await runPlan(plan([{ argv: ['/bin/sh', '-c', 'exit 143'] }, { argv: ['/bin/sh', '-c', 'cat >/dev/null; kill -KILL $$'] }]), 2);
    expect(done(r, 0).slice(2, 3).concat(done(r, 0)[8]!)).toEqual(['143', 'exit']);
    expect(done(r, 1).slice(2, 3).concat(done(r, 1)[8]!)).toEqual(['137', 'signal']);
    expect(r.code).toBe(0);
  });

  it.each([0, 1])('stops early as a shell does (counts %i): the writer dies of SIGPIPE when its reader has gone', async (between) => {
    const r = await runPlan(plan([{ argv: ['yes'] }, { argv: ['head', '-n', '2'] }], { between, into: 0, out: 0 }), 2);
    expect(r.stdout).toBe('y\ny\n');
    expect([done(r, 0)[2], done(r, 0)[8]]).toEqual(['141', 'signal']);
    expect([done(r, 1)[2], done(r, 1)[8]]).toEqual(['0', 'exit']);
  });

  it('gives a stage exactly its environment, PATH looked up in it, and its working directory', async () => {
    const env = ['PATH=/nowhere:/usr/bin:/bin', 'B=two\nlines', 'not.an.identifier=1'];
    const r = await runPlan(
      plan([
        { argv: ['env'], env, dir: '/usr' },
        { argv: ['sh', '-c', 'cat; pwd'], dir: '/etc' },
      ]),
      2,
    );
    expect(r.stdout).toBe(`${env.join('\n')}\n/etc\n`);
  });

  it('leaves a stage no fd of the segment but its stdin, stdout, stderr and its own commit channel, and no signal ignored or blocked', async () => {
    // Fds: 4, 5 stderr; 6 input; 7, 8 commit channels. `ls` opens the folder it lists as fd 3.
    const stages = [
      { argv: ['ls', '/proc/self/fd'], commit: 8 },
      { argv: ['sh', '-c', 'cat; exec grep -E "^Sig(Ign|Blk)" /proc/self/status'], commit: 7 },
    ];
    const r = await runPlan(plan(stages), 2, { commits: 2 });
    expect(r.stdout).toBe('0\n1\n2\n3\n8\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  it('a stage reads its commit channel', async () => {
    // Fds: 4 stderr, 5 input, 6 the commit channel.
    const r = await runPlan(plan([{ argv: ['sh', '-c', 'read -r verdict <&6; echo "$verdict"'], commit: 6 }]), 1, {
      commits: 1,
      during: (child) => (child.stdio as (Writable | null)[])[6]!.end('commit\n'),
    });
    expect(r.stdout).toBe('commit\n');
  });

  it('a working directory that is missing: the message on the stage’s stderr, exit 126; a missing program: exit 127', async () => {
    const r = await runPlan(plan([{ argv: ['true'], dir: '/no/such/folder' }, { argv: ['no-such-program-here'] }]), 2);
    expect(r.stageErr).toEqual([
      'pipewright: cannot enter the working directory /no/such/folder\n',
      'pipewright: cannot run no-such-program-here: No such file or directory\n',
    ]);
    expect([done(r, 0)[2], done(r, 0)[8]]).toEqual(['126', 'exit']);
    expect([done(r, 1)[2], done(r, 1)[8]]).toEqual(['127', 'exit']);
  });

  describe('finds a stage’s program as execvp would (pw-segment spawns it by the path it finds, spawn.c)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-segment-path-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const script = (file: string, text: string, mode = 0o755) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text, { mode });
    };
    script('bin/hello', '#!/bin/sh\necho "hello from bin, argv[0] $0"\n');
    script('tool', '#!/bin/sh\necho "tool here as $0"\n');
    // No `#!`: execvp hands it to /bin/sh.
    script('plain/bare', 'echo bare script\n');
    // Found first on PATH but not runnable: a folder, a file without x; the next entry's is run.
    fs.mkdirSync(path.join(dir, 'shadow/hello'), { recursive: true });
    script('noexec/hello', '#!/bin/sh\necho not me\n', 0o644);

    it.each([
      ['a relative PATH entry, from the stage’s directory', ['hello'], ['PATH=bin:/usr/bin'], 'hello from bin, argv[0] bin/hello\n'],
      ['an empty PATH entry: the stage’s directory', ['tool'], ['PATH=/nowhere::/usr/bin'], 'tool here as tool\n'],
      ['a path relative to the stage’s directory', ['./tool'], [], 'tool here as ./tool\n'],
      ['a script without #!, run by /bin/sh', ['bare'], ['PATH=plain:/usr/bin:/bin'], 'bare script\n'],
      ['a folder and a file without x before it on PATH', ['hello'], [`PATH=${dir}/shadow:noexec:bin:/usr/bin`], 'hello from bin, argv[0] bin/hello\n'],
      [
        'argv[0] as the plan gives it, not the path found',
        ['sh', '-c', 'tr "\\0" " " </proc/$$/cmdline'],
        ['PATH=/usr/bin:/bin'],
        'sh -c tr "\\0" " " </proc/$$/cmdline ',
      ],
    ])('%s', async (_, argv, env, out) => {
      const r = await runPlan(plan([{ argv, env, dir }]), 1);
      expect({ stdout: r.stdout, stderr: r.stageErr[0], status: done(r, 0)[2] }).toEqual({ stdout: out, stderr: '', status: '0' });
    });

    it('not on the stage’s PATH (though on pw-segment’s): exit 127 and the message', async () => {
      const r = await runPlan(
        plan([
          { argv: ['sh', '-c', 'exit 0'], env: ['PATH=/nowhere'], dir: '/' },
          { argv: ['hello'], env: ['PATH=noexec'], dir },
        ]),
        2,
      );
      expect(r.stageErr).toEqual(['pipewright: cannot run sh: No such file or directory\n', 'pipewright: cannot run hello: Permission denied\n']);
      expect([done(r, 0)[2], done(r, 1)[2]]).toEqual(['127', '126']);
    });
  });

  it("reports a stage's own CPU time, peak memory and process I/O from the kernel", async () => {
    const r = await runPlan(
      plan([
        { argv: ['head', '-c', '3000000', '/dev/zero'] },
        { argv: ['python3', '-c', 'import sys; b = bytearray(64 << 20); sys.stdin.buffer.read(); sum(range(3000000))'] },
      ]),
      2,
    );
    const [, , , rchar, wchar] = done(r, 0).map(Number);
    // Without /proc (the portable build) there is no process I/O to read: 0, as documented.
    expect([rchar! >= 3000000, wchar! >= 3000000]).toEqual([!portable, !portable]);
    const d = done(r, 1).map(Number);
    expect(d[5]! + d[6]!).toBeGreaterThan(0); // user + system ticks of summing 3 million numbers
    expect(d[9]).toBeGreaterThan(64 * 1024); // KB: the 64 MiB it touched
  });

  it('survives the SIGTERM that ends its stages, and reports them', async () => {
    const r = await runPlan(plan([{ argv: ['sleep', '300'] }]), 1, {
      during: (child, control) => {
        const poll = setInterval(() => {
          if (!control.some((l) => l.startsWith('pid 0 '))) return;
          clearInterval(poll);
          process.kill(-child.pid!, 'SIGTERM');
        }, 5);
      },
    });
    expect([done(r, 0)[2], done(r, 0)[8]]).toEqual(['143', 'signal']);
    expect(r.code).toBe(0);
  });

  it('ends its stages when its parent dies (SIGTERM, then SIGKILL), and exits at once if the parent is already gone', async () => {
    // A shell is its parent here; killing it is the engine dying.
    const parent = spawn('/bin/sh', ['-c', 'exec 9<&0; "$@" $$ <&9 9<&- & exec 9<&-; wait', 'sh', ...command], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of parent.stdio) stream?.on('error', () => {});
    const err = collect(parent.stdio[4] as Readable);
    // The stage says it is ready once its trap is set; then its parent dies.
    parent.stdout.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) parent.kill('SIGKILL');
    });
    const closed = new Promise((resolve) => (parent.stdio[3] as Readable).on('close', resolve));
    parent.stdin.end(plan([{ argv: ['sh', '-c', 'trap "echo ended by SIGTERM >&2; exit 0" TERM; echo ready; sleep 300 & wait'] }]));
    await closed; // every holder of the control fd has exited: the program and its stage
    expect(await err).toBe('ended by SIGTERM\n');

    const orphan = await runPlan(plan([{ argv: ['true'] }]), 1, { parent: 1 });
    expect(orphan).toMatchObject({ code: 129, control: [] });
  });

  it('refuses a plan it cannot read, naming the line, and starts nothing', async () => {
    const one = plan([{ argv: ['true'] }]);
    const two = header(2, 1, 0, 0) + stageBlock(0, 'fd 6', 'pipe 0', { argv: ['true'] }) + stageBlock(1, 'pipe 0', 'fd 1', { argv: ['true'] });
    const bad = [
      [one.replace('segment 3', 'segment 2'), 'pw-segment: plan line 1: version 2, this program reads version 3\n'],
      [one.replace('arg 4:true', 'arg 9:true'), 'pw-segment: plan line 11: the string of `arg` is not 9 bytes and a newline\n'],
      [one.replace('err 4', 'err 3'), 'pw-segment: plan line 9: 3 is out of range (4 to 1048576)\n'],
      [one.replace('in fd 5', 'in fd 2'), 'pw-segment: plan line 7: 2 is out of range (4 to 1048576)\n'],
      [one.replace('out fd 1', 'out fd 3'), "pw-segment: plan line 8: fd 3 is the program's own (the plan's fds are 1 for output, and 4 up)\n"],
      [one.replace('in fd 5', 'in pipe 0'), 'pw-segment: plan line 7: 0 is out of range (0 to -1)\n'],
      [one.replace('in fd 5', 'in a file'), 'pw-segment: plan line 7: expected `null`, `fd N` or `pipe K`\n'],
      [one + 'stage 1\n', 'pw-segment: plan line 14: more after the last block\n'],
      [two.replace('in pipe 0', 'in null'), 'pw-segment: plan: pipe 0 has no reader\n'],
      [two.replace('stage 1', 'stage 0'), 'pw-segment: plan: stage 0 is in the plan twice\n'],
      [two.replace('in fd 6', 'in pipe 0'), 'pw-segment: plan: pipe 0 is used twice at the same end\n'],
      [one.replace('in fd 5', 'in fd 99'), 'pw-segment: the plan names fd 99, which is not open\n'],
      [header(0, 0, 0, 0), 'pw-segment: plan: nothing to run\n'],
    ];
    for (const [text, message] of bad) {
      const r = await runPlan(text!, 2);
      expect(r).toMatchObject({ code: 2, control: [], errors: message });
    }
  });

  it('fans out to every reader and counts each edge; merges fan-in by whole lines, a last line without newline ended', async () => {
    // 0 → (copy: edges 0, 1) → 1, 2 → (merge) → 3 → stdout. Stage 1 writes a long line in two parts, stage 2 a short one between.
    const long = 'x'.repeat(200_000);
    const text =
      header(4, 6, 1, 1) +
      stageBlock(0, 'fd 8', 'pipe 0', { argv: ['printf', 'a\nb\nc\n'] }) +
      stageBlock(1, 'pipe 1', 'pipe 3', {
        argv: ['sh', '-c', `cat >/dev/null; printf xxxxx; sleep 0.2; head -c ${long.length - 5} /dev/zero | tr '\\0' x; printf '\\nend1'`],
      }) +
      stageBlock(2, 'pipe 2', 'pipe 4', { argv: ['sh', '-c', 'cat; sleep 0.1; echo short'] }) +
      stageBlock(3, 'pipe 5', 'fd 1', { argv: ['cat'] }) +
      copyBlock(1, 'pipe 0', [
        [0, 'pipe 1'],
        [1, 'pipe 2'],
      ]) +
      'merge\nin pipe 3\nin pipe 4\nout pipe 5\nend\n';
    const r = await runPlan(text, 4);
    expect(r.errors).toBe('');
    // Long lines by their length, so that a failure stays readable.
    const lines = (t: string) => t.split('\n').map((l) => (l.length > 100 ? `x × ${l.length}` : l));
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(lines(r.stdout.slice(0, -1)).sort()).toEqual(lines(['a', 'b', 'c', 'end1', long, 'short'].join('\n')).sort());
    expect(r.control.filter((l) => l.endsWith(' end')).sort()).toEqual(['edge 0 3 6 end', 'edge 1 3 6 end']);
    for (const i of [0, 1, 2, 3]) expect(done(r, i)[2]).toBe('0');
  });

  it('an uncounted fan-out reports nothing; a reader that leaves is dropped and the others go on; all gone: the writer stops early', async () => {
    const fan = (second: string[]) =>
      header(3, 3, 1, 0) +
      stageBlock(0, 'fd 7', 'pipe 0', { argv: ['seq', '100000'] }) +
      stageBlock(1, 'pipe 1', 'null', { argv: ['head', '-n', '1'] }) +
      stageBlock(2, 'pipe 2', 'fd 1', { argv: second }) +
      copyBlock(0, 'pipe 0', [
        [0, 'pipe 1'],
        [1, 'pipe 2'],
      ]);
    const r = await runPlan(fan(['wc', '-l']), 3);
    expect(r.stdout.trim()).toBe('100000');
    expect(r.control.filter((l) => l.startsWith('edge'))).toEqual([]);
    expect(done(r, 0)[2]).toBe('0');
    const both = await runPlan(fan(['head', '-n', '2']), 3);
    expect(both.stdout).toBe('1\n2\n');
    expect([done(both, 0)[2], done(both, 0)[8]]).toEqual(['141', 'signal']);
  });

  it('joins fds the engine holds (a relayed stage): a copy out of one, a stage writing into another', async () => {
    // Fds 4, 5: stderr; 6: the input; 7: the engine reads what stage 0 writes; 8: the engine writes, stage 1 reads via a counted copy.
    const text =
      header(2, 1, 1, 0) +
      stageBlock(0, 'fd 6', 'fd 7', { argv: ['cat'] }) +
      stageBlock(1, 'pipe 0', 'fd 1', { argv: ['cat'] }) +
      copyBlock(1, 'fd 8', [[5, 'pipe 0']]);
    const r = await runPlan(text, 2, {
      input: 'one\ntwo\n',
      commits: 2,
      during: (child) => {
        const from = (child.stdio as (Readable | null)[])[7]!;
        const into = (child.stdio as (Writable | null)[])[8]!;
        from.on('data', (c: Buffer) => into.write(c.toString().toUpperCase()));
        from.on('end', () => into.end());
      },
    });
    expect(r.stdout).toBe('ONE\nTWO\n');
    expect(r.control).toContain('edge 5 2 8 end');
  });

  it("runs the engine's own plans (engine/segment-plan.ts): PWD is the stage's directory, as after a shell's cd", async () => {
    const text = segmentPlan(
      [
        { argv: ['seq', '3'], dir: '/', env: { PATH: '/usr/bin:/bin' } },
        { argv: ['/bin/sh', '-c', 'cat; echo "$PWD $X"'], dir: '/usr', env: { X: 'a value\nwith a newline', PATH: '/usr/bin:/bin' } },
      ],
      straight(2, { counted: true }),
    );
    const r = await runPlan(text, 2);
    expect(r.stdout).toBe('1\n2\n3\n/usr a value\nwith a newline\n');
    expect(r.control).toContain('edge 0 3 6 end');
  });

  it("runs the engine's graph plans: a diamond with counts, every edge counted once", async () => {
    const st = (argv: string[]) => ({ argv, dir: '/', env: { PATH: '/usr/bin:/bin' } });
    const text = segmentPlan([st(['seq', '4']), st(['grep', '[13]']), st(['grep', '[24]']), st(['sort'])], {
      inputs: [[], [0], [0], [1, 2]],
      counted: true,
    });
    const r = await runPlan(text, 4);
    expect(r.stdout).toBe('1\n2\n3\n4\n');
    expect(r.control.filter((l) => l.endsWith(' end')).sort()).toEqual(['edge 0 4 8 end', 'edge 1 4 8 end', 'edge 2 2 4 end', 'edge 3 2 4 end']);
  });
});
