// A stage on a Slurm cluster (docs/remote.md#slurm) against `srun -n1 cat` typed by hand and against
// a local `cat`, on a single-node cluster started here as the tests start theirs
// (test/unit/engine/slurm/cluster.ts), with the same data, alternating, paired runs, medians:
//   by hand:    `srun -n1 cat < FILE | wc -l`          (srun's own stdio forwarding)
//   engine:     `cat FILE` | `on: cluster, run: cat` | `wc -l`   (the step's data over its own connections)
//   local:      `cat FILE | cat | wc -l` in bash        (the same pipeline with no cluster)
//   start-up:   `srun -n1 true` by hand, and one record through a stage on the cluster against the same
//               pipeline run locally by the engine (the difference is what a step costs to start)
//   larger:     at --big MiB (0: not run), the engine on the cluster against the local cat and against the
//               engine running the same pipeline locally, without srun by hand (minutes at its rate)
// Usage: npm run bench:slurm [-- --mb N --big N --runs N]
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cluster, whyNoCluster } from '../test/unit/engine/slurm/cluster';
import { median, numberArg } from './numbers';

const mb = numberArg('mb', 200);
const big = numberArg('big', 1000);
const runs = numberArg('runs', 5);
const cli = path.resolve(__dirname, '../dist/cli.cjs');

async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${status}: ${stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function main(): Promise<void> {
  const why = whyNoCluster();
  if (why) {
    console.log(`SKIPPED: bench:slurm: ${why}`);
    return;
  }
  const cluster = await Cluster.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-slurm-'));
  try {
    const env = { ...process.env, ...cluster.env };
    const file = path.join(dir, 'data.ndjson');
    execFileSync('bash', ['-c', `yes '{"id":12345,"name":"widget","price":12.5,"tags":["a","b"]}' | head -c ${mb * 1024 * 1024} > ${file}`]);
    const hosts = 'hosts:\n  cluster: { slurm: { address: 127.0.0.1 } }\n';
    const write = (name: string, text: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    const stream = write('stream.pipeline.yaml', `${hosts}stages:\n  - run: cat ${file}\n  - on: cluster\n    run: cat\n  - run: wc -l\n`);
    const bigFile = path.join(dir, 'big.ndjson');
    if (big > 0) execFileSync('bash', ['-c', `for i in $(seq ${Math.ceil(big / mb)}); do cat ${file}; done | head -c ${big * 1024 * 1024} > ${bigFile}`]);
    const bigStream = write('big-stream.pipeline.yaml', `${hosts}stages:\n  - run: cat ${bigFile}\n  - on: cluster\n    run: cat\n  - run: wc -l\n`);
    const bigHere = write('big-here.pipeline.yaml', `stages:\n  - run: cat ${bigFile}\n  - run: cat\n  - run: wc -l\n`);
    const oneHere = write('one-here.pipeline.yaml', 'stages:\n  - run: echo hi\n  - run: cat\n');
    const oneThere = write('one-there.pipeline.yaml', `${hosts}stages:\n  - run: echo hi\n  - on: cluster\n    run: cat\n`);
    const rows: Record<string, number[]> = {
      hand: [],
      engine: [],
      local: [],
      srunTrue: [],
      oneHere: [],
      oneThere: [],
      bigEngine: [],
      bigLocal: [],
      bigHere: [],
    };
    const ratios: Record<string, number[]> = { handOverEngine: [], localOverEngine: [], bigLocalOverEngine: [], bigHereOverEngine: [] };
    for (let r = 0; r < runs; r++) {
      const hand = await timed('bash', ['-c', `srun -n1 cat < ${file} | wc -l`], env);
      const engine = await timed(process.execPath, [cli, 'run', '-q', stream], env);
      const local = await timed('bash', ['-c', `cat ${file} | cat | wc -l`], env);
      rows.hand!.push(hand);
      rows.engine!.push(engine);
      rows.local!.push(local);
      ratios.handOverEngine!.push(hand / engine);
      ratios.localOverEngine!.push(local / engine);
      rows.srunTrue!.push(await timed('srun', ['-n1', 'true'], env));
      rows.oneHere!.push(await timed(process.execPath, [cli, 'run', '-q', oneHere], env));
      rows.oneThere!.push(await timed(process.execPath, [cli, 'run', '-q', oneThere], env));
      if (big > 0) {
        const bigEngine = await timed(process.execPath, [cli, 'run', '-q', bigStream], env);
        const bigLocal = await timed('bash', ['-c', `cat ${bigFile} | cat | wc -l`], env);
        const bigHereTime = await timed(process.execPath, [cli, 'run', '-q', bigHere], env);
        rows.bigEngine!.push(bigEngine);
        rows.bigLocal!.push(bigLocal);
        rows.bigHere!.push(bigHereTime);
        ratios.bigLocalOverEngine!.push(bigLocal / bigEngine);
        ratios.bigHereOverEngine!.push(bigHereTime / bigEngine);
      }
      process.stderr.write(`round ${r + 1}/${runs}\n`);
    }
    const rate = (s: number) => `${(mb / s).toFixed(0)} MiB/s`;
    const m = (k: string) => median(rows[k]!);
    console.log(`${mb} MiB, ${runs} paired rounds, medians (${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`);
    console.log(`| path | time | rate |\n|---|---|---|`);
    console.log(`| \`srun -n1 cat < FILE \\| wc -l\` by hand | ${m('hand').toFixed(2)} s | ${rate(m('hand'))} |`);
    console.log(`| pipewright: \`cat FILE\` → \`on: cluster, run: cat\` → \`wc -l\` | ${m('engine').toFixed(2)} s | ${rate(m('engine'))} |`);
    console.log(`| bash \`cat FILE \\| cat \\| wc -l\` (local) | ${m('local').toFixed(2)} s | ${rate(m('local'))} |`);
    console.log(`engine vs srun by hand: ${median(ratios.handOverEngine!).toFixed(1)}× faster (median of per-round ratios)`);
    console.log(`engine vs local cat: ${median(ratios.localOverEngine!).toFixed(2)}× (local time / engine time)`);
    console.log(
      `start-up: srun -n1 true ${m('srunTrue').toFixed(2)} s; one record locally ${m('oneHere').toFixed(2)} s, through a step ${m('oneThere').toFixed(2)} s`,
    );
    // The data path alone: the run's time less what one record through a step takes (the CLI, srun, the step's start).
    const net = m('engine') - m('oneThere');
    console.log(`data path through the step, start-up taken off: ${net.toFixed(2)} s, ${rate(net)}, ${(m('local') / net).toFixed(2)}× the local cat`);
    if (big > 0) {
      const bigRate = (s: number) => `${(big / s).toFixed(0)} MiB/s`;
      console.log(`\n${big} MiB:\n| path | time | rate |\n|---|---|---|`);
      console.log(`| pipewright on the cluster | ${m('bigEngine').toFixed(2)} s | ${bigRate(m('bigEngine'))} |`);
      console.log(`| pipewright, the same stages here | ${m('bigHere').toFixed(2)} s | ${bigRate(m('bigHere'))} |`);
      console.log(`| bash \`cat FILE \\| cat \\| wc -l\` (local) | ${m('bigLocal').toFixed(2)} s | ${bigRate(m('bigLocal'))} |`);
      console.log(
        `engine on the cluster vs local cat: ${median(ratios.bigLocalOverEngine!).toFixed(2)}×; vs the engine here: ${median(ratios.bigHereOverEngine!).toFixed(2)}×`,
      );
    }
  } finally {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
