// Keystroke → screen in the real VS Code while a 1,000,000-record pipeline runs (not a test):
// `npm run bench:typing` (`-- --pairs=N`, `-- --setting=KEY=JSON` to try the editor with a
// setting changed, e.g. pipewright.output.reveal="never" to see what a view costs;
// `-- --extension=DIR` to load another build; `-- --profile` the page's hot functions,
// `-- --host-profile` the extension host's (on Node 20 with NODE_OPTIONS=--experimental-websocket), and
// `-- --frames` its WebSocket traffic by RPC name, during the last run; `-- --trace` the main
// threads' work in the last idle phase and run, from a Chrome trace).
// The harness of the end-to-end suite (code-server + Debian's Chromium) with the extension loaded
// from this folder; the page itself times each key: from the keydown event's timestamp to the
// first frame after the typed character reached the editor's lines. Pairs of idle keystrokes and
// keystrokes in the first seconds of a run (started with Ctrl+F5, as a user does), alternating.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/browser';
import { freePort, startCodeServer } from '../test/e2e/code-server';
import { ensureHost } from '../test/e2e/setup';
import { failureShot, keyLatencyProbe } from './editor-page';
import { hostProfiler, hotFunctions } from './cpu-profile';
import { cpuByKind, minus, type Kind } from './process-cpu';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
/** `--extension=DIR`: another build of the extension (a worktree of an older commit, built), to compare. */
const extensionDir = path.resolve(arg('extension') ?? path.join(__dirname, '..'));
const pairs = Number(arg('pairs') ?? 3);
const keysPerPhase = 24;
/** A typist's pace between keys; what is timed is each key's own latency, not this. */
const cadenceMs = 120;
const extra = Object.fromEntries(
  process.argv
    .filter((a) => a.startsWith('--setting='))
    .map((a) => {
      const [key, value] = a.slice('--setting='.length).split(/=(.*)/s);
      return [key!, JSON.parse(value!) as unknown];
    }),
);

const pipeline = `name: million
stages:
  - name: numbers
    run: seq 1 1000000
  - name: as-records
    command:
      - awk
      - '{ printf "{\\"id\\":%d,\\"name\\":\\"item %d\\",\\"price\\":%d.25,\\"dims\\":{\\"w\\":%d,\\"h\\":%d}}\\n", $1, $1, $1 % 500, $1 % 7, $1 % 11 }'
# notes: `; // no newline at the end: Ctrl+End lands in the comment, where the keys go

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function typeKeys(page: Page, n: number, until?: () => Promise<boolean>): Promise<number[]> {
  await page.evaluate('window.__latencies = []');
  let typed = 0;
  for (; typed < n; typed++) {
    if (until && !(await until())) break;
    await page.keyboard.type(String.fromCharCode(97 + (typed % 26)));
    await sleep(cadenceMs);
  }
  // The last keys' frames: wait for as many latencies as keys typed (bounded, they may be late).
  await page.waitForFunction(`window.__latencies.length >= ${typed}`, undefined, { timeout: 30_000 }).catch(() => undefined);
  return page.evaluate<number[]>('window.__latencies');
}

/** `--profile`: a CPU profile of the workbench page's JavaScript (Chrome DevTools protocol), as its top functions by self time. */
async function rendererProfile(page: Page): Promise<{ start(): Promise<void>; stop(): Promise<string[]> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  return {
    start: async () => {
      await cdp.send('Profiler.start');
    },
    stop: async () => hotFunctions((await cdp.send('Profiler.stop')).profile),
  };
}

/**
 * `--frames`: what travels between the workbench page and code-server during the last run, from
 * the page's WebSocket frames (Chrome DevTools protocol): bytes and frames by the first RPC name
 * (`$…`) each frame carries, biggest first — the extension host's calls that the page must handle.
 */
