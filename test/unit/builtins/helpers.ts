import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');
/** The bundle the engine runs (test/global-setup.ts builds dist/ first). */
export const builtinPath = path.join(repoRoot, 'dist/builtin.cjs');
export const fixtures = path.join(repoRoot, 'test/fixtures/builtins');

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** Peak resident set (VmHWM, KB) of the child, last read from /proc while it ran. */
  peakRssKb: number;
}

export interface RunOptions {
  cwd?: string;
  /** Extra arguments for node itself (e.g. a heap limit). */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Leave stdin open (never ended) after writing the input. */
  keepStdinOpen?: boolean;
  /** Called with the child once it runs (to kill it, watch it). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
  /** Called on each stdout chunk. */
  onStdout?: (chunk: Buffer, child: ReturnType<typeof spawn>) => void;
}

function peakRss(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs `node dist/builtin.cjs NAME OPTIONS-JSON` as a real process, feeding `input` on stdin. */
export function runBuiltin(name: string, options: unknown, input: string | Buffer | null = '', o: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const args = [...(o.nodeArgs ?? []), builtinPath, name];
    if (options !== undefined) args.push(JSON.stringify(options));
    const child = spawn(process.execPath, args, { cwd: o.cwd ?? repoRoot, env: o.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let peak = 0;
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      peak = Math.max(peak, peakRss(child.pid));
      o.onStdout?.(c, child);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdin.on('error', () => {}); // the built-in may exit before reading everything (head)
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err, peakRssKb: peak }));
    o.onSpawn?.(child);
    if (input !== null) {
      if (o.keepStdinOpen) child.stdin.write(input);
      else child.stdin.end(input);
    }
  });
}

/** Runs a bash script from the repository root; `B` is the built-in program for `node $B NAME JSON`. */
export function bash(script: string, cwd = repoRoot): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('/bin/bash', ['-c', script], {
    cwd,
    env: { ...process.env, B: builtinPath },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 25_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Lines of NDJSON output, parsed. */
export function records(out: Buffer | string): unknown[] {
  return out
    .toString()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-builtins-'));
}

/** NDJSON text of the given values, one per line. */
export function ndjson(values: unknown[]): string {
  return values.map((v) => `${JSON.stringify(v)}\n`).join('');
}
