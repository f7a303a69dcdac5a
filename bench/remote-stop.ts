// Early stop across ssh, run after run, against a host set up like a busy real one: its login
// shell reads a ~/.bashrc that takes 1.5 s (test/unit/engine/remote/sshd.ts). The pipeline is
// `yes` on the host → `head -n 3` here → `write`, run by the built CLI N times in a row. Each run
// must exit 0 with the remote stage stopped early and the file written; a run that takes longer
// than --hang seconds is a hang (killed, counted); after each run no process of it may be left,
// on either side (a marker in the CLI's environment and in the pipeline's, which the host's
// stages get). Also times, in the same rounds, `ssh host true` with the same options (what a run
// costs beyond its connection is the engine's own) and the same pipeline with `yes` here (the
// engine's cost without a host).
// Usage: npm run bench:remote-stop [-- --runs 100 --hang 60]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { marked, markerVariable } from '../test/unit/engine/faults/marker';
import { makeKeys, removeKeys, Sshd } from '../test/unit/engine/remote/sshd';
import { median, numberArg } from './numbers';

const runs = numberArg('runs', 100);
const hangSeconds = numberArg('hang', 60);
const cli = path.resolve(__dirname, '../dist/cli.cjs');

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}

/** Runs a command to its end (or kills it after the hang limit); its exit status, seconds, and whether it hung. */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; seconds: number; hung: boolean; stderr: string }> {
  const t = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, hangSeconds * 1000);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { status, seconds: Number(process.hrtime.bigint() - t) / 1e9, hung, stderr };
}

async function main(): Promise<void> {
  const keys = makeKeys();
  const box = await Sshd.start(keys);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-stop-'));
  try {
    const marker = `bench-stop-${process.pid}`;
    const env = { ...process.env, [markerVariable]: marker };
    const file = path.join(dir, 'stop.pipeline.yaml');
    const stats = path.join(dir, 'stats.json');
    const out = path.join(dir, 'out.txt');
    fs.writeFileSync(
      file,
      `hosts:\n  box: ${box.entry()}\nenv: { ${markerVariable}: "${marker}" }\nstages:\n  - name: endless\n    on: box\n    run: yes\n  - run: head -n 3\n  - use: write\n    with: { path: ${out} }\n`,
    );
    const local = path.join(dir, 'local.pipeline.yaml');
    fs.writeFileSync(local, `stages:\n  - run: yes\n  - run: head -n 3\n  - use: write\n    with: { path: ${out} }\n`);
    const ssh = [
      '-T',
      '-p',
      String(box.port),
      '-i',
      keys.userKey,
      '-o',
      `UserKnownHostsFile=${keys.knownHosts}`,
      '-o',
      'BatchMode=yes',
      'root@127.0.0.1',
      'true',
    ];
    let failures = 0;
    let hangs = 0;
    let leftovers = 0;
    const engine: number[] = [];
    const connection: number[] = [];
    const here: number[] = [];
    for (let i = 0; i < runs; i++) {
      fs.rmSync(out, { force: true });
      const r = await timed(process.execPath, [cli, 'run', '-q', '--stats-json', stats, file], env);
      const statuses = r.status === 0 ? (JSON.parse(fs.readFileSync(stats, 'utf8')) as { stages: { status: string }[] }).stages.map((s) => s.status) : [];
      const ok = r.status === 0 && statuses[0] === 'stopped-early' && fs.existsSync(out) && fs.readFileSync(out, 'utf8') === 'y\ny\ny\n';
      if (r.hung) hangs++;
      else if (!ok) {
        failures++;
        console.log(`run ${i + 1}: exit ${r.status}, statuses ${statuses.join(' ')}: ${r.stderr.trim().split('\n').at(-1)}`);
      }
      engine.push(r.seconds);
      const left = marked(marker);
      if (left.length > 0) {
        leftovers++;
        console.log(`run ${i + 1}: left behind: ${left.join('; ')}`);
        for (const p of left) spawnSync('kill', ['-9', p.split(' ')[0]!]);
      }
      connection.push((await timed('ssh', ssh, process.env)).seconds);
      here.push((await timed(process.execPath, [cli, 'run', '-q', local], process.env)).seconds);
    }
    const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
    console.log(
      `\n${runs} runs on ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}: ${failures} failed, ${hangs} hung, ${leftovers} left processes behind`,
    );
    console.log(`| | median | p95 | max |\n|---|---|---|---|`);
    console.log(
      `| \`pipewright run\` (yes on the host → head -n 3 → write) | ${ms(median(engine))} | ${ms(percentile(engine, 0.95))} | ${ms(Math.max(...engine))} |`,
    );
    console.log(
      `| \`ssh host true\` (its connection and login shell) | ${ms(median(connection))} | ${ms(percentile(connection, 0.95))} | ${ms(Math.max(...connection))} |`,
    );
    const beyond = engine.map((e, i) => e - connection[i]!);
    console.log(`| the same pipeline with \`yes\` here (no host) | ${ms(median(here))} | ${ms(percentile(here, 0.95))} | ${ms(Math.max(...here))} |`);
    console.log(`| the run beyond its connection (paired) | ${ms(median(beyond))} | ${ms(percentile(beyond, 0.95))} | ${ms(Math.max(...beyond))} |`);
    if (failures + hangs + leftovers > 0) process.exitCode = 1;
  } finally {
    await box.stop();
    removeKeys(keys);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
