/**
 * The `pipewright` command (dist/cli.cjs): loads the CLI itself (dist/cli-main.cjs, cli/main.ts) through
 * a V8 code cache kept per user, so that a run does not compile its 0.8 MB of JavaScript again: the
 * cache is made after the command ran, so it holds the functions that command compiled (the checker's,
 * the engine's), not only the top level. One cache per command, per build of the CLI and per Node.
 * A cache that cannot be read, written or used costs nothing but the compile it would have saved.
 * Node 22's `module.enableCompileCache` does the same for modules on Node 22 and later, but makes its
 * cache before the code runs (bench/README.md has both measured); the CLI also runs on Node 20.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { ExitCode } from './exit-codes';

const mainFile = path.join(__dirname, 'cli-main.cjs');
const source = readMain();
// V8 checks a cache against the source's length only: its name carries a hash of the source itself.
const command = /^(check|run|graph|compare|doctor)$/.exec(process.argv[2] ?? '')?.[1] ?? 'other';
const key = createHash('sha256').update(`${process.version} ${process.arch}\n`).update(source).digest('hex').slice(0, 32);
const cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pipewright');
const cacheFile = path.join(cacheDir, `cli-${command}-${key}.v8`);

let cachedData: Buffer | undefined;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined; // none yet
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: mainFile, cachedData });
if (cachedData === undefined || script.cachedDataRejected === true) process.once('exit', writeCache);
const main = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void).call(main.exports, main.exports, createRequire(mainFile), main, mainFile, __dirname);

/** Written whole under another name, then renamed: CLIs started together never read half a cache. */
function writeCache(): void {
  try {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const partial = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(partial, cacheFile);
    // This command's caches of other builds (or of another Node) are of no more use.
    for (const name of fs.readdirSync(cacheDir)) {
      if (name.startsWith(`cli-${command}-`) && name.endsWith('.v8') && path.join(cacheDir, name) !== cacheFile)
        fs.rmSync(path.join(cacheDir, name), { force: true });
    }
  } catch {
    // a read-only home, a full disk: the next run compiles again
  }
}

/** The CLI itself; without it (a copy of this file alone, a broken install) a message that says what to do. */
function readMain(): string {
  try {
    return fs.readFileSync(mainFile, 'utf8');
  } catch (e) {
    const fix = fs.existsSync(path.join(__dirname, '..', 'cli', 'main.ts')) ? 'npm run build' : 'npm install -g pipewright (reinstalling puts it back)';
    process.stderr.write(`pipewright: cannot read ${mainFile}, the CLI itself (${(e as NodeJS.ErrnoException).code ?? String(e)}): ${fix}\n`);
    process.exit(ExitCode.Unreadable);
  }
}
