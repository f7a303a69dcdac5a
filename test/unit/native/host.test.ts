// The contract of `pw-segment --host CTL` (docs/engine-protocol.md, "On another host"), tested on the
// program itself, as sshd would start it: the framed plan and then the data on stdin, the output on
// stdout, every report, stderr line and sample on one control stream (stderr with `-`, or a Unix
// socket this test listens on), signal requests coming back on the socket, and the watcher ending
// the segment when the stream goes. No engine and no ssh in between. PIPEWRIGHT_SEGMENT_PROGRAM
// runs it against another build (npm run test:native-sanitized, test:native-platforms).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostTarget, nativeProgramPath } from '../../../engine/native-programs';
import { segmentPlan, straight } from '../../../engine/segment-plan';

const program = process.env.PIPEWRIGHT_SEGMENT_PROGRAM ?? nativeProgramPath(path.resolve(__dirname, '../../../dist'), hostTarget);
const command = [...(process.env.PIPEWRIGHT_SEGMENT_LAUNCHER?.split(' ').filter(Boolean) ?? []), program];
const portable = process.env.PIPEWRIGHT_SEGMENT_PORTABLE === '1';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-host-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The engine's plan of a straight segment on a host (engine/remote.ts writes the same), framed as the watcher reads it. */
function framed(stages: { argv: string[]; env?: Record<string, string>; dir?: string }[], counted = false): Buffer {
  const plans = stages.map((s) => ({ argv: s.argv, env: s.env ?? {}, dir: s.dir ?? '.' }));
  const plan = Buffer.from(segmentPlan(plans, { ...straight(plans.length, { counted }), onHost: true }));
  return Buffer.concat([Buffer.from(`${plan.length}\n`), plan]);
}

interface Hosted {
  code: number | null;
  stdout: string;
  /** The control stream's lines, the tag byte shown as `^`. */
  lines: string[];
}

/**
 * Runs the watcher with `control` (`-`: its stderr) in `cwd`, `data` after the plan; `during` sees each line as it comes;
 * `atEnd` the socket once the watcher has shut it down for writing (the socket's own end is then the test's to close).
 */
function host(
  plan: Buffer,
  data: string,
  options: {
    control?: 'socket';
    env?: Record<string, string>;
    during?: (line: string, socket: net.Socket | undefined) => void;
    atEnd?: (socket: net.Socket) => void;
  } = {},
): Promise<Hosted> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let rest = '';
    let socket: net.Socket | undefined;
    const onData = (chunk: Buffer) => {
      const got = (rest + chunk.toString()).split('\n');
      rest = got.pop()!;
      for (const l of got) {
        const shown = l.startsWith('\x01') ? `^${l.slice(1)}` : l;
        lines.push(shown);
        options.during?.(shown, socket);
      }
    };
    const sockPath = path.join(dir, `c${Math.random().toString(36).slice(2)}`);
    const server =
      options.control === 'socket'
        ? net.createServer({ allowHalfOpen: options.atEnd !== undefined }, (s) => {
            socket = s;
            s.on('data', onData);
            s.on('error', () => {});
            s.on('end', () => options.atEnd?.(s));
          })
        : undefined;
    const start = () => {
      const child = spawn(command[0]!, [...command.slice(1), '--host', server ? sockPath : '-'], {
        cwd: dir,
        env: options.env ?? { PATH: '/usr/bin:/bin', HOME: dir, LOGIN_ONLY: 'yes' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', onData);
      child.stdin.on('error', () => {});
      child.stdin.end(Buffer.concat([plan, Buffer.from(data)]));
      child.on('error', reject);
      child.on('close', (code) => {
        server?.close();
        resolve({ code, stdout, lines });
      });
    };
    if (server) server.listen(sockPath, start);
    else start();
  });
}

