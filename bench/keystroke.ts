/**
 * A keystroke inside a stage of the generated big file (issue 24), in-process (not a test): CPU time of `check()`
 * with the previous result, as the server calls it, and the heap after a collection.
 *
 *   node --expose-gc --import tsx bench/keystroke.ts --stages=43000 --edits=20
 *
 * `--stages=N` (432,526: the 20 MB file), `--edits=N` keystrokes, each one character typed into the same stage in
 * the middle of the file; `--profile`: the keystrokes' hot functions (the inspector's sampling profiler); `--heap`: what
 * holds the heap after the edits (each part let go of in turn, the heap measured after a collection).
 */
import { Session } from 'node:inspector';
import * as os from 'node:os';
import { check, type CheckResult } from '../dsl';
import { checkedOneStage } from '../dsl/stage-rules';
import { nodeHost, plainProcessEnv } from '../dsl/host-node';
import { hotFunctions, type CpuProfile } from './cpu-profile';
import { hugePipelineText } from './huge-text';

const option = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const collect = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  collect?.();
  return process.memoryUsage().heapUsed / 1e6;
};
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function main(): Promise<void> {
  const stages = option('stages', 432_526);
  const editCount = option('edits', 20);
  const baseline = heapMb();
  let text = hugePipelineText(stages);
  plainProcessEnv();
  const host = nodeHost(process.env);
  const file = '/tmp/huge.pipeline.yaml';
  process.stdout.write(`${(text.length / 1e6).toFixed(1)} MB, ${stages} stages, load average ${os.loadavg()[0]!.toFixed(1)}\n`);
  let since = process.cpuUsage();
  let result: CheckResult = check(text, { file, host });
  process.stdout.write(`open: ${cpuMs(since).toFixed(0)} ms CPU, ${result.problems.length} problems, heap ${heapMb().toFixed(0)} MB\n`);
  for (const p of result.problems.slice(0, 3)) process.stdout.write(`  ${p.code}: ${p.message}\n`);
  const at = text.indexOf('  - run: head -n 10\n', text.length / 2) + 18;
  const profiler = process.argv.includes('--profile') ? new Session() : undefined;
  const post = (method: string) => new Promise<unknown>((resolve, reject) => profiler!.post(method, (e, r) => (e ? reject(e) : resolve(r))));
  if (profiler) {
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  const times: number[] = [];
  for (let k = 0; k < editCount; k++) {
    const next = `${text.slice(0, at + k)}${k % 10}${text.slice(at + k)}`;
    since = process.cpuUsage();
    result = check(next, { file, host, previous: { parsed: result.parsed, pipeline: result.pipeline } });
    times.push(cpuMs(since));
    text = next;
    if (result.parsed.edited === undefined || !checkedOneStage(result.pipeline)) throw new Error(`keystroke ${k + 1} checked more than its stage`);
  }
  if (profiler) {
    const { profile } = (await post('Profiler.stop')) as { profile: CpuProfile };
    process.stdout.write(`${hotFunctions(profile, 40).join('\n')}\n`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  process.stdout.write(
    `keystroke in a stage, ${editCount} edits, CPU min / median / max: ${ms(sorted[0]!)} / ${ms(sorted[Math.floor(sorted.length / 2)]!)} / ${ms(sorted[sorted.length - 1]!)}` +
      ` (over 1 s: keystrokes ${times.flatMap((t, k) => (t > 1000 ? [k + 1] : [])).join(', ') || 'none'})\n`,
  );
  const perByte = (mb: number) => `${mb.toFixed(0)} MB, ${((mb * 1e6) / text.length).toFixed(1)} bytes per byte of YAML`;
  process.stdout.write(`heap after the edits: ${perByte(heapMb() - baseline)} (the process's own ${baseline.toFixed(0)} MB left out)\n`);
  if (process.argv.includes('--heap')) heapParts(result, perByte);
}

/** The heap each part of the last check's result holds: let go of one at a time, the heap measured after each. */
function heapParts(result: CheckResult, perByte: (mb: number) => string): void {
  const held: { parsed?: Partial<CheckResult['parsed']>; pipeline?: CheckResult['pipeline']; problems?: unknown } = result;
  const parts: [string, () => void][] = [
    ['the model, with the rules kept per stage for the next check', () => delete held.pipeline],
    [
      'the document (its nodes, and the pruned syntax tree kept for the next edit: its lists point into it)',
      () => {
        delete held.parsed!.doc;
        delete held.parsed!.cst;
      },
    ],
    ['the data, with the problems remembered per stage data object', () => delete held.parsed!.data],
  ];
  for (const [what, release] of parts) {
    const before = heapMb();
    release();
    process.stdout.write(`  ${what}: ${perByte(before - heapMb())}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
