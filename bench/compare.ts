// `pipewright compare --records` against bash (not a test): `npm run bench:compare`.
// Two outputs of 1,000,000 records each (about 100 bytes a record; the second has 1 % of the
// records changed, 0.5 % gone and 0.5 % new, in another order), compared whole-line by the CLI and
// by `sort A > a; sort B > b; comm -3 a b | wc -l`, alternately, in the same run. Also the CLI
// with `--key id`. Prints wall times, the ratio to bash, and the peak RSS of the CLI's whole
// process tree (node and its two sorts, summed while they run, sampled from /proc every 20 ms).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatBytes } from '../engine/format';
import { mulberry32 } from '../engine/random';
import { median, numberArg } from './numbers';

const records = numberArg('records', 1_000_000);
const rounds = numberArg('rounds', 3);
const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist/cli.cjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-compare-'));
const fileA = path.join(dir, 'a.ndjson');
const fileB = path.join(dir, 'b.ndjson');

function record(id: number, rand: () => number): string {
  const status = [200, 200, 200, 304, 404, 500][Math.floor(rand() * 6)];
  return `{"id":${id},"ts":"2026-11-21T10:${String(id % 60).padStart(2, '0')}:00Z","path":"/api/items/${id % 997}","status":${status},"ms":${Math.floor(rand() * 3000)},"ip":"10.0.${id % 256}.${id % 199}"}`;
}

/** A and B: B has 1 % changed, 0.5 % removed, 0.5 % new records, and is written in another order. */
function generate(): void {
  const rand = mulberry32(7);
  const a: string[] = [];
  const b: string[] = [];
  for (let id = 1; id <= records; id++) {
    const line = record(id, rand);
    a.push(line);
    const r = rand();
    if (r < 0.005) continue;
    b.push(r < 0.015 ? line.replace(/"ms":\d+/, `"ms":${Math.floor(rand() * 3000) + 3000}`) : line);
  }
  for (let id = records + 1; id <= records + records * 0.005; id++) b.push(record(id, rand));
  for (let i = b.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [b[i], b[j]] = [b[j]!, b[i]!];
  }
  fs.writeFileSync(fileA, `${a.join('\n')}\n`);
  fs.writeFileSync(fileB, `${b.join('\n')}\n`);
}

/** The summed RSS of a process and its descendants, from /proc. */
function treeRssKb(pid: number): number {
  let kb = 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const c of children ? children.split(' ') : []) kb += treeRssKb(Number(c));
    }
  } catch {
    // it ended meanwhile
  }
  return kb;
}

async function timed(cmd: string, args: string[]): Promise<{ ms: number; peakKb: number; out: string }> {
  const start = performance.now();
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  let peakKb = 0;
  const timer = setInterval(() => (peakKb = Math.max(peakKb, treeRssKb(child.pid!))), 20);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}`);
  return { ms: performance.now() - start, peakKb, out };
}

async function main(): Promise<void> {
  generate();
  const bash = ['-c', 'sort a.ndjson > a; sort b.ndjson > b; comm -3 a b | wc -l'];
  // The same with the byte order the CLI sorts in (the machine's locale may collate more slowly).
  const bashC = ['-c', 'export LC_ALL=C; sort a.ndjson > a; sort b.ndjson > b; comm -3 a b | wc -l'];
  const ours = [cli, 'compare', '--records', '--json', 'a.ndjson', 'b.ndjson'];
  const keyed = [cli, 'compare', '--records', '--json', '--key', 'id', 'a.ndjson', 'b.ndjson'];
  const series = {
    bash: [] as number[],
    bashC: [] as number[],
    ours: [] as number[],
    keyed: [] as number[],
    ratio: [] as number[],
    ratioC: [] as number[],
    keyedRatio: [] as number[],
  };
  const peaks = { ours: 0, keyed: 0, bash: 0, bashC: 0 };
  let check = '';
  for (let i = 0; i < rounds; i++) {
    const b = await timed('bash', bash);
    const bc = await timed('bash', bashC);
    const o = await timed(process.execPath, ours);
    const k = await timed(process.execPath, keyed);
    series.bash.push(b.ms);
    series.bashC.push(bc.ms);
    series.ratioC.push(o.ms / bc.ms);
    peaks.bashC = Math.max(peaks.bashC, bc.peakKb);
    series.ours.push(o.ms);
    series.keyed.push(k.ms);
    series.ratio.push(o.ms / b.ms);
    series.keyedRatio.push(k.ms / b.ms);
    peaks.bash = Math.max(peaks.bash, b.peakKb);
    peaks.ours = Math.max(peaks.ours, o.peakKb);
    peaks.keyed = Math.max(peaks.keyed, k.peakKb);
    const c = JSON.parse(o.out) as { onlyInA: number; onlyInB: number };
    const kc = JSON.parse(k.out) as { onlyInA: number; onlyInB: number; changed: number };
    check = `comm -3: ${b.out.trim()} lines; ours: ${c.onlyInA} only in A + ${c.onlyInB} only in B; by id: ${kc.onlyInA} gone, ${kc.onlyInB} new, ${kc.changed} changed`;
    if (Number(b.out.trim()) !== c.onlyInA + c.onlyInB) throw new Error(`the counts disagree: ${check}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, ` +
      `load average ${os.loadavg()[0]!.toFixed(1)}; ${records.toLocaleString('en')} vs ${records.toLocaleString('en')} records ` +
      `(about 130 B each), ${rounds} alternating rounds, medians.\n`,
  );
  console.log(`Locale: ${process.env.LC_ALL || process.env.LANG || 'unset'}.\n`);
  console.log('| what | time (median) | × bash (median of paired ratios) | peak RSS of the process tree |\n|---|---|---|---|');
  console.log(`| bash: \`sort a > a'; sort b > b'; comm -3 a' b' \\| wc -l\` | ${s(median(series.bash))} | 1 | ${formatBytes(peaks.bash * 1024)} |`);
  console.log(`| the same with \`LC_ALL=C\` (byte order, as the CLI sorts) | ${s(median(series.bashC))} | 1 | ${formatBytes(peaks.bashC * 1024)} |`);
  console.log(
    `| \`pipewright compare --records a b\` | ${s(median(series.ours))} | ${median(series.ratio).toFixed(2)} (against LC_ALL=C: ${median(series.ratioC).toFixed(2)}) | ${formatBytes(peaks.ours * 1024)} |`,
  );
  console.log(
    `| \`pipewright compare --records --key id a b\` | ${s(median(series.keyed))} | ${median(series.keyedRatio).toFixed(2)} | ${formatBytes(peaks.keyed * 1024)} |`,
  );
  console.log(`\n${check}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
