// Soak: 1,000 mixed runs (`npm run soak`; `-- --runs=N` for another count) in ONE process, as
// the extension host runs them: successes, failures, cancels at random moments, timeouts, early
// stops, workers, taps, `write` over an existing file. Every process of every run carries a
// marker in its environment; at the end /proc is searched for any left. Prints the leaked
// processes (must be 0), temporary files left (must be 0), files damaged (must be 0), and this
// process's memory at the start, after the first 100 runs and at the end, and its growth per run
// after the first 100: RSS, and where it is (V8's young generation, the rest of its heap, outside
// it). Exit 1 on any leak. `-- --allocations` also samples what the runs allocate (V8's sampling heap
// profiler, collected objects included) and prints the functions that allocate most, per run.
import * as fs from 'node:fs';
import * as inspector from 'node:inspector/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { loadEngine } from './engine-bundle';
import type { RunOptions } from '../engine';

const { check, nodeHost, startRun } = loadEngine('soak-engine');

const sampleAllocations = process.argv.includes('--allocations');
const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 1000);
const marker = `pipewright-soak-${process.pid}`;
const env = { ...process.env, PIPEWRIGHT_SOAK_MARK: marker };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-soak-'));
const old = '{"old":true}\n';
const host = nodeHost(env);

/** [name, yaml, what to do while it runs] */
const cases: [string, string, ('cancel' | 'limit')?][] = [
  ['succeeds', 'stages:\n  - run: seq 1 2000\n  - run: cat\n  - run: wc -l\n'],
  ['fails mid-stream', 'stages:\n  - run: seq 1 100000\n  - run: head -n 5; exit 3\n  - run: cat\n'],
  ['head stops yes', 'stages:\n  - run: yes\n  - run: cat\n  - run: head -n 3\n'],
  ['workers + tap', 'stages:\n  - run: seq 1 5000\n    tap: true\n  - run: cat\n    workers: 3\n    ordered: true\n  - run: wc -l\n'],
  ['write after failure', 'stages:\n  - run: "seq 1 3000; exit 2"\n  - use: write\n    with: { path: out.ndjson }\n'],
  ['write ok', 'stages:\n  - run: seq 1 10\n  - use: write\n    with: { path: ok.ndjson }\n'],
  ['timeout', 'stages:\n  - run: yes\n  - run: sleep 5\n    timeout: 30ms\n'],
  ['cancel at random', 'stages:\n  - run: yes\n  - run: "sleep 30 & cat"\n    workers: 2\n  - use: write\n    with: { path: out.ndjson }\n', 'cancel'],
  ['limit', 'stages:\n  - run: yes\n  - run: cat\n', 'limit'],
];

function pipelineOf(yaml: string) {
  const r = check(yaml, { file: path.join(dir, 'soak.pipeline.yaml'), host });
  if (!r.ok) throw new Error(`soak pipeline invalid: ${JSON.stringify(r.problems)}`);
  return r.pipeline;
}

