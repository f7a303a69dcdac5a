// End-to-end tests inside a real VS Code: code-server + headless Chromium (Debian's) driven by
// playwright-core. The mocha suite (test/e2e/suite) runs in the extension host through VS Code's
// smoke-test driver; its output and exit code come back through page functions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import type { Page } from 'playwright-core';
import { launchChromium } from './browser';
import { startCodeServer } from './code-server';
import { compareCheckpoints } from './compare-checks';
import { panelCheckpoints } from './panel-checks';
import { recordsCheckpoints } from './records-checks';
import { stagesCheckpoints } from './stages-checks';
import { ensureHost } from './setup';
import { checkpointDir, checkpointFiles, type CheckpointAnswer } from './suite/checkpoint';
import { suiteTag } from './suite/tag';
import { checkVsix, packageVsix } from './vsix';

const repoRoot = path.resolve(__dirname, '../..');
const scratchRoot = path.join(repoRoot, '.e2e');
const suiteIndex = path.join(repoRoot, 'dist/e2e/index.cjs');
/** Screenshots the sessions take, emptied at each run; `npm run screenshots` copies them into docs/. */
export const screenshotDir = path.join(scratchRoot, 'screenshots');

interface Session {
  name: string;
  /** Folders/files copied into the session's workspace. */
  workspace: string[];
  /**
   * A multi-root workspace: these folders of it (by name) as its workspace folders, through a
   * `.code-workspace` file; the first holds the suite's config and checkpoints. Absent: the one folder.
   */
  folders?: string[];
  settings?: Record<string, unknown>;
  /** Mocha grep: which suites run in this session. */
  grep: string;
  /** Checks on the rendered workbench that the suite asks for by name, with arguments; they may return what they read (see suite/checkpoint.ts). */
  checkpoints?: Record<string, (page: Page, args: unknown) => Promise<unknown>>;
  /** The extension as users get it: `npm run package`'s VSIX installed with --install-extension, instead of this folder in development mode. */
  vsix?: boolean;
}

const sessions: Session[] = [
  {
    name: 'trusted',
    // .vscode/tasks.json: tasks as a user writes them (suite/tasks.test.ts).
    workspace: ['examples', 'test/fixtures/e2e', 'test/fixtures/e2e-tasks/.vscode'],
    grep: '^(?!untrusted|multi-root|vsix)',
    checkpoints: {
      showcase: async (page) => {
        // The showcase run is on screen: its stages in the tree, its records in the output panel.
        await page.locator('.monaco-list-row', { hasText: 'as-records' }).first().waitFor({ timeout: 20_000 });
        await page.locator('.output-view', { hasText: '"path":"/api/cart"' }).first().waitFor({ timeout: 20_000 });
        await page.screenshot({ path: path.join(screenshotDir, 'screenshot-run.png') });
      },
      /** The text of the status bar entry that holds `hasText` (the icon left out). */
      'statusbar-read': async (page, args) => {
        const item = page.locator('.statusbar-item', { hasText: (args as { hasText: string }).hasText }).first();
        await item.waitFor({ timeout: 20_000 });
        return (await item.innerText()).trim();
      },
      /**
       * The inline stats drawn after the lines of the visible editors (decorations' `::after`
       * text), read once the suite's own decoration `marker` is drawn: the extension host sent it
       * last, so what it sent before (the stats of the refreshes so far) has reached the page.
       */
      'inline-stats-read': async (page, args) => {
        // Only the editor that shows the marker: other editors still open show the stats of their own runs.
        const afters = `((root) => [...root.querySelectorAll('.view-lines span')].map((el) => getComputedStyle(el, '::after').content))`;
        const marker = JSON.stringify((args as { marker: string }).marker);
        const editor = `[...document.querySelectorAll('.monaco-editor')].find((ed) => ${afters}(ed).some((c) => c.includes(${marker})))`;
        await page.waitForFunction(`${editor} !== undefined`, undefined, { timeout: 20_000 });
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
        // The editor writes the text's spaces as no-break spaces.
        return page.evaluate<string[]>(`${afters}(${editor}).filter((c) => /\\s·\\s/.test(c))`);
      },
      ...panelCheckpoints(screenshotDir),
      ...recordsCheckpoints(screenshotDir),
      ...stagesCheckpoints(screenshotDir),
      ...compareCheckpoints(screenshotDir),
    },
  },
  {
    name: 'untrusted',
    workspace: ['examples'],
    settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' },
    grep: '^untrusted',
  },
  {
    name: 'multi-root',
    workspace: ['test/fixtures/e2e-multi/alpha', 'test/fixtures/e2e-multi/beta'],
    folders: ['alpha', 'beta'],
    grep: '^multi-root',
    checkpoints: {
      /**
       * The quick input that shows `hasText` (a row, or an input box's prompt): its rows' text,
       * then `type` (replacing what is there) and `press` a key.
       */
      'quick-input': async (page, args) => {
        const { hasText, type, press } = args as { hasText: string; type?: string; press: string };
        const widget = page.locator('.quick-input-widget', { hasText });
        await widget.waitFor({ timeout: 20_000 });
        const rows = await widget.locator('.monaco-list-row').allInnerTexts();
        if (type !== undefined) {
          await page.keyboard.press('Control+A');
          await page.keyboard.type(type);
        }
        await page.keyboard.press(press);
        await widget.waitFor({ state: 'hidden', timeout: 20_000 });
        return rows.map((r) => r.replace(/\s+/g, ' ').trim());
      },
    },
  },
  {
    name: 'vsix',
    workspace: ['examples', 'test/fixtures/e2e'],
    grep: '^vsix',
    vsix: true,
    checkpoints: { ...panelCheckpoints(screenshotDir), ...recordsCheckpoints(screenshotDir) },
  },
];

