// Engine benchmarks: every case is timed against bash running the same pipeline in the same
// run, alternating, median of several runs. Prints a table; `--quick` uses less data and fewer
// runs. Data is generated into bench/data/ (gitignored). See bench/README.md for results.
//
//   npm run bench              # ~1 GB cases, 5 runs each
//   npm run bench -- --quick   # ~256 MB, 3 runs
//   npm run bench -- --only=b,g  # just those cases (r: a stage's peak memory; s: start-up, with 20 stages too)
//   (g) compares with GNU parallel when /usr/bin/parallel exists (apt-get install parallel)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dpkgLog } from '../scripts/dpkg-log';
import { loadEngine } from './engine-bundle';
import type { RunOptions, RunResult } from '../engine';

const here = __dirname;
const root = path.resolve(here, '..');
const dataDir = path.join(here, 'data');
const quick = process.argv.includes('--quick');
// --only=b,g runs just those cases (letters as in the table).
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (id: string) => !only || only.includes(id);
const runs = quick ? 3 : 5;
const MB = 1024 * 1024;
const sizes = quick
  ? { a: 256 * MB, c: 100 * MB, d: 20 * MB, fSmall: 100 * MB, fLarge: 1024 * MB, g: 10 * MB, k: 32 * MB }
  : { a: 1024 * MB, c: 300 * MB, d: 50 * MB, fSmall: 100 * MB, fLarge: 3072 * MB, g: 15 * MB, k: 128 * MB };

fs.mkdirSync(dataDir, { recursive: true });

const { check, nodeHost, startRun } = loadEngine('bench-engine');
const cli = path.join(root, 'dist/cli.cjs');

/** Whole records only (jq fails on a cut line): N bytes of the data file as a `head -n` command. Set in main(). */
let firstBytes: (bytes: number) => string;
let file: string;

interface RatioRow {
  id: 'a' | 'b' | 'c' | 'd' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n';
  title: string;
  bashMs: number;
  engineMs: number;
  ratio: number;
  bestRatio: number;
  pairedRatio: number;
  cpuRatio: number;
  bashCpuMs: number;
  engineCpuMs: number;
  target: number;
  met: boolean;
  all: { bash: number[]; engine: number[] };
  cliMs?: number;
  cliRatio?: number;
}
interface WorkersRow {
  id: 'g';
  title: string;
  one: number;
  two: number;
  twoOrdered: number;
  bash: number;
  parallel: number | undefined;
  speedup: number;
  orderedSpeedup: number;
  vsParallel: number | undefined;
  pairedSpeedup: number;
  target: string;
  met: boolean;
  hasParallel: boolean;
  all: Record<string, number[]>;
}
interface EarlyStopRow {
  id: 'e';
  title: string;
  bashMs: number;
  engineMs: number;
  endEventAfterHeadMs: number;
  target: string;
  met: boolean;
}
interface RssRow {
  id: 'f';
  title: string;
  smallKb: number;
  largeKb: number;
  target: string;
  met: boolean;
}
interface StageRssRow {
  id: 'r';
  title: string;
  /** Per program: GNU time's peak, and the stage's `maxRssKb` through pw-segment (KB). */
  programs: { stage: string; timeKb: number; nativeKb: number }[];
  target: string;
  met: boolean;
}
type Row = RatioRow | WorkersRow | EarlyStopRow | RssRow | StageRssRow;

/** ~1 GB of NDJSON access-log records (page-cached after the first run). */
function ensureData(bytes: number): string {
  const file = path.join(dataDir, 'records.ndjson');
  if (fs.existsSync(file) && fs.statSync(file).size >= bytes) return file;
  process.stderr.write(`generating ${bytes / MB} MB of NDJSON in ${file} ...\n`);
  const paths = ['/api/products', '/api/cart', '/api/checkout', '/static/app.js', '/api/users', '/health'];
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const lines: string[] = [];
  let size = 0;
  for (let id = 0; size < 4 * MB; id++) {
    const record = {
      id,
      ts: 1795300000 + id,
      user: `u${rnd(5000)}`,
      path: `${paths[rnd(paths.length)]}/${rnd(100)}`,
      status: [200, 200, 200, 201, 304, 404, 500, 503][rnd(8)],
      ms: rnd(2000),
      region: ['eu', 'us', 'ap'][rnd(3)],
      tags: ['web', 'mobile', 'api'].slice(0, 1 + rnd(3)),
    };
    const line = `${JSON.stringify(record)}\n`;
    lines.push(line);
    size += line.length;
  }
  const block = Buffer.from(lines.join(''));
  const fd = fs.openSync(file, 'w');
  for (let written = 0; written < bytes; written += block.length) fs.writeSync(fd, block);
  fs.closeSync(fd);
  return file;
}