function leftovers(): string[] {
  const needle = `PIPEWRIGHT_SOAK_MARK=${marker}\0`;
  const found: string[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (!fs.readFileSync(`/proc/${name}/environ`, 'latin1').includes(needle)) continue;
      found.push(`${name} ${fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 60)}`);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/**
 * This process's memory after a full garbage collection (`node --expose-gc`), so that growth means a
 * leak, not a lazy GC: RSS, and of it what V8's heap holds in physical pages (its young generation
 * grows under a high allocation rate, up to --max-semi-space-size, and keeps its pages) and what lies
 * outside that heap (native: Node's and libuv's handles, Buffers, malloc).
 */
interface Memory {
  rss: number;
  heap: number;
  young: number;
  used: number;
  buffers: number;
}
const memory = (): Memory => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics();
  const heap = spaces.reduce((n, s) => n + s.physical_space_size, 0);
  const young = spaces.find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;
  return { rss: m.rss, heap, young, used: m.heapUsed, buffers: m.arrayBuffers };
};
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const said = (m: Memory) =>
  `RSS ${mb(m.rss)} = V8 heap ${mb(m.heap)} (young generation ${mb(m.young)}, used ${mb(m.used)}) + outside it ${mb(m.rss - m.heap)} (buffers ${mb(m.buffers)})`;
/** KB per run between two measurements `runs` runs apart. */
const perRun = (bytes: number, runs: number) => `${(bytes / 1024 / runs).toFixed(1)} KB`;
const outcomes: Record<string, number> = {};
let damaged = 0;
const start = memory();
let after100 = start;
let end = start;
/** Every 500 runs: a bounded cache (V8's young generation) shows as growth that stops; a leak does not stop. */
const checkpoints: [number, Memory][] = [];
const t0 = performance.now();

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** The functions that allocated most in a sampled profile, bytes per run, each with its caller. */
function topAllocators(head: SamplingNode, perRuns: number): string[] {
  const bytes = new Map<string, number>();
  const walk = (n: SamplingNode, caller: string) => {
    const f = n.callFrame;
    const at = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
    if (n.selfSize > 0) bytes.set(`${at} ← ${caller}`, (bytes.get(`${at} ← ${caller}`) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c, at);
  };
  walk(head, '');
  const total = [...bytes.values()].reduce((a, b) => a + b, 0);
  return [
    `allocated per run (sampled, collected objects included): ${perRun(total, perRuns)}; most by:`,
    ...[...bytes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([k, v]) => `  ${perRun(v, perRuns).padStart(9)}  ${k}`),
  ];
}

async function main(): Promise<void> {
  const session = sampleAllocations ? new inspector.Session() : undefined;
  session?.connect();
  // Every object, also those a scavenge collects at once: what a run allocates, not what it keeps.
  const sampling = { samplingInterval: 4096, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true };
  await session?.post('HeapProfiler.startSampling', sampling as object);
  for (let i = 0; i < runs; i++) {
    const [name, yaml, action] = cases[i % cases.length]!;
    fs.writeFileSync(path.join(dir, 'out.ndjson'), old);
    const options: RunOptions = { fileDir: dir, file: 'soak.pipeline.yaml', env, statsIntervalMs: 50, limit: action === 'limit' ? 1 + (i % 50) : undefined };
    const handle = startRun(pipelineOf(yaml), options);
    const cancelAfter = Math.floor(Math.random() * 12);
    let seen = 0;
    for await (const _event of handle.events) if (action === 'cancel' && seen++ === cancelAfter) handle.cancel();
    const result = await handle.result;
    outcomes[`${name}: ${result.outcome}`] = (outcomes[`${name}: ${result.outcome}`] ?? 0) + 1;
    if (fs.readFileSync(path.join(dir, 'out.ndjson'), 'utf8') !== old) damaged++;
    if (i === 99) after100 = memory();
    if ((i + 1) % 500 === 0 && i + 1 < runs) checkpoints.push([i + 1, memory()]);
  }
  end = memory();
  const profile = (await session?.post('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } } | undefined;
  session?.disconnect();
  const seconds = (performance.now() - t0) / 1000;
  // Processes that outlived their run's end (killed grandchildren on their way out) get a moment.
  let left = leftovers();
  for (let tries = 0; left.length > 0 && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    left = leftovers();
  }
  const temporary = fs.readdirSync(dir).filter((f) => f.endsWith('.pipewright-tmp'));
  fs.rmSync(dir, { recursive: true, force: true });

  const date = new Date().toISOString().slice(0, 10);
  console.log(`pipewright soak — ${date}, ${os.cpus().length} cores, Node ${process.version}: ${runs} runs in ${seconds.toFixed(1)} s`);
  for (const [k, n] of Object.entries(outcomes).sort(([a], [b]) => a.localeCompare(b))) console.log(`  ${k.padEnd(40)} ${n}`);
  console.log(`leaked processes: ${left.length}${left.length ? `\n  ${left.join('\n  ')}` : ''}`);
  console.log(`temporary files left: ${temporary.length}; existing files damaged: ${damaged}`);
  console.log(`memory of this process at start:       ${said(start)}`);
  console.log(`                    after 100 runs:      ${said(after100)}`);
  for (const [n, m] of checkpoints) console.log(`                    after ${String(n).padEnd(15)}${said(m)}`);
  console.log(`                    after ${String(runs).padEnd(15)}${said(end)}`);
  const growth = (what: string, from: Memory, later: number) => {
    const outside = (m: Memory) => m.rss - m.heap;
    console.log(
      `growth per run ${what}: RSS ${perRun(end.rss - from.rss, later)} (target under 5 KB), of it V8's young generation ` +
        `${perRun(end.young - from.young, later)}, the rest of its heap ${perRun(end.heap - end.young - (from.heap - from.young), later)}, ` +
        `outside the heap ${perRun(outside(end) - outside(from), later)}`,
    );
  };
  if (runs > 100) growth('after the first 100', after100, runs - 100);
  // The steady state: over the last 1,000 runs, once the first have filled what is bounded.
  const last = checkpoints.find(([n]) => n === runs - 1000);
  if (last) growth('over the last 1,000', last[1], 1000);
  if (profile) console.log(topAllocators(profile.profile.head, runs).join('\n'));
  process.exitCode = left.length > 0 || temporary.length > 0 || damaged > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