function prepareWorkspace(dir: string, sources: string[]): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const src of sources) fs.cpSync(path.join(repoRoot, src), path.join(dir, path.basename(src)), { recursive: true });
}

/** Answers the suite's checkpoint requests (files under the workspace) with DOM checks. */
function answerCheckpoints(workspace: string, page: Page, session: Session, scratch: string): fs.FSWatcher {
  const dir = path.join(workspace, checkpointDir);
  fs.mkdirSync(dir, { recursive: true });
  return fs.watch(dir, (_event, file) => {
    const name = file?.toString().replace(/\.ask$/, '');
    if (!file?.toString().endsWith('.ask') || !name) return;
    const { ask, answer } = checkpointFiles(workspace, name);
    if (!fs.existsSync(ask)) return;
    const args = JSON.parse(fs.readFileSync(ask, 'utf8') || 'null') as unknown;
    fs.rmSync(ask);
    const check = session.checkpoints?.[name];
    const reply = (a: CheckpointAnswer) => {
      // Written aside, then renamed: the suite never reads a half-written answer.
      fs.writeFileSync(`${answer}.tmp`, JSON.stringify(a));
      fs.renameSync(`${answer}.tmp`, answer);
    };
    if (!check) return reply({ ok: false, error: `the harness has no checkpoint "${name}"` });
    check(page, args).then(
      (data) => reply({ ok: true, data }),
      async (e: unknown) => {
        await page.screenshot({ path: path.join(scratch, `${name}-failure.png`) }).catch(() => undefined);
        reply({ ok: false, error: `checkpoint ${name}: ${(e as Error).message}` });
      },
    );
  });
}

/**
 * VS Code runs a test suite only with a development extension. For the VSIX session that is this
 * empty one, of another id: the Pipewright that runs is the one installed from the VSIX.
 */
function testDriver(scratch: string): string {
  const dir = path.join(scratch, 'test-driver');
  fs.mkdirSync(dir, { recursive: true });
  const manifest = { name: 'e2e-driver', publisher: 'pipewright-tests', version: '0.0.0', engines: { vscode: '*' } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest));
  return dir;
}

