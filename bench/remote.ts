// A stage on another host against `ssh host cmd` typed by hand (docs/remote.md): the same sshd
// (a real one on 127.0.0.1, started here as the tests do), the same ssh options (key, known
// hosts), the same data, alternating, paired runs, medians. By hand twice: as typed (the cipher
// ssh negotiates by default) and with the engine's cipher forced (AES-GCM where this CPU has AES
// instructions; engine/ssh.ts), so the rows separate what the cipher buys from everything else.
// Three cases:
//   into the host:  `cat FILE | ssh host wc -l`        vs  `cat FILE` here | `on: box, run: wc -l`
//   out of it:      `ssh host cat FILE | wc -l`        vs  `on: box, run: cat FILE` | `wc -l` here
//   start-up:       `ssh host echo hi | cat`           vs  the same one record through the engine (a fixed
//                   cost: the CLI's start, the connection, the scripts sent; its own line, not a rate)
// The engine's records go to /dev/null, as ssh's do by hand. Into a host, the local stage writes
// into ssh's stdin directly; out of one, ssh writes into the local stage's stdin directly.
// The ratio of a row is the median of the per-round ratios (by hand / engine, each round's two
// runs back to back), steadier on a shared machine than the ratio of the medians (also shown).
// Usage: npm run bench:remote [-- --mb N --runs N --cli dist/cli.cjs --before OTHER/cli.cjs --no-counts]
//   --before: a second build's CLI run in the same rounds (hand, before, after): before/after pairs.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeKeys, removeKeys, Sshd } from '../test/unit/engine/remote/sshd';
import { median, numberArg } from './numbers';

const mb = numberArg('mb', 300);
const runs = numberArg('runs', 5);
// `--cli PATH`: another build's CLI (a before/after pair in the same minutes).
const pathArg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? path.resolve(process.argv[i + 1]!) : undefined;
};
const cli = pathArg('cli') ?? path.resolve(__dirname, '../dist/cli.cjs');
const before = pathArg('before');
const noCounts = process.argv.includes('--no-counts') ? ['--no-counts'] : [];

/** Not spawnSync: this process must go on reading sshd's log (a full pipe would stop sshd, and every connection with it). */
async function timed(cmd: string, args: string[]): Promise<number> {
  const devNull = fs.openSync('/dev/null', 'w');
  try {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', devNull, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += String(c)));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${status}: ${stderr}`);
    return Number(process.hrtime.bigint() - t) / 1e9;
  } finally {
    fs.closeSync(devNull);
  }
}

