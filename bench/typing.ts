// Keystroke → screen in the real VS Code while a 1,000,000-record pipeline runs (not a test):
// `npm run bench:typing` (`-- --pairs=N`, `-- --setting=KEY=JSON` to try the editor with a
// setting changed, e.g. pipewright.output.reveal="never" to see what a view costs;
// `-- --extension=DIR` to load another build).
// The harness of the end-to-end suite (code-server + Debian's Chromium) with the extension loaded
// from this folder; the page itself times each key: from the keydown event's timestamp to the
// first frame after the typed character reached the editor's lines. Pairs of idle keystrokes and
// keystrokes in the first seconds of a run (started with Ctrl+F5, as a user does), alternating.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/browser';
import { startCodeServer } from '../test/e2e/code-server';
import { ensureHost } from '../test/e2e/setup';
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

/** Page side: every printable key's latency, keydown → the first frame after the editor's lines changed. */
const probe = `(() => {
  window.__latencies = [];
  document.addEventListener('keydown', (e) => {
    if (e.key.length !== 1) return;
    const t0 = e.timeStamp;
    const lines = document.querySelector('.monaco-editor .view-lines');
    const observer = new MutationObserver(() => {
      observer.disconnect();
      requestAnimationFrame(() => window.__latencies.push(performance.now() - t0));
    });
    observer.observe(lines, { subtree: true, childList: true, characterData: true });
  }, true);
})()`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function typeKeys(page: Page, n: number, until?: () => Promise<boolean>): Promise<number[]> {
  await page.evaluate('window.__latencies = []');
  for (let i = 0; i < n; i++) {
    if (until && !(await until())) break;
    await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
    await sleep(cadenceMs);
  }
  // The last keys' frames: wait for as many latencies as keys typed (bounded, they may be late).
  await page.waitForFunction(`window.__latencies.length >= ${n}`, undefined, { timeout: 30_000 }).catch(() => undefined);
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
    stop: async () => {
      const { profile } = await cdp.send('Profiler.stop');
      const self = new Map<string, number>();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      // timeDeltas[i]: microseconds from the sample before to sample i.
      (profile.samples ?? []).forEach((id, i) => {
        const f = byId.get(id)!.callFrame;
        const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
      });
      return [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([k, v]) => `  ${Math.round(v)} ms  ${k}`);
    },
  };
}

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
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${extensionDir}`]];
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
    await page.evaluate(probe);
    const profile = process.argv.includes('--profile') ? await rendererProfile(page) : undefined;
    const status = page.locator('.statusbar-item', { hasText: 'million' });
    for (let i = 0; i < pairs; i++) {
      idle.push(...(await measure('idle', () => typeKeys(page, keysPerPhase))));
      const keys = await measure('run', async () => {
        if (profile && i === pairs - 1) await profile.start();
        await page.keyboard.press('Control+F5');
        await status.first().waitFor({ timeout: 60_000 });
        // Keys while the run goes (the first seconds: it lasts a few).
        const typed = await typeKeys(page, keysPerPhase, async () => (await status.count()) > 0);
        await status.first().waitFor({ state: 'detached', timeout: 120_000 });
        if (profile && i === pairs - 1) hot = await profile.stop();
        return typed;
      });
      if (process.argv.includes('--each')) console.log(`run ${i + 1}: ${keys.map((x) => Math.round(x)).join(' ')} ms`);
      running.push(...keys);
      await page.keyboard.press('Control+End');
    }
  } catch (e) {
    const shot = path.join(os.tmpdir(), 'pipewright-bench-typing-failure.png');
    await browser
      .contexts()[0]
      ?.pages()[0]
      ?.screenshot({ path: shot })
      .catch(() => undefined);
    throw new Error(`${(e as Error).message}\n(the page as it was: ${shot})`);
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
  if (hot.length > 0) console.log(`\nThe workbench page's main thread during the last run, most self time first:\n${hot.join('\n')}`);
  console.log('\n| CPU ms per second of wall time | typing, idle | typing during the runs |\n|---|---|---|');
  for (const k of Object.keys(cpu.idle[0] ?? {}) as Kind[]) console.log(`| ${k} | ${Math.round(idleRate(k))} | ${Math.round(runRate(k))} |`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
