// Memory of the extension host's record keeping (not a test): `npm run bench:records`.
// Runs a pipeline writing 1,000,000 records through the engine and consumes its events as the
// editor's run store does (a RecordKeeper of the first/last/sampled records, a spill file of the
// whole output, written with backpressure), then saves all records as NDJSON and as CSV. Prints
// the process's peak RSS and heap in each phase, sampled every 20 ms, against the baseline.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { check } from '../dsl';
import { nodeHost } from '../dsl/host-node';
import { startRun } from '../engine';
import { formatBytes } from '../engine/format';
import { RecordKeeper } from '../extension/records/keeper';
import { saveAll, SpillFile } from '../extension/records/spill';

const at = process.argv.indexOf('--records');
const records = at === -1 ? 1_000_000 : Number(process.argv[at + 1]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-records-'));
const file = path.join(dir, 'million.pipeline.yaml');
fs.writeFileSync(
  file,
  `name: million
stages:
  - name: numbers
    run: seq 1 ${records}
  - name: as-records
    command:
      - awk
      - '{ printf "{\\"id\\":%d,\\"name\\":\\"item %d\\",\\"price\\":%d.25,\\"dims\\":{\\"w\\":%d,\\"h\\":%d}}\\n", $1, $1, $1 % 500, $1 % 7, $1 % 11 }'
`,
);

interface Peak {
  rss: number;
  heap: number;
}
let peak: Peak = { rss: 0, heap: 0 };
const sample = () => {
  const m = process.memoryUsage();
  peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heapUsed) };
};
const timer = setInterval(sample, 20);
async function phase(what: string, work: () => Promise<string>): Promise<string> {
  sample();
  peak = { rss: 0, heap: 0 };
  sample();
  const start = performance.now();
  const detail = await work();
  sample();
  return `| ${what} | ${formatBytes(peak.rss)} | ${formatBytes(peak.heap)} | ${((performance.now() - start) / 1000).toFixed(1)} s | ${detail} |`;
}

async function main(): Promise<void> {
  const { pipeline, problems } = check(fs.readFileSync(file, 'utf8'), { file, host: nodeHost() });
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  const rows: string[] = [];
  const spill = new SpillFile(path.join(dir, 'run-1.ndjson'));
  const keeper = new RecordKeeper(1000);
  rows.push(await phase('before the run (baseline)', () => Promise.resolve('Node + the engine loaded')));
  rows.push(
    await phase(`run: ${records.toLocaleString('en')} records kept (first/last/sample of 1,000) and spilled to disk`, async () => {
      const handle = startRun(pipeline, { file, fileDir: dir });
      for await (const e of handle.events) {
        if (e.type !== 'records') continue;
        keeper.take(e.data);
        await spill.write(e.data);
      }
      keeper.flush();
      await spill.end();
      await handle.result;
      return `${keeper.total.toLocaleString('en')} records, spill file ${formatBytes(fs.statSync(spill.file).size)}`;
    }),
  );
  rows.push(
    await phase(
      'save all as NDJSON (streamed copy)',
      async () => `${(await saveAll(spill.file, path.join(dir, 'all.ndjson'))).records.toLocaleString('en')} records`,
    ),
  );
  rows.push(
    await phase('save all as CSV (two streamed passes)', async () => {
      const { records } = await saveAll(spill.file, path.join(dir, 'all.csv'));
      return `${records.toLocaleString('en')} records, ${formatBytes(fs.statSync(path.join(dir, 'all.csv')).size)}`;
    }),
  );
  clearInterval(timer);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ` +
      `Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}.\n`,
  );
  console.log('| phase | peak RSS | peak heap used | time | |\n|---|---|---|---|---|');
  console.log(rows.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
