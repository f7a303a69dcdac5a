// Starts and stops a private code-server: its own port, settings, extensions and temp folders.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { codeServerDir, node24 } from './setup';

export interface CodeServer {
  port: number;
  url: string;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the server answers HTTP, or rejects with its log when it exits first. */
async function ready(port: number, child: ChildProcess, logFile: string, deadlineMs: number): Promise<void> {
  const started = Date.now();
  let exited = false;
  let wake: () => void = () => undefined;
  const onExit = () => {
    exited = true;
    wake();
  };
  child.once('exit', onExit);
  try {
    for (;;) {
      if (exited) throw new Error(`code-server exited during start-up:\n${fs.readFileSync(logFile, 'utf8')}`);
      if (Date.now() - started > deadlineMs) throw new Error(`code-server did not answer within ${deadlineMs} ms:\n${fs.readFileSync(logFile, 'utf8')}`);
      if (
        await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      // Poll again shortly, or at once when the process exits.
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  } finally {
    child.off('exit', onExit);
  }
}

export interface StartOptions {
  /** Scratch folder for user data, extensions, XDG dirs and TMPDIR. */
  scratch: string;
  folder: string;
  settings?: Record<string, unknown>;
  /** Extra `--vscode-option`s, e.g. enable-smoke-test-driver. */
  smokeTestDriver?: boolean;
  port?: number;
  /** VSIX files to install first (as a user would with `--install-extension`). */
  install?: string[];
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const port = options.port ?? (await freePort());
  const dirs = Object.fromEntries(['user', 'extensions', 'config', 'data', 'tmp'].map((d) => [d, path.join(options.scratch, d)]));
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.user!, 'User'), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'telemetry.telemetryLevel': 'off',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'git.openRepositoryInParentFolders': 'never',
    'security.workspace.trust.enabled': false,
    // Stages on ssh test hosts listen on local ports: each would pop a "port forwarded" toast.
    'remote.autoForwardPorts': false,
    ...options.settings,
  };
  fs.writeFileSync(path.join(dirs.user!, 'User/settings.json'), JSON.stringify(settings, null, 2));
  const env = {
    ...process.env,
    PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH ?? ''}`,
    XDG_CONFIG_HOME: dirs.config!,
    XDG_DATA_HOME: dirs.data!,
    TMPDIR: dirs.tmp!,
  };
  const entry = path.join(codeServerDir, 'out/node/entry.js');
  for (const vsix of options.install ?? []) {
    execFileSync(node24, [entry, '--user-data-dir', dirs.user!, '--extensions-dir', dirs.extensions!, '--install-extension', vsix, '--force'], {
      env,
      stdio: 'pipe',
    });
  }
  const logFile = path.join(options.scratch, 'code-server.log');
  const log = fs.openSync(logFile, 'w');
  const args = [
    entry,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir',
    dirs.user!,
    '--extensions-dir',
    dirs.extensions!,
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    options.folder,
  ];
  if (options.settings?.['security.workspace.trust.enabled'] === true) args.splice(args.indexOf('--disable-workspace-trust'), 1);
  // Detached: its own process group, so stop() also ends the file watcher and extension hosts.
  const child = spawn(node24, args, { env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  // Its own group outlives the harness: a harness that ends early (a signal, see run.ts) ends it too.
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', killGroup);
  child.once('exit', () => process.off('exit', killGroup));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(killGroup, 3000);
    await gone;
    clearTimeout(timer);
  };
  try {
    await ready(port, child, logFile, 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, url: `http://127.0.0.1:${port}`, process: child, logFile, stop };
}
