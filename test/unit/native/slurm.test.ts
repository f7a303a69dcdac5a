// The contract of `pw-segment --slurm-local` and `--slurm-step` (docs/engine-protocol.md, "On a Slurm
// cluster"), tested on the program itself with no cluster: each side against this test playing the
// other. The local end starts a stand-in for srun (sh) that says what it got and what srun would say;
// the test connects back as a step would (a wrong token first). The step connects back to a port this
// test listens on, reads its framed plan and data there and writes its output and control stream
// there. The Slurm tests (test/unit/engine/slurm) run both with a real cluster in between.
// PIPEWRIGHT_SEGMENT_PROGRAM runs it against another build (npm run test:native-sanitized, test:native-platforms).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hostTarget, nativeProgramPath } from '../../../engine/native-programs';
import { segmentPlan, straight } from '../../../engine/segment-plan';

const program = process.env.PIPEWRIGHT_SEGMENT_PROGRAM ?? nativeProgramPath(path.resolve(__dirname, '../../../dist'), hostTarget);
const command = [...(process.env.PIPEWRIGHT_SEGMENT_LAUNCHER?.split(' ').filter(Boolean) ?? []), program];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-slurm-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// A test that fails midway leaves nothing running: the local end would wait for a step that never comes.
const started = new Set<ChildProcess>();
afterEach(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  started.clear();
});
/** The program under test with `args`, remembered for the clean-up. */
function start(args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const child = spawn(command[0]!, [...command.slice(1), ...args], options);
  started.add(child);
  return child;
}

function framed(argvs: string[][]): Buffer {
  const plans = argvs.map((argv) => ({ argv, env: {}, dir: '.' }));
  const plan = Buffer.from(segmentPlan(plans, { ...straight(plans.length, { counted: false }), onHost: true }));
  return Buffer.concat([Buffer.from(`${plan.length}\n`), plan]);
}

/** Every line of `stream` to `each` as it comes; resolves with all of them at its end. */
function lines(stream: NodeJS.ReadableStream, each: (line: string) => void = () => {}): Promise<string[]> {
  const all: string[] = [];
  let rest = '';
  stream.on('data', (c: Buffer) => {
    const got = (rest + c.toString()).split('\n');
    rest = got.pop()!;
    for (const l of got) {
      const shown = l.startsWith('\x01') ? `^${l.slice(1)}` : l;
      all.push(shown);
      each(shown);
    }
  });
  return new Promise((resolve) => stream.on('end', () => resolve(rest ? [...all, rest] : all)));
}

const ended = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
/** `allowHalfOpen`: it writes on after the other end has shut down its side (the step's output). */
const connect = (port: number, allowHalfOpen = false) =>
  new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen }, () => resolve(s));
    s.on('error', reject);
  });
const received = (s: net.Socket) =>
  new Promise<string>((resolve) => {
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString()));
    // Closed with bytes it never read, the other end resets the connection: the end all the same.
    s.on('error', () => {});
    s.on('close', () => resolve(got));
  });