async function frameTally(page: Page): Promise<{ start(): void; stop(): string[] }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let on = false;
  const tally = new Map<string, { frames: number; bytes: number }>();
  const count = (direction: string) => (e: { response: { opcode: number; payloadData: string } }) => {
    if (!on) return;
    const data = e.response.opcode === 2 ? Buffer.from(e.response.payloadData, 'base64') : Buffer.from(e.response.payloadData);
    const name = /\$[A-Za-z]+/.exec(data.toString('latin1'))?.[0] ?? '(no RPC name)';
    const key = `${direction} ${name}`;
    const t = tally.get(key) ?? { frames: 0, bytes: 0 };
    t.frames++;
    t.bytes += data.length;
    tally.set(key, t);
  };
  cdp.on('Network.webSocketFrameReceived', count('in '));
  cdp.on('Network.webSocketFrameSent', count('out'));
  return {
    start: () => {
      on = true;
    },
    stop: () => {
      on = false;
      return [...tally]
        .sort((a, b) => b[1].bytes - a[1].bytes)
        .slice(0, 15)
        .map(([k, t]) => `  ${k}: ${t.frames} frames, ${Math.round(t.bytes / 1024)} KiB`);
    },
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of the event, µs: unlike `dur`, not stretched by a loaded machine. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/**
 * `--trace`: the renderers' main-thread work in each phase, from a Chrome trace (devtools.timeline):
 * busy time (top-level tasks) per second of the phase, time by event (inclusive: a forced layout
 * inside a script counts in both), and the longest tasks with what took most of each. What blocks
 * a keystroke is a long task on the main thread, whatever the load.
 */
async function mainThreadTrace(page: Page): Promise<{ start(): Promise<void>; stop(): Promise<TraceEvent[]> }> {
  const cdp = await page.context().newCDPSession(page);
  let events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e: { value: object[] }) => events.push(...(e.value as TraceEvent[])));
  return {
    start: async () => {
      events = [];
      await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
    },
    stop: async () => {
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await done;
      return events;
    },
  };
}

function traceSummary(events: TraceEvent[], wallMs: number): string[] {
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const onMain = events.filter((e) => e.ph === 'X' && e.dur !== undefined && main.has(`${e.pid}:${e.tid}`));
  const tasks = onMain.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  const byName = new Map<string, number>();
  for (const e of onMain) if (!tasks.includes(e)) byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur! / 1000);
  const busy = tasks.reduce((n, t) => n + t.dur! / 1000, 0);
  const cpu = tasks.reduce((n, t) => n + (t.tdur ?? 0) / 1000, 0);
  const longestCpu = Math.max(0, ...tasks.map((t) => (t.tdur ?? 0) / 1000));
  const longest = [...tasks].sort((a, b) => b.dur! - a.dur!).slice(0, 5);
  const inside = (t: TraceEvent) =>
    onMain
      .filter((e) => e !== t && e.pid === t.pid && e.tid === t.tid && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur! && !tasks.includes(e))
      .sort((a, b) => b.dur! - a.dur!)
      .slice(0, 3)
      .map((e) => `${e.name} ${Math.round(e.dur! / 1000)}`)
      .join(', ');
  return [
    `  main threads busy ${Math.round((busy * 1000) / wallMs)} ms per second (${tasks.length} tasks), on the CPU ${Math.round((cpu * 1000) / wallMs)} ms per second; the longest task's CPU ${Math.round(longestCpu)} ms`,
    `  by event (ms, inclusive): ${[...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([k, v]) => `${k} ${Math.round(v)}`)
      .join(', ')}`,
    `  longest tasks (ms): ${longest.map((t) => `${Math.round(t.dur! / 1000)} [${inside(t)}]`).join('; ')}`,
  ];
}

const hostProfilePath = path.join(os.tmpdir(), 'pipewright-bench-typing-host.cpuprofile');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;
const ms = (x: number) => `${Math.round(x)} ms`;

