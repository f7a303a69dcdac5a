import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dslFixtures } from './fixtures';
import { builtServer, fakePathDir, repoRoot } from './harness';

const luaClient = path.join(repoRoot, 'test/fixtures/lsp/nvim-client.lua');
const programs = ['cat', 'grep', 'sed', 'jq', 'head', 'sort', 'wc', 'echo', 'node', 'sh', 'awk', 'tr', 'cut', 'uniq', 'yes', 'seq'];

interface NvimResult {
  error?: string;
  version?: number;
  received?: number;
  stored?: { line: number; col: number; code: string; source: string; severity: number; message: string }[];
}

/** Not skipped when missing: the Neovim client is part of what the server promises. */
function requireNvim(): void {
  const probe = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('Neovim (`nvim`) is not installed, and this test drives it as an external LSP client. Install it: `apt-get install -y neovim` (.ci/run does).');
  }
}

describe('headless Neovim as an LSP client', () => {
  it('receives and stores the diagnostics of a broken pipeline', async () => {
    requireNvim();
    const server = builtServer();
    const fixture = dslFixtures().find((f) => f.name === 'builtins.pipeline.yaml')!;
    expect(fixture.want.length).toBeGreaterThan(3);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-nvim-'));
    const out = path.join(work, 'diagnostics.json');
    const pathDir = fakePathDir(programs, work);
    try {
      const nvim = spawn('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${luaClient}`, fixture.file], {
        cwd: path.dirname(fixture.file),
        env: { ...process.env, PW_OUT: out, PW_SERVER: server, PW_NODE: process.execPath, PATH: `${pathDir}:${path.dirname(process.execPath)}:/usr/bin:/bin` },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      nvim.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const status = await new Promise<number | null>((resolve) => nvim.on('exit', (code) => resolve(code)));
      const result = JSON.parse(fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '{"error":"no output"}') as NvimResult;
      expect(result.error, `nvim failed (exit ${status}): ${stderr}`).toBeUndefined();
      expect(status).toBe(0);
      expect(typeof result.version).toBe('number');
      expect(result.received).toBe(fixture.want.length);
      expect(result.stored!.map((d) => `${d.line} ${d.code}`).sort()).toEqual(fixture.want);
      expect(new Set(result.stored!.map((d) => d.source))).toEqual(new Set(['pipewright']));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(pathDir, { recursive: true, force: true });
    }
  });
});