/**
 * A dpkg-style text log of about `bytes` (scripts/dpkg-log.ts, repeated), and the same lines as
 * `{"hour","action"}` records: the text `parse` reads and the records `count` counts.
 */
function ensureLogs(bytes: number): { log: string; pairs: string } {
  const log = path.join(dataDir, `dpkg-${bytes / MB}.log`);
  const pairs = path.join(dataDir, `pairs-${bytes / MB}.ndjson`);
  if (fs.existsSync(log) && fs.existsSync(pairs)) return { log, pairs };
  process.stderr.write(`generating ${bytes / MB} MB of dpkg-style log in ${log} ...\n`);
  const block = Buffer.from(dpkgLog({ seed: 1, days: 1000, end: '2026-06-02' }));
  const records = Buffer.from(
    block
      .toString()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `${JSON.stringify({ hour: l.slice(11, 13), action: l.split(' ')[2] })}\n`)
      .join(''),
  );
  const logFd = fs.openSync(log, 'w');
  const pairsFd = fs.openSync(pairs, 'w');
  for (let written = 0; written < bytes; written += block.length) {
    fs.writeSync(logFd, block);
    fs.writeSync(pairsFd, records);
  }
  fs.closeSync(logFd);
  fs.closeSync(pairsFd);
  return { log, pairs };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Wall time, and CPU time of every process (GNU time: user + sys of bash and its children).
 * bash runs in a session of its own, as the engine's segments do: with the kernel's scheduler
 * autogroups (on here), a new session is a new CPU-sharing group, which matters when the
 * machine is shared.
 */