async function main(): Promise<void> {
  ensureHost();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-typing-'));
  const folder = path.join(scratch, 'workspace');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'million.pipeline.yaml'), pipeline);
  const server = await startCodeServer({ scratch: path.join(scratch, 'host'), folder, settings: extra, smokeTestDriver: true });
  const browser = await launchChromium();
  let hot: string[] = [];
  let hostHot: string[] = [];
  let traffic: string[] = [];
  const traces: string[] = [];
  const idle: number[] = [];
  const running: number[] = [];
  const cpu = { idle: [] as Record<Kind, number>[], run: [] as Record<Kind, number>[], idleMs: 0, runMs: 0 };
  /** CPU by process kind over `work`, added to `into`. */
  const measure = async <T>(phase: 'idle' | 'run', work: () => Promise<T>): Promise<T> => {
    const before = cpuByKind(server.process.pid!, process.pid);
    const t0 = performance.now();
    const result = await work();
    cpu[phase].push(minus(cpuByKind(server.process.pid!, process.pid), before));
    cpu[`${phase}Ms`] += performance.now() - t0;
    return result;
  };
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // `--host-profile`: the extension host's inspector (from this port on: the server takes the first free one).
    const inspectPort = await freePort();
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${extensionDir}`],
      ...(process.argv.includes('--host-profile') ? [['inspect-extensions', String(inspectPort)]] : []),
    ];
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { timeout: 120_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.keyboard.press('Control+P');
    await page.keyboard.type('million.pipeline.yaml');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'million.pipeline.yaml' }).first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'notes' }).first().waitFor({ timeout: 60_000 });
    // The extension is up once its lens is drawn above `stages:`.
    await page.locator('.codelens-decoration', { hasText: 'Run pipeline' }).first().waitFor({ timeout: 120_000 });
    // The Stages view in the side bar, as a user running pipelines has it.
    await page.locator('.activitybar .action-item a[aria-label^="Pipewright"]').first().click({ timeout: 60_000 });
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.evaluate(keyLatencyProbe);
    const profile = process.argv.includes('--profile') ? await rendererProfile(page) : undefined;
    const hostProfile = process.argv.includes('--host-profile') ? await hostProfiler(inspectPort) : undefined;
    const frames = process.argv.includes('--frames') ? await frameTally(page) : undefined;
    const tracer = process.argv.includes('--trace') ? await mainThreadTrace(page) : undefined;
    /** The last pair's phases, traced. */
    const traced = async <T>(phase: 'idle' | 'run', last: boolean, work: () => Promise<T>): Promise<T> => {
      if (!tracer || !last) return work();
      await tracer.start();
      const t0 = performance.now();
      const result = await work();
      const wall = performance.now() - t0;
      traces.push(`${phase} (${(wall / 1000).toFixed(1)} s):`, ...traceSummary(await tracer.stop(), wall));
      return result;
    };
    const status = page.locator('.statusbar-item', { hasText: 'million' });
    for (let i = 0; i < pairs; i++) {
      idle.push(...(await measure('idle', () => traced('idle', i === pairs - 1, () => typeKeys(page, keysPerPhase)))));
      const keys = await measure('run', () =>
        traced('run', i === pairs - 1, async () => {
          if (profile && i === pairs - 1) await profile.start();
          if (hostProfile && i === pairs - 1) await hostProfile.start();
          if (i === pairs - 1) frames?.start();
          await page.keyboard.press('Control+F5');
          await status.first().waitFor({ timeout: 60_000 });
          // Keys while the run goes (the first seconds: it lasts a few).
          const typed = await typeKeys(page, keysPerPhase, async () => (await status.count()) > 0);
          await status.first().waitFor({ state: 'detached', timeout: 120_000 });
          if (profile && i === pairs - 1) hot = await profile.stop();
          if (hostProfile && i === pairs - 1) {
            const raw = await hostProfile.stop();
            hostHot = hotFunctions(raw, 40);
            // The whole profile, for a closer look (Chrome DevTools' Performance tab, or speedscope).
            fs.writeFileSync(hostProfilePath, JSON.stringify(raw));
          }
          if (frames && i === pairs - 1) traffic = frames.stop();
          return typed;
        }),
      );
      if (process.argv.includes('--each')) console.log(`run ${i + 1}: ${keys.map((x) => Math.round(x)).join(' ')} ms`);
      running.push(...keys);
      await page.keyboard.press('Control+End');
    }
  } catch (e) {
    throw new Error(`${(e as Error).message}\n(the page as it was: ${await failureShot(browser, 'typing')})`);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load average ${load}` +
      `, extension ${extensionDir}${Object.keys(extra).length ? `, settings ${JSON.stringify(extra)}` : ''}; ${pairs} idle/run pairs of up to ${keysPerPhase} keys.\n`,
  );
  console.log('| keystroke → screen | keys | median | p90 | max |\n|---|---|---|---|---|');
  for (const [what, xs] of [
    ['idle', idle],
    ['during a 1M-record run', running],
  ] as const)
    console.log(`| ${what} | ${xs.length} | ${ms(median(xs))} | ${ms(pct(xs, 90))} | ${ms(Math.max(...xs))} |`);
  console.log(`\nrun − idle, medians: ${ms(median(running) - median(idle))} (target: within 100 ms)`);
  // Where the CPU went: per second of each phase, summed over its repetitions.
  const perSecond = (rows: Record<Kind, number>[], wallMs: number) => (k: Kind) => rows.reduce((sum, r) => sum + r[k], 0) / (wallMs / 1000);
  const idleRate = perSecond(cpu.idle, cpu.idleMs);
  const runRate = perSecond(cpu.run, cpu.runMs);
  if (hot.length > 0)
    console.log(`\nThe workbench page's main thread during the last run, self time (the top 10), then total time (with what it called):\n${hot.join('\n')}`);
  if (hostHot.length > 0)
    console.log(`\nThe extension host during the last run (${hostProfilePath}), self time (the top 10), then total time:\n${hostHot.join('\n')}`);
  if (traces.length > 0) console.log(`\nThe renderers' main threads in the last pair (Chrome trace):\n${traces.join('\n')}`);
  if (traffic.length > 0) console.log(`\nWebSocket frames of the page during the last run, by RPC name, most bytes first:\n${traffic.join('\n')}`);
  console.log('\n| CPU ms per second of wall time | typing, idle | typing during the runs |\n|---|---|---|');
  for (const k of Object.keys(cpu.idle[0] ?? {}) as Kind[]) console.log(`| ${k} | ${Math.round(idleRate(k))} | ${Math.round(runRate(k))} |`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