describe('pw-segment --host', () => {
  it('runs the plan on the data after it, and tags every report and stderr line onto the stream, `x` last', async () => {
    const plan = framed([{ argv: ['sh', '-c', 'cat; echo warm >&2'] }, { argv: ['sort', '-r'] }], true);
    const r = await host(plan, 'a\nb\nc\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('c\nb\na\n');
    expect(
      r.lines
        .filter((l) => /^\^c (pid|done) /.test(l))
        .map((l) => l.split(' ').slice(0, 3).join(' '))
        .sort(),
    ).toEqual(expect.arrayContaining(['^c done 0', '^c done 1', '^c pid 0', '^c pid 1']) as unknown);
    expect(r.lines).toContain('^c edge 0 3 6 end');
    expect(r.lines).toContain('^e0 warm');
    expect(r.lines).toContain('^z0');
    expect(r.lines).toContain('^z1');
    expect(r.lines.at(-1)).toBe('^x 0');
  });

  it("gives each stage the host's login environment with its own env over it, and PWD its directory there", async () => {
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    const plan = framed([{ argv: ['sh', '-c', 'echo "$LOGIN_ONLY $MINE $PWD"'], env: { MINE: 'declared' }, dir: 'sub' }]);
    const r = await host(plan, '');
    expect(r.stdout).toBe(`yes declared ${fs.realpathSync(path.join(dir, 'sub'))}\n`);
  });

  it.skipIf(portable)('samples running stages from /proc on the stream', async () => {
    let pid = '';
    let sampled = false;
    const plan = framed([{ argv: ['sleep', '300'] }]);
    await host(plan, '', {
      control: 'socket',
      during: (line, socket) => {
        pid ||= /^\^c pid 0 (\d+) /.exec(line)?.[1] ?? '';
        // A sample of the running stage came: end it with a request (no timer in the test).
        if (sampled || !pid || !/^\^s0 \d+ \d+ \d+ \d+ \d+ \d+ [1-9]\d* [1-9]\d* [A-Z]$/.test(line)) return;
        sampled = true;
        socket?.write(`k TERM ${pid}\n`);
      },
    });
    expect(sampled).toBe(true);
  });

  it('signals a running stage on request (`k SIGNAL PID`) and ignores pids that are not its stages', async () => {
    const plan = framed([{ argv: ['sleep', '300'] }]);
    const r = await host(plan, '', {
      control: 'socket',
      during: (line, socket) => {
        const m = /^\^c pid 0 (\d+) /.exec(line);
        if (m) socket?.write(`k KILL ${process.pid}\nk TERM ${m[1]}\n`);
      },
    });
    expect(r.lines.find((l) => l.startsWith('^c done 0 '))?.split(' ')).toEqual(expect.arrayContaining(['143', 'signal']) as unknown);
    expect(r.lines.at(-1)).toBe('^x 0');
  });

  it('keeps its end of the stream open after `x` until the engine closes it: a request written then costs no report', async () => {
    let wrote: Promise<Error | null | undefined> | undefined;
    const r = await host(framed([{ argv: ['echo', 'hi'] }]), '', {
      control: 'socket',
      atEnd: (socket) => {
        // Everything read, `x` last: the engine asks for something, as a Stop does for a stage whose report it has not read yet, then closes its end.
        wrote = new Promise((resolve) => socket.write('k PIPE 1\n', resolve));
        socket.end();
      },
    });
    expect(await wrote).toBeFalsy();
    expect(r.lines.at(-1)).toBe('^x 0');
    expect(r.code).toBe(0);
  });

  it('ends the segment when the control stream goes: SIGTERM to its group, exit 75', async () => {
    const plan = framed([{ argv: ['sleep', '300'] }]);
    let stage = 0;
    const r = await host(plan, '', {
      control: 'socket',
      during: (line, socket) => {
        const m = /^\^c pid 0 (\d+) /.exec(line);
        if (!m) return;
        stage = Number(m[1]);
        socket?.destroy();
      },
    });
    expect(r.code).toBe(75);
    // Gone, or a zombie its reaper has not collected yet: not running.
    const state = fs.existsSync(`/proc/${stage}/stat`) ? fs.readFileSync(`/proc/${stage}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
    expect(['gone', 'Z']).toContain(state);
  });

  it('refuses stdin without a framed plan, saying so', async () => {
    const r = await host(Buffer.from('not a plan\n'), '');
    expect(r.code).toBe(2);
    expect(r.lines).toEqual(['pw-segment: no plan ahead of the data on stdin']);
  });
});
