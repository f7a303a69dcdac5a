// The spill file's cost to the extension host's event loop (not a test): `npx tsx bench/spill.ts`.
// A run's output (80 MB of NDJSON in 64 KiB chunks, as a 1M-record run hands it over) written
// through SpillFile (batched, one writev per MiB) and, alternating in the same run, the way it was
// written before: one WriteStream write per chunk, waiting for 'drain' when it says full. Prints
// the main thread's CPU time and how long the event loop was held (monitorEventLoopDelay), medians.
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SpillFile } from '../extension/records/spill';
import { median } from './numbers';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-spill-'));
const line = (i: number) => `{"id":${i},"name":"item ${i}","price":${i % 500}.25,"dims":{"w":${i % 7},"h":${i % 11}}}\n`;
const text = Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => line(i + 1)).join(''));
const chunks = Array.from({ length: Math.ceil(text.length / 65536) }, (_, i) => text.subarray(i * 65536, (i + 1) * 65536));

interface Writer {
  write(data: Buffer): Promise<void>;
  end(): Promise<unknown>;
}

/** Before: every chunk its own write. */
function perChunk(file: string): Writer {
  const out = fs.createWriteStream(file);
  return {
    write: async (data) => {
      if (!out.write(data)) await once(out, 'drain');
    },
    end: async () => {
      out.end();
      await once(out, 'close');
    },
  };
}

async function measure(make: (file: string) => Writer): Promise<{ cpuMs: number; wallMs: number; maxBlockMs: number }> {
  const file = path.join(dir, 'run.ndjson');
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const w = make(file);
  for (const c of chunks) await w.write(c);
  await w.end();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  delay.disable();
  fs.rmSync(file);
  return { cpuMs: (used.user + used.system) / 1000, wallMs, maxBlockMs: delay.max / 1e6 };
}

async function main(): Promise<void> {
  const results = { before: [] as Awaited<ReturnType<typeof measure>>[], batched: [] as Awaited<ReturnType<typeof measure>>[] };
  for (let r = 0; r < rounds; r++) {
    results.before.push(await measure(perChunk));
    results.batched.push(await measure((f) => new SpillFile(f)));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load average ${os.loadavg()[0]!.toFixed(1)}; ` +
      `${(text.length / 1e6).toFixed(0)} MB in ${chunks.length} chunks, ${rounds} alternating rounds, medians\n`,
  );
  console.log('| writer | main-thread CPU | wall | longest event-loop block |\n|---|---|---|---|');
  for (const [name, rows] of Object.entries(results))
    console.log(
      `| ${name} | ${Math.round(median(rows.map((r) => r.cpuMs)))} ms | ${Math.round(median(rows.map((r) => r.wallMs)))} ms | ${Math.round(median(rows.map((r) => r.maxBlockMs)))} ms |`,
    );
  const ratio = median(results.batched.map((b, i) => b.cpuMs / results.before[i]!.cpuMs));
  console.log(`\nCPU batched / before, paired median: ${ratio.toFixed(2)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
