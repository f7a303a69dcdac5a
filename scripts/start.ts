// `npm start`: the extension, packaged and installed, in a real VS Code (code-server) on
// 127.0.0.1 with examples/ open. Prints the address; Ctrl-C stops it and exits 0. package.json
// starts this with `exec`: Debian's sh (dash) between npm and this script would die of the same
// Ctrl-C at once, and npm would then report a signal (exit 130) instead of this script's 0.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { hostTarget } from '../engine/native-programs';
import { startCodeServer } from '../test/e2e/code-server';
import { ensureHost } from '../test/e2e/setup';
import { vsixPath } from './vsix-name';

const repoRoot = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  ensureHost();
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const folder = path.join(repoRoot, 'examples');
  const port = Number(process.env.PORT ?? 8080);
  const server = await startCodeServer({
    scratch: path.join(repoRoot, '.e2e/start'),
    folder,
    port,
    // The VSIX of this machine's platform (scripts/package.ts makes one per target).
    install: [vsixPath(repoRoot, hostTarget)],
    settings: { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false },
  });
  console.log(`Pipewright in VS Code: ${server.url}/?folder=${encodeURIComponent(folder)}`);
  console.log('Open a *.pipeline.yaml file and press ▶ Run pipeline. Ctrl-C stops the server.');
  // Ctrl-C is how this is meant to end: stop code-server and exit 0, quietly.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping code-server…');
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.process.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`code-server exited on its own (${signal ?? `exit code ${code}`}); its log: ${server.logFile}`);
    process.exit(1);
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
