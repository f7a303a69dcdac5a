/**
 * The `pipewright` command (dist/cli.cjs): loads the CLI itself (dist/cli-main.cjs, cli/main.ts) through
 * a V8 code cache kept per user, so that a run does not compile its 0.8 MB of JavaScript again: the
 * cache is made after the command ran, so it holds the functions that command compiled (the checker's,
 * the engine's), not only the top level. One cache per command, per build of the CLI and per Node.
 * A cache that cannot be read, written or used costs nothing but the compile it would have saved.
 * Node 22's `module.enableCompileCache` does the same for modules on Node 22 and later, but makes its
 * cache before the code runs (bench/README.md has both measured); the CLI also runs on Node 20.
 *
 * Start-up is counted in page faults here (~50 µs each in the VMs measured, bench/README.md, issue 21,
 * session 7): the build is named by its file's size, time and inode rather than a hash of its 0.8 MB
 * (no node:crypto, no copy to hash), and read as a one-byte string when it is ASCII (as
 * test/unit/bundles.test.ts keeps it), not decoded from UTF-8 into two bytes a character. The
 * bundle is minified (whitespace and syntax, names kept: scripts/build.ts), ~200 faults fewer.
 *
 * Not done here, measured (bench/README.md, issue 21, "Start-up: Node's part"): starting pw-segment
 * from this launcher before the bundle loads, while Node's heap is small (libuv forks Node to spawn
 * it: a few hundred faults of copy-on-write afterwards). The segment's stdio is the plan's: one
 * stderr pipe per stage, commit channels, the relays' fds, all made by that spawn; a segment started
 * before the plan is known would need them handed over later (SCM_RIGHTS), which Node's API offers
 * only for its own IPC handles. A V8 startup snapshot of the CLI: as many faults, the same time.
 */
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { ExitCode } from './exit-codes';

const mainFile = path.join(__dirname, 'cli-main.cjs');
const { source, build } = readMain();
const command = /^(check|run|graph|compare|doctor)$/.exec(process.argv[2] ?? '')?.[1] ?? 'other';
const cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pipewright');
const cacheFile = path.join(cacheDir, `cli-${command}-${build}.v8`);

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

/**
 * The CLI itself, and which build it is under which Node: V8 checks a cache against the source's
 * length only, so the cache's name must change with the source. A rebuild writes the file anew (a
 * new time, to the nanosecond where the file system keeps it), an install another (a new inode).
 * Without the file (a copy of the launcher alone, a broken install): a message that says what to do.
 */
function readMain(): { source: string; build: string } {
  let fd: number | undefined;
  try {
    fd = fs.openSync(mainFile, 'r');
    const st = fs.fstatSync(fd, { bigint: true });
    const bytes = fs.readFileSync(fd);
    const build = [process.version, process.arch, st.size, st.mtimeNs, st.ino].map((x) => x.toString(36)).join('-');
    return { source: bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8'), build };
  } catch (e) {
    const fix = fs.existsSync(path.join(__dirname, '..', 'cli', 'main.ts')) ? 'npm run build' : 'npm install -g pipewright (reinstalling puts it back)';
    process.stderr.write(`pipewright: cannot read ${mainFile}, the CLI itself (${(e as NodeJS.ErrnoException).code ?? String(e)}): ${fix}\n`);
    return process.exit(ExitCode.Unreadable);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
