// Issue 24's generated 20 MB pipeline in the real VS Code (not a test): `npx tsx bench/editor-huge.ts`
// (`-- --stages=N` for another size, `--edits=N` error/fix pairs, `--extension=DIR` another build).
// The harness of the end-to-end suite (code-server + Debian's Chromium) with the extension loaded from
// this folder. The file is bench/lsp.ts's, with one error
// planted in its last stage. Timed as a user sees it: open → that error counted in the status bar;
// then, in a stage in the middle, a key that makes a second error and a Backspace that mends it →
// the count changing; `: ` typed into a command that breaks the YAML there, and Backspaces that mend it; each key's own latency to the screen meanwhile (is the editor responsive?);
// and which of the language server's features held it up (its log: each that ran 250 ms or more).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/e2e/browser';
import { startCodeServer } from '../test/e2e/code-server';
import { ensureHost } from '../test/e2e/setup';
import { failureShot, keyLatencyProbe } from './editor-page';
import { hugePipelineText } from './huge-text';
import { median } from './numbers';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const stages = Number(arg('stages') ?? 432_526);
const edits = Number(arg('edits') ?? 3);
const extensionDir = path.resolve(arg('extension') ?? path.join(__dirname, '..'));
/** Long enough for a first check of 20 MB on a loaded machine; a bench that gives up says so. */
const patienceMs = Number(arg('patience') ?? 15 * 60) * 1000;

/** The status bar's problem counts as it shows them: errors, then warnings. */
const problemCounts = `(() => {
  const numbers = (document.getElementById('status.problems')?.textContent ?? '').match(/\\d+/g) ?? [];
  return numbers.map(Number);
})()`;

/** Waits until the status bar counts errors (or `warnings`) as `wanted` says; the time it took, ms. */
async function errorsShown(page: Page, wanted: string, since: number, warnings = false): Promise<number> {
  await page.waitForFunction(`(${wanted})(${problemCounts}[${warnings ? 1 : 0}] ?? 0)`, undefined, { timeout: patienceMs, polling: 50 });
  return performance.now() - since;
}

/**
 * What held the language server up: each feature that ran ≥ 250 ms, as the server logs it
 * (`pipewright: WHAT of URI took N ms`, server/server.ts) into the extension's log, which VS Code keeps on disk.
 */
function slowFeatures(logRoot: string): string[] {
  const logs: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'Pipewright Language Server.log') logs.push(p);
    }
  };
  walk(logRoot);
  if (logs.length === 0) return [`no log of the language server under ${logRoot}`];
  const tally = new Map<string, number[]>();
  for (const log of logs)
    for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
      const slow = /pipewright: (.+) of \S+ took (\d+) ms/.exec(line);
      if (slow) tally.set(slow[1]!, [...(tally.get(slow[1]!) ?? []), Number(slow[2])]);
    }
  if (tally.size === 0) return ['No feature of the language server ran 250 ms or more.'];
  return [
    'Features of the language server that ran 250 ms or more (each holds up every other message, diagnostics too):',
    '',
    '| feature | times | median | longest | total |',
    '|---|---|---|---|---|',
    ...[...tally]
      .sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))
      .map(([m, ts]) => `| ${m} | ${ts.length} | ${median(ts)} ms | ${Math.max(...ts)} ms | ${(ts.reduce((x, y) => x + y, 0) / 1000).toFixed(1)} s |`),
  ];
}

/** Go to Line, then to its end. */
async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget input').first().waitFor({ timeout: 60_000 });
  await page.keyboard.type(String(line));
  await page
    .locator('.quick-input-widget', { hasText: String(line) })
    .first()
    .waitFor({ timeout: 60_000 });
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
}