async function main(): Promise<void> {
  const keys = makeKeys();
  // A host with a quick login: this measures the data path (bench/remote-stop.ts has the slow login).
  const box = await Sshd.start(keys, '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-remote-'));
  try {
    const data = path.join(dir, 'data.ndjson');
    const line = `${JSON.stringify({ ts: '2026-12-01T10:00:00Z', path: '/api/items', status: 200, bytes: 5120, agent: 'bench' })}\n`;
    // In 64 MB pieces: a string of several GB is more than Node allows.
    const piece = line.repeat(Math.ceil((64 * 1024 * 1024) / line.length));
    const fd = fs.openSync(data, 'w');
    for (let left = mb * 1024 * 1024; left > 0; left -= piece.length)
      fs.writeSync(fd, left >= piece.length ? piece : piece.slice(0, left - (left % line.length) || line.length));
    fs.closeSync(fd);
    execFileSync('cat', [data], { stdio: ['ignore', 'ignore', 'ignore'] }); // page cache
    const options = [`UserKnownHostsFile=${keys.knownHosts}`, 'StrictHostKeyChecking=yes', 'IdentitiesOnly=yes'];
    const ssh = ['-T', '-p', String(box.port), '-i', keys.userKey, ...options.flatMap((o) => ['-o', o]), '-o', 'BatchMode=yes', 'root@127.0.0.1'];
    const sameCipher = ['-o', 'Ciphers=^aes128-gcm@openssh.com', ...ssh];
    const hosts = `hosts:\n  box: ${box.entry()}\n`;
    const into = path.join(dir, 'into.pipeline.yaml');
    fs.writeFileSync(into, `${hosts}stages:\n  - run: cat ${data}\n  - on: box\n    run: wc -l\n`);
    const out = path.join(dir, 'out.pipeline.yaml');
    fs.writeFileSync(out, `${hosts}stages:\n  - on: box\n    run: cat ${data}\n  - run: wc -l\n`);
    const one = path.join(dir, 'one.pipeline.yaml');
    fs.writeFileSync(one, `${hosts}stages:\n  - on: box\n    run: echo hi\n  - run: cat\n`);
    const quote = (args: string[]) => args.map((a) => `'${a}'`).join(' ');
    const quoted = quote(sameCipher);
    const typed = quote(ssh);
    const engine = (file: string) => (bin: string) => timed(process.execPath, [bin, 'run', '-q', ...noCounts, file]);
    const cases = [
      {
        name: `into the host: \`cat FILE | ssh host wc -l\` (${mb} MB)`,
        mb,
        hand: () => timed('bash', ['-c', `cat ${data} | ssh ${quoted} wc -l`]),
        typed: () => timed('bash', ['-c', `cat ${data} | ssh ${typed} wc -l`]),
        engine: engine(into),
      },
      {
        name: `out of the host: \`ssh host cat FILE | wc -l\` (${mb} MB)`,
        mb,
        hand: () => timed('bash', ['-c', `ssh ${quoted} cat ${data} | wc -l`]),
        typed: () => timed('bash', ['-c', `ssh ${typed} cat ${data} | wc -l`]),
        engine: engine(out),
      },
      {
        name: 'start-up: `ssh host echo hi | cat` (1 record)',
        mb: 0,
        hand: () => timed('bash', ['-c', `ssh ${quoted} echo hi | cat`]),
        typed: () => timed('bash', ['-c', `ssh ${typed} echo hi | cat`]),
        engine: engine(one),
      },
    ];
    const clis = before ? [before, cli] : [cli];
    const loads = [os.loadavg()[0]!];
    console.log("| case | by hand, as typed | by hand, engine's cipher | engine | ratio vs as typed | ratio vs same cipher |\n|---|---|---|---|---|---|");
    for (const c of cases) {
      await c.hand();
      for (const bin of clis) await c.engine(bin); // warm-up
      const hand: number[] = [];
      const asTyped: number[] = [];
      const engines = clis.map(() => [] as number[]);
      const engineRuns = async () => {
        for (const [j, bin] of clis.entries()) engines[j]!.push(await c.engine(bin));
      };
      // The start-up case is short: more rounds for the same confidence.
      // Every other round the engine goes first: neither side always follows the other.
      for (let i = 0; i < (c.mb ? runs : runs * 3); i++) {
        if (i % 2) await engineRuns();
        hand.push(await c.hand());
        asTyped.push(await c.typed());
        if (!(i % 2)) await engineRuns();
      }
      loads.push(os.loadavg()[0]!);
      const rate = (t: number) => (c.mb ? ` (${(c.mb / t).toFixed(0)} MB/s)` : '');
      clis.forEach((bin, j) => {
        const e = engines[j]!;
        const ratio = (by: number[]) => `${median(by.map((h, i) => h / e[i]!)).toFixed(2)} (${(median(by) / median(e)).toFixed(2)})`;
        const extra = (by: number[]) => (c.mb ? '' : `, +${((median(e) - median(by)) * 1000).toFixed(0)} ms`);
        const who = before ? (bin === before ? ' [before]' : ' [after]') : '';
        const time = (xs: number[]) => `${median(xs).toFixed(2)} s${rate(median(xs))}`;
        console.log(`| ${c.name}${who} | ${time(asTyped)} | ${time(hand)} | ${time(e)}${extra(hand)} | ${ratio(asTyped)} | ${ratio(hand)} |`);
      });
    }
    const load = `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
    console.log(
      `\n${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC, ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, ${runs} paired runs` +
        ` (start-up ${runs * 3}), load average ${load}${noCounts.length ? ', --no-counts' : ''}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await box.stop();
    removeKeys(keys);
  }
}

void main();