function timeBash(script: string): { ms: number; cpuMs: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/setsid', ['-w', '/usr/bin/time', '-f', '%U %S', '/bin/bash', '-c', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: dataDir,
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bash failed (${r.status}): ${script}: ${r.stderr}`);
  const [user = NaN, sys = NaN] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { ms, cpuMs: (user + sys) * 1000 };
}

function pipelineOf(yaml: string) {
  const r = check(yaml, { file: path.join(dataDir, 'bench.pipeline.yaml'), host: nodeHost() });
  if (!r.ok) throw new Error(`bench pipeline invalid: ${JSON.stringify(r.problems)}`);
  return r.pipeline;
}

/**
 * Runs through the engine in this process with default stats on; records are drained and
 * dropped. CPU: every stage's exact total (from its wrapper) plus this Node process's own.
 */
async function engineRun(yaml: string, options: Partial<RunOptions> = {}): Promise<{ ms: number; cpuMs: number; result: RunResult }> {
  const pipeline = pipelineOf(yaml);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const handle = startRun(pipeline, { fileDir: dataDir, file: 'bench.pipeline.yaml', ...options });
  for await (const e of handle.events)
    if (e.type === 'end' && e.result.outcome !== 'succeeded') throw new Error(`engine run failed: ${e.result.error?.message}`);
  const result = await handle.result;
  const ms = performance.now() - t0;
  const node = process.cpuUsage(cpu0);
  const cpuMs = (node.user + node.system) / 1000 + result.stages.reduce((sum, s) => sum + s.stats.cpuUserMs + s.stats.cpuSysMs, 0);
  return { ms, cpuMs, result };
}

function timeCli(yamlFile: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', '-q', yamlFile], { stdio: ['ignore', 'ignore', 'inherit'], cwd: dataDir });
  if (r.status !== 0) throw new Error(`cli failed (${r.status}) on ${yamlFile}`);
  return performance.now() - t0;
}

/** Stages as YAML; `extra` (per stage, optional) adds keys such as `tap: true` or `workers: 2`. */
const yamlOf = (stages: string[], extra: Record<string, unknown>[] = []) =>
  `stages:\n${stages
    .map(
      (s, i) =>
        `  - run: ${JSON.stringify(s)}\n${Object.entries(extra[i] ?? {})
          .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`)
          .join('')}`,
    )
    .join('')}`;

/** bash vs engine (and optionally the CLI) on the same stages, alternating. */
async function ratioCase(
  id: RatioRow['id'],
  title: string,
  stages: string[],
  target: number,
  withCli = false,
  extra: Record<string, unknown>[] = [],
  options: Partial<RunOptions> = {},
): Promise<RatioRow> {
  return timedCase(id, title, stages.join(' | '), yamlOf(stages, extra), target, withCli, options);
}

/** bash running `script` vs the engine running `yaml`, alternating (ratioCase for a straight line). */
async function timedCase(
  id: RatioRow['id'],
  title: string,
  script: string,
  yaml: string,
  target: number,
  withCli = false,
  options: Partial<RunOptions> = {},
): Promise<RatioRow> {
  const yamlFile = path.join(dataDir, `case-${id}.pipeline.yaml`);
  fs.writeFileSync(yamlFile, yaml);
  timeBash(script); // warm the page cache
  const bash: number[] = [];
  const engine: number[] = [];
  const bashCpu: number[] = [];
  const engineCpu: number[] = [];
  const cliTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = timeBash(script);
    bash.push(b.ms);
    bashCpu.push(b.cpuMs);
    const e = await engineRun(yaml, options);
    engine.push(e.ms);
    engineCpu.push(e.cpuMs);
    if (withCli) cliTimes.push(timeCli(yamlFile));
  }
  const ratio = median(bash) / median(engine);
  const row: RatioRow = {
    id,
    title,
    bashMs: median(bash),
    engineMs: median(engine),
    ratio,
    bestRatio: Math.min(...bash) / Math.min(...engine),
    // bash and engine runs back to back see about the same machine load: the median of those
    // pairs' ratios is steadier than the ratio of medians on a shared machine.
    pairedRatio: median(bash.map((b, i) => b / engine[i]!)),
    cpuRatio: median(bashCpu) / median(engineCpu),
    bashCpuMs: median(bashCpu),
    engineCpuMs: median(engineCpu),
    target,
    met: ratio >= target,
    all: { bash, engine },
  };
  if (withCli) Object.assign(row, { cliMs: median(cliTimes), cliRatio: median(bash) / median(cliTimes) });
  return row;
}

/**
 * (g) \`workers: 2\` on a CPU-heavy stage vs one worker (the same stage through the engine) and
 * vs GNU parallel (\`parallel --pipe -j2\`), alternating; bash running the stage once for scale.
 */