async function main(): Promise<void> {
  ensureHost();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-bench-editor-huge-'));
  const folder = path.join(scratch, 'workspace');
  fs.mkdirSync(folder);
  // One error to wait for: a stage at the end runs a built-in that does not exist; and one warning: the last one reads a
  // variable nobody sets. While the YAML is broken the rules after it hold back, and the warning goes.
  const text = `${hugePipelineText(stages)}  - use: no-such-builtin\n  - run: echo \${NOPE}\n`;
  const lines = text.split('\n');
  // Lines (1-based) from the middle on: typing `x` at the end of `use: pick` makes an unknown built-in; `: ` at the end
  // of `run: head -n 10` breaks the YAML inside that stage.
  const middleLines = (line: string) => lines.flatMap((l, i) => (i >= lines.length / 2 && l === line ? [i + 1] : [])).slice(0, edits);
  const picks = middleLines('    use: pick');
  const heads = middleLines('  - run: head -n 10');
  fs.writeFileSync(path.join(folder, 'huge.pipeline.yaml'), text);
  const host = path.join(scratch, 'host');
  const server = await startCodeServer({ scratch: host, folder, smokeTestDriver: true });
  const browser = await launchChromium();
  const rows: string[] = [];
  let tally: string[] = [];
  let page: Page | undefined;
  try {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${extensionDir}`]];
    await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { timeout: 120_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    await page.keyboard.press('Control+P');
    await page.keyboard.type('huge.pipeline.yaml');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'huge.pipeline.yaml' }).first().waitFor({ timeout: 60_000 });
    const opened = performance.now();
    await page.keyboard.press('Enter');
    const editorLines = page.locator('.monaco-editor .view-lines', { hasText: 'name: big' }).first();
    // A remote editor asks first above `workbench.editorLargeFileConfirmation` (10 MB): a user clicks on.
    const anyway = page.getByRole('button', { name: 'Open Anyway' });
    await editorLines.or(anyway).first().waitFor({ timeout: 120_000 });
    if (await anyway.isVisible()) await anyway.click();
    await editorLines.waitFor({ timeout: 120_000 });
    const shown = performance.now() - opened;
    const first = await errorsShown(page, '(n) => n > 0', opened);
    const errors = (await page.evaluate<number[]>(problemCounts))[0]!;
    process.stderr.write(`open: ${errors} errors counted after ${Math.round(first)} ms\n`);
    rows.push(`| open → text shown | ${(shown / 1000).toFixed(1)} s |`, `| open → its errors counted (${errors}) | ${(first / 1000).toFixed(1)} s |`);
    await page.evaluate(keyLatencyProbe);
    const made: number[] = [];
    const mended: number[] = [];
    for (let i = 0; i < edits; i++) {
      await goToLine(page, picks[i]!);
      let t = performance.now();
      await page.keyboard.type('x'); // `use: pickx`: an unknown built-in
      made.push(await errorsShown(page, `(n) => n === ${errors + 1}`, t));
      process.stderr.write(`edit ${i + 1} at line ${picks[i]}: its error counted after ${Math.round(made.at(-1)!)} ms\n`);
      t = performance.now();
      await page.keyboard.press('Backspace');
      mended.push(await errorsShown(page, `(n) => n === ${errors}`, t));
      process.stderr.write(`edit ${i + 1}: mended after ${Math.round(mended.at(-1)!)} ms\n`);
    }
    const broken: number[] = [];
    const repaired: number[] = [];
    for (let i = 0; i < edits; i++) {
      await goToLine(page, heads[i]!);
      let t = performance.now();
      await page.keyboard.type(': '); // `run: head -n 10: `: a mapping where a command was, a YAML error
      broken.push(await errorsShown(page, '(n) => n === 0', t, true));
      process.stderr.write(`YAML broken at line ${heads[i]}: the warning gone after ${Math.round(broken.at(-1)!)} ms\n`);
      t = performance.now();
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Backspace');
      repaired.push(await errorsShown(page, '(n) => n === 1', t, true));
      process.stderr.write(`YAML mended: the warning back after ${Math.round(repaired.at(-1)!)} ms\n`);
    }
    const keys = await page.evaluate<number[]>('window.__latencies');
    const fmt = (xs: number[]) => xs.map((x) => `${(x / 1000).toFixed(1)} s`).join(' / ');
    rows.push(
      `| a key in a stage in the middle → its error counted (${edits} edits) | ${fmt(made)} |`,
      `| Backspace → the error gone | ${fmt(mended)} |`,
      `| \`: \` typed into a command in the middle (a YAML error) → the rules held back (the warning gone) | ${fmt(broken)} |`,
      `| two Backspaces → mended (the warning back) | ${fmt(repaired)} |`,
      `| keystroke → screen (${keys.length} keys) | median ${Math.round(median(keys))} ms, longest ${Math.round(Math.max(...keys))} ms |`,
    );
  } catch (e) {
    const shot = await failureShot(browser, 'editor-huge');
    const counts = await page?.evaluate<number[]>(problemCounts).catch(() => []);
    rows.push(`| (stopped: ${(e as Error).message.split('\n')[0]}; the status bar counted ${counts?.join(' / ')}; the page as it was: ${shot}) | |`);
  } finally {
    tally = slowFeatures(host);
    if (process.argv.includes('--keep')) console.log(`kept: ${scratch}`);
    await browser.close();
    await server.stop();
    if (!process.argv.includes('--keep')) fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load average ${os.loadavg()[0]!.toFixed(1)}; ` +
      `${stages.toLocaleString('en')} stages, ${(text.length / 1e6).toFixed(1)} MB, extension ${extensionDir}\n`,
  );
  console.log(['| in the real VS Code | measured |', '|---|---|', ...rows, '', ...tally].join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
