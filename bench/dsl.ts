// DSL validation benchmark (not a test): `npm run bench:dsl` or `npx tsx bench/dsl.ts [--runs N]`.
// 1. check() on a generated 500-stage pipeline: the first call in a fresh process (includes the
//    ajv schema compile), then N calls after as many again to warm up (the JIT compiles the yaml parser
//    over the first few dozen): wall and CPU time, and the garbage collector's pauses in them. Measured in
//    a process set up as the server's and the CLI's are (plainProcessEnv). Target: median ≤ 40 ms.
//    Each timed check is followed by the `yaml` library reading the same text alone (parseDocument + toJS,
//    with the checker's options): the floor any check built on it has, measured under the same load.
// 2. The ajv compile alone, to decide whether precompiling the validator is worth it.
// 3. CLI start-up: `node dist/cli.cjs check examples/*.pipeline.yaml` against `node -e 0`.
import { execFileSync, spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parseDocument } from 'yaml';
import schema from '../schemas/pipeline.schema.json';
import { check, type DslHost } from '../dsl';
import { plainProcessEnv } from '../dsl/host-node';
import { composeOptions } from '../dsl/compose-options';
import { median } from './numbers';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 100;
const root = path.resolve(import.meta.dirname, '..');

/** 500 varied stages: run, command, every built-in with options, env, ${VAR}s, workers, timeouts. */
export function pipeline500(): string {
  const out = ['name: bench-500', 'description: 500 varied stages', 'env: { REGION: eu, LIMIT: "100", OUT: "${HOME}/out" }', 'stages:'];
  const kinds = [
    (i: number) => [`  - name: grep-${i}`, `    run: grep -v '"skip":true' | head -n \${LIMIT}`, `    env: { N: "${i}" }`],
    (i: number) => [
      `  - name: enrich-${i}`,
      `    command: [node, enrich.js, --region, "\${REGION}", --n, "${i}"]`,
      '    workers: 4',
      '    ordered: true',
      '    timeout: 30s',
    ],
    (i: number) => [`  - name: read-${i}`, '    use: read', '    with: { path: data/products.csv, format: csv, header: true }'],
    (i: number) => [`  - name: filter-${i}`, '    use: filter', `    with: { expr: "r.price > ${i} && r.region === '\${REGION}'", onError: skip }`],
    (i: number) => [`  - name: map-${i}`, '    use: map', '    with:', `      expr: "({ ...r, i: ${i} })"`],
    (i: number) => [`  - name: pick-${i}`, '    use: pick', '    with: { fields: [id, name, price, address.city] }', '    stderr: ignore'],
    (i: number) => [`  - name: sample-${i}`, '    use: sample', `    with: { fraction: 0.5, seed: ${i} }`, '    description: half of them'],
    (i: number) => [`  - name: head-${i}`, '    use: head', '    with: { count: 10 }'],
    (i: number) => [`  - name: write-${i}`, '    use: write', `    with: { path: "out/${i}.ndjson" }`, '    cwd: .'],
    (i: number) => [`  - name: sort-${i}`, '    run: sort -k2 | uniq -c', `    env: { LC_ALL: C, TAG: "\${N:-${i}}" }`],
  ];
  for (let i = 0; i < 500; i++) out.push(...kinds[i % kinds.length]!(i));
  return `${out.join('\n')}\n`;
}

/** Every file and folder exists, every program is on PATH: the checker does all its work, finds nothing. */
const host: DslHost = {
  env: { HOME: '/home/bench', PATH: '/usr/bin' },
  statKind: (p) => (/\.[a-z]+$/.test(p) ? 'file' : 'dir'),
  findProgram: (p) => ({ kind: 'found', path: `/usr/bin/${p}` }),
  readStart: () => ({ text: '{"ok":true}\n', whole: true }),
};

const min = (xs: number[]) => Math.min(...xs);
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Garbage collector pauses (ms) that began between `from` and `to`, on the main thread. */
const pauses: { startTime: number; duration: number }[] = [];
new PerformanceObserver((list) => pauses.push(...list.getEntries())).observe({ entryTypes: ['gc'] });
const paused = (from: number, to: number) => pauses.filter((p) => p.startTime >= from && p.startTime < to).reduce((sum, p) => sum + p.duration, 0);

function timeCheck(): void {
  const text = pipeline500();
  const file = '/bench/bench.pipeline.yaml';
  let t0 = performance.now();
  const first = check(text, { file, host });
  const cold = performance.now() - t0;
  if (first.problems.length > 0) throw new Error(`the bench pipeline should check clean: ${JSON.stringify(first.problems.slice(0, 3))}`);
  for (let i = 0; i < runs; i++) check(text, { file, host });
  const warm: number[] = [];
  const cpu: number[] = [];
  const floor: number[] = [];
  const spans: [number, number][] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    check(text, { file, host });
    const t1 = performance.now();
    warm.push(t1 - t0);
    spans.push([t0, t1]);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    t0 = performance.now();
    parseDocument(text, composeOptions).toJS();
    floor.push(performance.now() - t0);
  }
  const compile: number[] = [];
  for (let i = 0; i < 10; i++) {
    t0 = performance.now();
    new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
    compile.push(performance.now() - t0);
  }
  // The observer hears of pauses later, from the event loop: count them once it has run a while.
  setTimeout(() => {
    const gc = spans.reduce((total, [from, to]) => total + paused(from, to), 0) / runs;
    console.log(`500 stages, ${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KB`);
    console.log(`check() first call (cold, includes the ajv compile): ${ms(cold)}`);
    console.log(`check() warm, ${runs} runs after ${runs} to warm up: min ${ms(min(warm))}, median ${ms(median(warm))} (target ≤ 40 ms)`);
    console.log(`  CPU time of the process (the collector's helper threads too): min ${ms(min(cpu))}, median ${ms(median(cpu))}`);
    console.log(`  garbage collector pauses: ${ms(gc)} per check on average`);
    console.log(
      `the yaml library alone (parseDocument + toJS), after each check: min ${ms(min(floor))}, median ${ms(median(floor))}; ` +
        `check() / library: ${(median(warm) / median(floor)).toFixed(2)}x at the median`,
    );
    console.log(`ajv compile of the schema alone, 10 runs: min ${ms(min(compile))}, median ${ms(median(compile))}`);
    timeCli();
  }, 200);
}

function timeCli(): void {
  const cli = path.join(root, 'dist/cli.cjs');
  if (!fs.existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const examples = fs
    .readdirSync(path.join(root, 'examples'))
    .filter((f) => f.endsWith('.pipeline.yaml'))
    .map((f) => path.join('examples', f));
  const time = (args: string[]) => {
    const xs: number[] = [];
    for (let i = 0; i < Math.max(10, Math.floor(runs / 2)); i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
      xs.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
    }
    return xs;
  };
  const bare = time(['-e', '0']);
  const checkCli = time([cli, 'check', ...examples]);
  console.log(`node -e 0: min ${ms(min(bare))}, median ${ms(median(bare))}`);
  console.log(`node dist/cli.cjs check examples/*.pipeline.yaml (${examples.length} files): min ${ms(min(checkCli))}, median ${ms(median(checkCli))}`);
  console.log(`CLI cost over bare node: median ${ms(median(checkCli) - median(bare))}`);
}

console.log(
  `${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ` +
    `load ${os.loadavg()[0]!.toFixed(1)}`,
);
plainProcessEnv();
timeCheck();