async function workersCase(): Promise<WorkersRow> {
  const sq = (x: string) => `'${x.replace(/'/g, `'\\''`)}'`;
  const heavy = `jq -c '.ms as $m | {path, status, h: ([range(0; 30)] | map(. * $m) | add)}'`;
  const stages = [firstBytes(sizes.g), heavy, 'wc -l'];
  const hasParallel = fs.existsSync('/usr/bin/parallel');
  const times: Record<'one' | 'two' | 'twoOrdered' | 'parallel' | 'bash', number[]> = { one: [], two: [], twoOrdered: [], parallel: [], bash: [] };
  const shell = stages.join(' | ');
  timeBash(shell); // warm up
  for (let i = 0; i < runs; i++) {
    times.bash.push(timeBash(shell).ms);
    times.one.push((await engineRun(yamlOf(stages))).ms);
    times.two.push((await engineRun(yamlOf(stages, [{}, { workers: 2 }]))).ms);
    times.twoOrdered.push((await engineRun(yamlOf(stages, [{}, { workers: 2, ordered: true }]))).ms);
    // --block 1M: parallel's default; -j2: two jq at a time, as workers: 2 runs two copies.
    if (hasParallel) times.parallel.push(timeBash(`${stages[0]} | parallel --pipe -j2 --block 1M ${sq(heavy)} | wc -l`).ms);
  }
  const m = {
    one: median(times.one),
    two: median(times.two),
    twoOrdered: median(times.twoOrdered),
    bash: median(times.bash),
    parallel: hasParallel ? median(times.parallel) : undefined,
  };
  const speedup = m.one / m.two;
  const vsParallel = m.parallel !== undefined ? m.parallel / m.two : undefined;
  return {
    id: 'g',
    title: `workers: 2 on a jq CPU-heavy stage over ${sizes.g / MB} MB`,
    ...m,
    speedup,
    orderedSpeedup: m.one / m.twoOrdered,
    vsParallel,
    pairedSpeedup: median(times.one.map((o, i) => o / times.two[i]!)),
    target: '≥ 1.7× one worker, ≥ 1.0× GNU parallel',
    met: speedup >= 1.7 && (vsParallel === undefined || vsParallel >= 1),
    hasParallel,
    all: times,
  };
}

/** (e) head's exit → every upstream stage reaped, from the wrappers' timestamps; bash measured the same way. */
async function earlyStop(): Promise<EarlyStopRow> {
  const n = quick ? 10 : 25;
  const bashGaps: number[] = [];
  const engineGaps: number[] = [];
  const engineEnd: number[] = [];
  const yaml = yamlOf(['yes', 'cat', 'cat', 'head -n 10']);
  for (let i = 0; i < n; i++) {
    // The brace group echoes right after head is reaped; bash echoes again once every element is.
    const r = spawnSync(
      '/usr/bin/setsid',
      ['-w', '/bin/bash', '-c', 'yes | cat | cat | { head -n 10 >/dev/null; echo "$EPOCHREALTIME"; }; echo "$EPOCHREALTIME"'],
      { encoding: 'utf8' },
    );
    const [h = NaN, all = NaN] = r.stdout
      .trim()
      .split('\n')
      .map((x) => Number(x.replace(',', '.')) * 1000);
    bashGaps.push(all - h);
    const handle = startRun(pipelineOf(yaml), { fileDir: dataDir });
    let headEndedSeen = 0;
    for await (const e of handle.events) if (e.type === 'status' && e.stage === 'head' && e.status === 'succeeded') headEndedSeen = performance.now();
    const endSeen = performance.now();
    const result = await handle.result;
    const head = result.stages[3]!;
    const upstream = Math.max(...result.stages.slice(0, 3).map((s) => s.endedAt ?? NaN));
    engineGaps.push(Math.max(0, upstream - (head.endedAt ?? NaN)));
    engineEnd.push(endSeen - (headEndedSeen || endSeen));
  }
  const ms = median(engineGaps);
  return {
    id: 'e',
    title: 'early stop yes|cat|cat|head -n 10: head exit → all upstream reaped',
    bashMs: median(bashGaps),
    engineMs: ms,
    endEventAfterHeadMs: median(engineEnd),
    target: '≤ bash + 1 ms',
    met: ms <= median(bashGaps) + 1,
  };
}

/** (f) peak RSS of `pipewright run` (records relayed to stdout) with little vs much data. */
function rss(dataFile: string): RssRow {
  const measure = (name: string, source: string) => {
    const yamlFile = path.join(dataDir, `rss-${name}.pipeline.yaml`);
    fs.writeFileSync(yamlFile, yamlOf([source]));
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'run', '-q', yamlFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dataDir,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`rss run failed: ${r.stderr}`);
    return Number(r.stderr.trim().split('\n').pop());
  };
  const small = measure('small', firstBytes(sizes.fSmall));
  const copies = Math.round(sizes.fLarge / fs.statSync(dataFile).size);
  const large = measure('large', `cat ${Array<string>(Math.max(1, copies)).fill(dataFile).join(' ')}`);
  const largeMb = (Math.max(1, copies) * fs.statSync(dataFile).size) / MB;
  return {
    id: 'f',
    title: `pipewright run peak RSS: ${sizes.fSmall / MB} MB vs ${Math.round(largeMb)} MB of records through stdout`,
    smallKb: small,
    largeKb: large,
    target: 'flat and < 100 MB',
    met: large < 100 * 1024 && large < small * 1.25,
  };
}

/** (r) a stage's `maxRssKb` against `/usr/bin/time -v` running the same program alone. */
async function stageRss(): Promise<StageRssRow> {
  const programs = [
    { stage: 'true', argv: ['true'], yaml: 'stages:\n  - command: ["true"]\n' },
    { stage: 'seq', argv: ['seq', '100000'], yaml: yamlOf(['seq 100000']) },
    { stage: 'head', argv: ['head', '-n', '5', '/etc/passwd'], yaml: yamlOf(['head -n 5 /etc/passwd']) },
  ];
  const n = quick ? 3 : 7;
  const rows = [];
  for (const p of programs) {
    const time: number[] = [];
    const native: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = spawnSync('/usr/bin/time', ['-v', ...p.argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      time.push(Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]));
      native.push((await engineRun(p.yaml)).result.stages[0]!.stats.maxRssKb);
    }
    rows.push({ stage: p.stage, timeKb: median(time), nativeKb: median(native) });
  }
  return {
    id: 'r',
    title: "a stage's maxRssKb vs /usr/bin/time -v of the program alone",
    programs: rows,
    target: 'within 10 %',
    met: rows.every((r) => Math.abs(r.nativeKb - r.timeKb) <= r.timeKb * 0.1),
  };
}

/** One start-up command's medians over the rounds: wall time, and page faults and CPU of its process tree. */
interface Started {
  ms: number;
  faults: number;
  cpuMs: number;
  /** The median of its wall time minus `node -e 0`'s in the same round. */
  overNodeMs: number;
}

/**
 * Start-up: what `pipewright run` costs before the first stage starts, and with 20 stages, against
 * `node -e 0` and bash running the same 20 stages. Paired rounds: each round runs every command once,
 * in turn, so that each difference to `node -e 0` is taken under the same load.
 */
function startup() {
  const tiny = path.join(dataDir, 'tiny.pipeline.yaml');
  fs.writeFileSync(tiny, yamlOf(['true']));
  const twenty = path.join(dataDir, 'twenty.pipeline.yaml');
  fs.writeFileSync(twenty, `stages:\n${'  - command: ["true"]\n'.repeat(20)}`);
  // Under GNU time: the minor page faults and CPU of the command and everything it reaped. Page
  // faults are what a start costs in VMs where each takes ~50 µs (bench/README.md, issue 21, session 7).
  const usage = path.join(dataDir, 'startup-usage.txt');
  const commands = {
    bashTrue: ['/bin/bash', '-c', 'true'],
    bashTwenty: ['/bin/bash', '-c', Array.from({ length: 20 }, () => 'true').join(' | ')],
    nodeEmpty: [process.execPath, '-e', '0'],
    cliVersion: [process.execPath, cli, '--version'],
    cliCheck: [process.execPath, cli, 'check', tiny],
    cliRunTiny: [process.execPath, cli, 'run', '-q', tiny],
    cliRunTwenty: [process.execPath, cli, 'run', '-q', twenty],
  };
  type Name = keyof typeof commands;
  const names = Object.keys(commands) as Name[];
  const samples = new Map(names.map((n) => [n, { ms: [] as number[], faults: [] as number[], cpu: [] as number[] }]));
  for (let round = 0; round < (quick ? 7 : 15); round++) {
    for (const name of names) {
      const t0 = performance.now();
      spawnSync('/usr/bin/time', ['-o', usage, '-f', '%R %U %S', ...commands[name]], { stdio: 'ignore' });
      const x = samples.get(name)!;
      x.ms.push(performance.now() - t0);
      const [f, u, sys] = fs.readFileSync(usage, 'utf8').trim().split(' ').map(Number);
      x.faults.push(f!);
      x.cpu.push((u! + sys!) * 1000);
    }
  }
  const node = samples.get('nodeEmpty')!.ms;
  const result = {} as Record<Name, Started>;
  for (const name of names) {
    const x = samples.get(name)!;
    result[name] = { ms: median(x.ms), faults: median(x.faults), cpuMs: median(x.cpu), overNodeMs: median(x.ms.map((ms, i) => ms - node[i]!)) };
  }
  return result;
}

const verdict = (r: { target: string; met: boolean }) => ` — target ${r.target}: ${r.met ? 'met' : 'NOT MET'}`;
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  file = ensureData(sizes.a);
  // Whole records only (jq fails on a cut line): N bytes of data as a line count.
  const avgLine = (() => {
    const head = Buffer.alloc(4 * MB);
    const fd = fs.openSync(file, 'r');
    const n = fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    let lines = 0;
    for (let i = head.indexOf(10); i >= 0 && i < n; i = head.indexOf(10, i + 1)) lines++;
    return n / lines;
  })();
  firstBytes = (bytes) => `head -n ${Math.floor(bytes / avgLine)} ${file}`;
  const loadBefore = load();
  console.log(
    `pipewright engine bench — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ` +
      `Node ${process.version}, ${quick ? 'quick' : 'full'} mode, ${runs} runs per case, load average before: ${loadBefore}`,
  );
  const rows: Row[] = [];
  const catChain = [firstBytes(sizes.a), 'cat', 'cat', 'wc -l'];
  if (wanted('a'))
    rows.push(await ratioCase('a', `cat|cat|cat|wc -l over ${sizes.a / MB} MB NDJSON, default: exact counts on every edge`, catChain, 0.7, true));
  if (wanted('b')) rows.push(await ratioCase('b', `(a) with counts off (\`counts: false\`, --no-counts)`, catChain, 1.0, false, [], { counts: false }));
  if (wanted('c'))
    rows.push(
      await ratioCase(
        'c',
        `grep/sed chain over ${sizes.c / MB} MB`,
        [firstBytes(sizes.c), `grep -v '"status":5'`, `sed -e 's/"ms":/"millis":/'`, 'wc -l'],
        0.97,
      ),
    );
  if (wanted('d'))
    rows.push(
      await ratioCase(
        'd',
        `jq-class CPU-heavy stage over ${sizes.d / MB} MB`,
        [firstBytes(sizes.d), `jq -c 'select(.ms > 500) | {path, ms, status}'`, 'wc -l'],
        0.97,
      ),
    );
  // Fan-out: one writer, two `wc -l` readers (GNU tee into FIFOs) vs bash's tee and process substitution.
  const fanOutYaml = `stages:\n  - run: ${JSON.stringify(firstBytes(sizes.a))}\n  - run: wc -l\n  - run: wc -l\n    input: head\n`;
  const fanOutBash = `${firstBytes(sizes.a)} | tee >(wc -l) | wc -l`;
  if (wanted('i'))
    rows.push(await timedCase('i', `fan-out of ${sizes.a / MB} MB to two wc -l, default: exact counts on every edge`, fanOutBash, fanOutYaml, 0.9));
  if (wanted('j')) rows.push(await timedCase('j', `(i) with counts off`, fanOutBash, fanOutYaml, 0.9, false, { counts: false }));
  if (['k', 'l', 'm', 'n'].some(wanted)) {
    // Text logs (issue 23): `parse` against `sed -E` making the same records, `count` against `sort | uniq -c`.
    const { log, pairs } = ensureLogs(sizes.k);
    const regex = String.raw`^(?<date>\S+) (?<time>(?<hour>\d\d):\d\d:\d\d) (?<action>\S+) (?<package>[^\s:]+)`;
    const sed = String.raw`s/^([^ ]+) (([0-9]{2}):[0-9]{2}:[0-9]{2}) ([^ ]+) ([^ :]+).*/{"date":"\1","time":"\2","hour":"\3","action":"\4","package":"\5"}/`;
    const parseYaml =
      `stages:\n  - use: read\n    with: { path: ${JSON.stringify(log)}, format: lines }\n` +
      `  - use: parse\n    with: { regex: ${JSON.stringify(regex)} }\n  - run: wc -l\n`;
    if (wanted('k'))
      rows.push(
        await timedCase(
          'k',
          `read (lines) → parse (regex) over a ${sizes.k / MB} MB dpkg-style log vs sed -E`,
          `sed -E '${sed}' ${log} | wc -l`,
          parseYaml,
          0.5,
        ),
      );
    if (wanted('n'))
      rows.push(
        await timedCase(
          'n',
          `(k) against sed in the C locale (LC_ALL=C: bytes, no multibyte matching)`,
          `export LC_ALL=C; sed -E '${sed}' ${log} | wc -l`,
          parseYaml,
          0.5,
        ),
      );
    const countYaml = `stages:\n  - use: read\n    with: { path: ${JSON.stringify(pairs)} }\n  - use: count\n    with: { by: [hour, action] }\n  - run: wc -l\n`;
    const mb = Math.round(fs.statSync(pairs).size / MB);
    if (wanted('l'))
      rows.push(
        await timedCase(
          'l',
          `count by [hour, action] over ${mb} MB of records vs sort | uniq -c | sort -rn`,
          `sort ${pairs} | uniq -c | sort -rn | wc -l`,
          countYaml,
          0.8,
        ),
      );
    if (wanted('m'))
      rows.push(
        await timedCase(
          'm',
          `(l) against sort in the C locale (LC_ALL=C: bytes, no collation)`,
          `export LC_ALL=C; sort ${pairs} | uniq -c | sort -rn | wc -l`,
          countYaml,
          0.8,
        ),
      );
  }
  if (wanted('g')) rows.push(await workersCase());
  if (wanted('e')) rows.push(await earlyStop());
  if (wanted('f')) rows.push(rss(file));
  if (wanted('r')) rows.push(await stageRss());
  // (s): start-up, with the rest or alone (--only=s).
  const start = wanted('s') ? startup() : undefined;
  const loadAfter = load();

  for (const r of rows) {
    if (r.id === 'e')
      console.log(
        `(e) ${r.title}: engine ${fmt(r.engineMs)} (bash ${fmt(r.bashMs)}); end event ${fmt(r.endEventAfterHeadMs)} after head's status` + verdict(r),
      );
    else if (r.id === 'g')
      console.log(
        `(g) ${r.title}: one worker ${fmt(r.one)}, workers: 2 ${fmt(r.two)} → ${r.speedup.toFixed(2)}× (paired ${r.pairedSpeedup.toFixed(2)}×), ` +
          `ordered ${fmt(r.twoOrdered)} → ${r.orderedSpeedup.toFixed(2)}×; ` +
          (r.parallel !== undefined && r.vsParallel !== undefined
            ? `GNU parallel --pipe -j2 ${fmt(r.parallel)} → workers: 2 is ${r.vsParallel.toFixed(2)}× its speed`
            : 'GNU parallel not installed (apt-get install parallel)') +
          `; bash, one jq ${fmt(r.bash)}` +
          verdict(r),
      );
    else if (r.id === 'r')
      console.log(`(r) ${r.title}: ` + r.programs.map((p) => `${p.stage} ${p.nativeKb} KB (time -v ${p.timeKb} KB)`).join(', ') + verdict(r));
    else if (r.id === 'f') console.log(`(f) ${r.title}: ${(r.smallKb / 1024).toFixed(1)} MB vs ${(r.largeKb / 1024).toFixed(1)} MB` + verdict(r));
    else
      console.log(
        `(${r.id}) ${r.title}: bash ${fmt(r.bashMs)}, engine ${fmt(r.engineMs)} → ${r.ratio.toFixed(3)}× bash ` +
          `(paired: ${r.pairedRatio.toFixed(3)}×; best of ${runs}: ${r.bestRatio.toFixed(3)}×; ` +
          `CPU of all processes ${fmt(r.bashCpuMs)} vs ${fmt(r.engineCpuMs)} → ${r.cpuRatio.toFixed(3)}×)` +
          (r.cliMs !== undefined && r.cliRatio !== undefined ? `; whole CLI ${fmt(r.cliMs)} → ${r.cliRatio.toFixed(3)}×` : '') +
          verdict({ target: `≥ ${r.target}×`, met: r.met }),
      );
  }
  if (start) {
    const one = (x: Started) =>
      `${fmt(x.ms)} (node -e 0 ${x.overNodeMs >= 0 ? '+' : '−'} ${fmt(Math.abs(x.overNodeMs))}; ${x.faults} page faults, CPU ${fmt(x.cpuMs)})`;
    console.log(
      `start-up (medians of paired rounds; page faults and CPU of the process tree): bash -c true ${one(start.bashTrue)}; node -e 0 ${one(start.nodeEmpty)}; ` +
        `pipewright --version ${one(start.cliVersion)}; pipewright check tiny ${one(start.cliCheck)}; pipewright run tiny ${one(start.cliRunTiny)}; ` +
        `bash, 20 \`true\` stages ${one(start.bashTwenty)}; pipewright run, 20 \`true\` stages ${one(start.cliRunTwenty)} ` +
        `(target node -e 0 + 40 ms; node -e 0 + bash's own 20 stages would be + ${fmt(start.bashTwenty.ms)})`,
    );
  }
  console.log(`load average after: ${loadAfter}`);
  fs.writeFileSync(
    path.join(dataDir, 'last.json'),
    `${JSON.stringify({ date: new Date().toISOString(), quick, runs, loadBefore, loadAfter, rows, startup: start }, null, 2)}\n`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