async function runSession(session: Session, vsix: string): Promise<number> {
  const scratch = path.join(scratchRoot, session.name);
  const workspace = path.join(scratch, 'workspace');
  fs.rmSync(scratch, { recursive: true, force: true });
  prepareWorkspace(workspace, session.workspace);
  // Where the suite reads its config and the checkpoints meet: the (first) workspace folder.
  const root = session.folders ? path.join(workspace, session.folders[0]!) : workspace;
  const workspaceFile = path.join(workspace, `${session.name}.code-workspace`);
  if (session.folders) fs.writeFileSync(workspaceFile, JSON.stringify({ folders: session.folders.map((f) => ({ path: f })) }));
  const server = await startCodeServer({
    scratch: path.join(scratch, 'host'),
    folder: workspace,
    settings: session.settings ?? {},
    smokeTestDriver: true,
    install: session.vsix ? [vsix] : [],
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let finish: (code: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (finish = resolve));
    // Mocha's lines (tagged by the suite) go to the terminal; the workbench's own logs to a file.
    const browserLog = fs.openSync(path.join(scratch, 'workbench.log'), 'w');
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const line = format(...args);
      if (line.startsWith(suiteTag)) process.stdout.write(`[${session.name}] ${line.slice(suiteTag.length)}\n`);
      else fs.writeSync(browserLog, `${type}: ${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(session.vsix ? testDriver(scratch) : repoRoot)],
      ['extensionTestsPath', remote(suiteIndex)],
    ];
    fs.writeFileSync(path.join(root, '.pipewright-e2e.json'), JSON.stringify({ grep: session.grep, session: session.name }));
    const watcher = answerCheckpoints(root, page, session, scratch);
    page.once('close', () => watcher.close());
    const open = session.folders ? `workspace=${encodeURIComponent(workspaceFile)}` : `folder=${encodeURIComponent(workspace)}`;
    await page.goto(`${server.url}/?${open}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    // A guard against a hung suite, not a time limit: the trusted session took over 5 minutes at
    // load 26 on 2 cores (each test has mocha's own 60 s limit).
    const timeout = new Promise<number>((resolve) =>
      setTimeout(() => {
        process.stderr.write(`[${session.name}] the suite did not finish within 10 minutes\n`);
        resolve(1);
      }, 600_000).unref(),
    );
    return await Promise.race([finished, timeout]);
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** Runs the sessions named in `only` (every session when empty); resolves with the number that failed. */
export async function runE2e(only: readonly string[] = []): Promise<number> {
  const unknown = only.filter((n) => !sessions.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`no e2e session ${unknown.join(', ')}; the sessions are ${sessions.map((s) => s.name).join(', ')}`);
  ensureHost();
  if (!fs.existsSync(suiteIndex)) throw new Error(`${suiteIndex} is missing: run \`npm run build\` first`);
  fs.rmSync(screenshotDir, { recursive: true, force: true });
  fs.mkdirSync(screenshotDir, { recursive: true });
  // Packaged first: `npm run package` rebuilds dist/ for development when it is done.
  const vsix = packageVsix(repoRoot);
  let failed = 0;
  const problems = checkVsix(vsix);
  for (const p of problems) console.log(`e2e ${path.basename(vsix)}: ${p}`);
  console.log(`e2e ${path.basename(vsix)} contents against the allow-list: ${problems.length === 0 ? 'passed' : 'FAILED'}`);
  if (problems.length > 0) failed++;
  for (const session of sessions.filter((s) => only.length === 0 || only.includes(s.name))) {
    const code = await runSession(session, vsix);
    console.log(`e2e session ${session.name}: ${code === 0 ? 'passed' : `FAILED (${code})`}`);
    if (code !== 0) failed++;
  }
  return failed;
}

if (require.main === module) {
  // Ended by a signal, it still runs its exit handlers (code-server.ts ends code-server's group).
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)
    process.once(signal, () => process.exit(code));
  runE2e(process.argv.slice(2)).then(
    (failed) => (process.exitCode = failed === 0 ? 0 : 1),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