describe('pw-segment --slurm-local', () => {
  // The stand-in for srun: prints the line it got on its stdin, whether the local end's variables reached it, and the line srun gives for a queued job.
  const fakeSrun = [
    '/bin/sh',
    '-c',
    'IFS= read -r b; echo "got $b ${__PW_SLURM_NAME:-clean}"; echo "srun: job 12 queued and waiting for resources" >&2; exec cat >/dev/null',
  ];

  /** The local end with the stand-in for srun, its control stream going to a socket this test serves with `engine`; once srun has its line. */
  async function localEnd(name: string, engine: (s: net.Socket) => void) {
    const socket = path.join(dir, `${name}.sock`);
    const server = net.createServer(engine);
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const child = start(['--slurm-local', ...fakeSrun], {
      env: { PATH: '/usr/bin:/bin', __PW_SLURM_ADDR: '127.0.0.1', __PW_SLURM_NAME: `pw-${name}-1`, __PW_CTL_LOCAL: socket },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const code = ended(child);
    let back: ((v: { port: number; token: string }) => void) | undefined;
    const address = new Promise<{ port: number; token: string }>((resolve) => (back = resolve));
    const said = lines(child.stderr!, (l) => {
      const m = /^got 127\.0\.0\.1 (\d+) ([0-9a-f]{32}) clean$/.exec(l);
      if (m) back!({ port: Number(m[1]), token: m[2]! });
    });
    return { child, code, said, server, ...(await address) };
  }

  it('hands srun its address and token, takes only connections with the token, relays the data both ways and the control stream', async () => {
    let fromStep = '';
    const toStep = 'k TERM 1\n';
    const { child, code, said, server, port, token } = await localEnd('engine', (s) => {
      s.write(toStep);
      s.on('data', (c: Buffer) => (fromStep += c.toString()));
      s.on('end', () => s.end());
    });
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stdin!.end('records\n');

    // Anyone may connect; without the token the connection is closed and counts for nothing.
    const stranger = await connect(port);
    stranger.write(`${'0'.repeat(32)} i 1 0 evil\n`);
    expect(await received(stranger)).toBe('');
    // Nor does anything else that is not a hello line: no newline within 256 bytes, binary, an unknown kind, nothing at all.
    for (const junk of [
      Buffer.alloc(300, 0x41),
      Buffer.from([0, 1, 2, 0xff, 10]),
      Buffer.from(`${token} x 1 0 n\n`),
      Buffer.from(`${token}\n`),
      Buffer.from('\n'),
    ]) {
      const s = await connect(port);
      s.write(junk);
      expect(await received(s)).toBe('');
    }

    const input = await connect(port);
    input.write(`${token} i 12 0 node1\n`);
    const output = await connect(port, true);
    output.write(`${token} o 12 0 node1\n`);
    // Nothing comes back on the output: the local end shuts it down for writing at once (a late write of the step's stage then gets SIGPIPE).
    const outputShut = new Promise<void>((resolve) => output.once('end', resolve));
    // A second input is refused: each kind comes once.
    const again = await connect(port);
    again.write(`${token} i 12 0 node1\n`);
    expect(await received(again)).toBe('');
    const ctl = await connect(port);
    ctl.write(`${token} c 12 0 node1\n`);
    // The engine's request comes through before the step ends its stream (after that, nothing reads it: the step has ended).
    let requests = '';
    await new Promise<void>((resolve) =>
      ctl.on('data', (c: Buffer) => {
        requests += c.toString();
        if (requests === toStep) resolve();
      }),
    );
    expect(await received(input)).toBe('records\n');
    await outputShut;
    output.end('result\n');
    ctl.end('\x01x 0\n');
    expect(await code).toBe(0);
    server.close();
    expect(stdout).toBe('result\n');
    expect(fromStep).toBe('\x01x 0\n');
    const l = await said;
    expect(l).toContain('^q 12');
    expect(l).toContain('srun: job 12 queued and waiting for resources');
    expect(l).toContain('^r 12.0 node1');
  });

  it('keeps the engine’s end open until the engine closes it: a request written after the step has ended costs none of its last reports', async () => {
    let engine: ((s: net.Socket) => void) | undefined;
    const engineSide = new Promise<net.Socket>((resolve) => (engine = resolve));
    const { child, code, server, port, token } = await localEnd('last', (s) => {
      s.pause(); // nothing read yet: what the step said waits in the socket
      engine!(s);
    });
    child.stdin!.end();
    child.stdout!.resume();
    const hello = async (kind: string) => {
      const s = await connect(port);
      s.write(`${token} ${kind} 12 0 node1\n`);
      return s;
    };
    const [input, output, ctl] = [await hello('i'), await hello('o'), await hello('c')];
    const fromLocal = await engineSide;
    input.resume();
    output.end();
    // The step's last report and its end, then its control stream ends; srun (the stand-in) has ended already.
    ctl.end('\x01c done 0 1 0 0 0 0 0 exit 0\n\x01x 0\n');
    // Once the local end has closed the step's connection, the engine asks for something, as a Stop does for a stage it has no report of yet.
    await new Promise((resolve) => ctl.on('close', resolve));
    const writeError = new Promise<Error | null | undefined>((resolve) => fromLocal.write('k PIPE 1\n', resolve));
    const got = received(fromLocal);
    fromLocal.resume();
    expect(await writeError).toBeFalsy();
    fromLocal.end();
    expect(await got).toBe('\x01c done 0 1 0 0 0 0 0 exit 0\n\x01x 0\n');
    expect(await code).toBe(0);
    server.close();
  });

  it('scancels its job by name on SIGTERM, in a process group of its own, and exits 143', async () => {
    // A stand-in for scancel on PATH: it says its arguments and whether it leads its own group on a FIFO this test reads.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    const fifo = path.join(dir, 'scancel.fifo');
    fs.rmSync(fifo, { force: true });
    const made = spawn('mkfifo', [fifo]);
    await ended(made);
    fs.writeFileSync(path.join(bin, 'scancel'), `#!/bin/sh\n[ "$(ps -o pgid= -p $$ | tr -d ' ')" = "$$" ] && g=own; echo "$* $g" > ${fifo}\n`, { mode: 0o755 });
    const child = start(['--slurm-local', ...fakeSrun], {
      env: { PATH: `${bin}:/usr/bin:/bin`, __PW_SLURM_ADDR: '127.0.0.1', __PW_SLURM_NAME: 'pw-slow-2' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const code = ended(child);
    lines(child.stderr!, (l) => {
      if (l.startsWith('got ')) child.kill('SIGTERM');
    }).catch(() => {});
    const cancelled = lines(fs.createReadStream(fifo));
    expect(await code).toBe(143);
    expect(await cancelled).toEqual(['--quiet --name=pw-slow-2 own']);
  });

  it('says it cannot use an address that is not numeric, and starts nothing', async () => {
    const child = start(['--slurm-local', 'false'], {
      env: { PATH: '/usr/bin:/bin', __PW_SLURM_ADDR: 'login-1.lan', __PW_SLURM_NAME: 'pw-x-3' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const said = lines(child.stderr!);
    expect(await ended(child)).toBe(70);
    expect(await said).toEqual(["pipewright: cannot resolve login-1.lan (the `address` of the cluster's host entry)"]);
  });
});

describe('pw-segment --slurm-step', () => {
  /** The step against a local end played by this test: the three connections it makes, each with its hello line. */
  async function step(plan: Buffer, data: string, onOutput: (s: net.Socket) => Promise<string>) {
    const hellos: string[] = [];
    const conns = new Map<string, net.Socket>();
    let all: () => void = () => {};
    const connected = new Promise<void>((resolve) => (all = resolve));
    const server = net.createServer((s) => {
      let head = '';
      const onData = (c: Buffer) => {
        head += c.toString('latin1');
        const nl = head.indexOf('\n');
        if (nl < 0) return;
        s.off('data', onData);
        const hello = head.slice(0, nl);
        hellos.push(hello);
        conns.set(hello.split(' ')[1]!, s);
        if (head.length > nl + 1) s.unshift(Buffer.from(head.slice(nl + 1), 'latin1'));
        if (conns.size === 3) all();
      };
      s.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const child = start(['--slurm-step'], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', HOME: dir, __PW_SLURM_BACK: `127.0.0.1 ${port} sesame`, SLURM_JOB_ID: '7', SLURM_STEP_ID: '0', SLURMD_NODENAME: 'n1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const code = ended(child);
    await connected;
    server.close();
    // As the local end does (slurm-local.c): nothing goes back on the output, and its end shut down for writing is what gives the stage SIGPIPE once it closes.
    conns.get('o')!.end();
    const ctl = lines(conns.get('c')!);
    conns.get('i')!.on('error', () => {});
    conns.get('i')!.end(Buffer.concat([plan, Buffer.from(data)]));
    const output = await onOutput(conns.get('o')!);
    return { hellos, output, control: await ctl, code: await code };
  }

  it('connects back with the token three times and runs the segment on the data, with its output and control stream there', async () => {
    const r = await step(framed([['sh', '-c', 'echo "${__PW_SLURM_BACK:-no token}" >&2; sort -r']]), 'a\nb\nc\n', received);
    expect(r.hellos).toEqual(['sesame i 7 0 n1', 'sesame o 7 0 n1', 'sesame c 7 0 n1']);
    expect(r.output).toBe('c\nb\na\n');
    // The stages do not see the token.
    expect(r.control).toContain('^e0 no token');
    expect(r.control.at(-1)).toBe('^x 0');
    expect(r.code).toBe(0);
  });

  it('stops a stage early when the local end closes the output connection: SIGPIPE, as in a shell', async () => {
    const r = await step(framed([['yes']]), '', async (o) => {
      const first = await new Promise<string>((resolve) => o.once('data', (c: Buffer) => resolve(c.toString())));
      o.destroy();
      return first;
    });
    expect(r.output.startsWith('y\n')).toBe(true);
    expect(r.control.find((l) => l.startsWith('^c done 0 '))?.split(' ')).toEqual(expect.arrayContaining(['141']) as unknown);
    expect(r.control.at(-1)).toBe('^x 0');
  });
});
