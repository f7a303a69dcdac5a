// A stage on another host against `ssh host cmd` typed by hand (docs/remote.md): the same sshd
// (a real one on 127.0.0.1, started here as the tests do), the same ssh options (key, known
// hosts, cipher), the same data, alternating, medians of paired runs. Two cases:
//   into the host:  `cat FILE | ssh host wc -l`        vs  `cat FILE` here | `on: box, run: wc -l`
//   out of it:      `ssh host cat FILE | wc -l`        vs  `on: box, run: cat FILE` | `wc -l` here
// The engine's records go to /dev/null, as ssh's do by hand. Into a host, the local stage writes
// into ssh's stdin directly; out of one, ssh writes into the local stage's stdin directly.
// Usage: npm run bench:remote [-- --mb N --runs N --cli dist/cli.cjs --no-counts (out of the host)]
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeKeys, removeKeys, Sshd } from '../test/unit/engine/remote/sshd';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const mb = arg('mb', 300);
const runs = arg('runs', 5);
// `--cli PATH`: another build's CLI (a before/after pair in the same minutes).
const cliArg = process.argv.indexOf('--cli');
const cli = cliArg > 0 ? path.resolve(process.argv[cliArg + 1]!) : path.resolve(__dirname, '../dist/cli.cjs');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed(cmd: string, args: string[], options: { input?: string } = {}): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: [options.input ? fs.openSync(options.input, 'r') : 'ignore', fs.openSync('/dev/null', 'w'), 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${String(r.stderr)}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function main(): Promise<void> {
  const keys = makeKeys();
  const box = await Sshd.start(keys);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-remote-'));
  try {
    const data = path.join(dir, 'data.ndjson');
    const line = `${JSON.stringify({ ts: '2026-12-01T10:00:00Z', path: '/api/items', status: 200, bytes: 5120, agent: 'bench' })}\n`;
    fs.writeFileSync(data, line.repeat(Math.ceil((mb * 1024 * 1024) / line.length)));
    execFileSync('cat', [data], { stdio: ['ignore', 'ignore', 'ignore'] }); // page cache
    const options = [`UserKnownHostsFile=${keys.knownHosts}`, 'StrictHostKeyChecking=yes', 'IdentitiesOnly=yes'];
    const ssh = [
      '-T',
      '-p',
      String(box.port),
      '-i',
      keys.userKey,
      ...options.flatMap((o) => ['-o', o]),
      '-o',
      'BatchMode=yes',
      '-o',
      'Ciphers=^aes128-gcm@openssh.com',
      'root@127.0.0.1',
    ];
    const hosts = `hosts:\n  box: ${box.entry()}\n`;
    const into = path.join(dir, 'into.pipeline.yaml');
    fs.writeFileSync(into, `${hosts}stages:\n  - run: cat ${data}\n  - on: box\n    run: wc -l\n`);
    const out = path.join(dir, 'out.pipeline.yaml');
    fs.writeFileSync(out, `${hosts}stages:\n  - on: box\n    run: cat ${data}\n  - run: wc -l\n`);
    const quoted = ssh.map((a) => `'${a}'`).join(' ');
    const cases = [
      {
        name: `into the host: \`cat FILE | ssh host wc -l\` (${mb} MB)`,
        hand: () => timed('bash', ['-c', `cat ${data} | ssh ${quoted} wc -l`]),
        engine: () => timed(process.execPath, [cli, 'run', '-q', into]),
      },
      {
        name: `out of the host: \`ssh host cat FILE | wc -l\` (${mb} MB)`,
        hand: () => timed('bash', ['-c', `ssh ${quoted} cat ${data} | wc -l`]),
        engine: () => timed(process.execPath, [cli, 'run', '-q', ...(process.argv.includes('--no-counts') ? ['--no-counts'] : []), out]),
      },
    ];
    const rows: string[] = [];
    for (const c of cases) {
      c.hand();
      c.engine(); // warm-up
      const hand: number[] = [];
      const engine: number[] = [];
      for (let i = 0; i < runs; i++) {
        hand.push(c.hand());
        engine.push(c.engine());
      }
      const ratio = median(hand) / median(engine);
      rows.push(
        `| ${c.name} | ${median(hand).toFixed(2)} s (${(mb / median(hand)).toFixed(0)} MB/s) | ${median(engine).toFixed(2)} s (${(mb / median(engine)).toFixed(0)} MB/s) | ${ratio.toFixed(2)} |`,
      );
      console.log(rows.at(-1));
    }
    const load = os.loadavg()[0]!.toFixed(1);
    console.log(
      `\n${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, ${runs} paired runs, load ${load}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await box.stop();
    removeKeys(keys);
  }
}

void main();
