import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dslFixtures, type Fixture } from './fixtures';
import { builtServer, repoRoot } from './harness';

const luaDir = path.join(repoRoot, 'test/fixtures/lsp');

interface StoredDiagnostic {
  line: number;
  col: number;
  code: string;
  source: string;
  severity: number;
  message: string;
}

interface NvimResult {
  error?: string;
  version?: number;
  received?: number;
  stored?: StoredDiagnostic[];
  commands?: Record<string, boolean>;
}

/** Not skipped when missing: the Neovim client is part of what the server promises. */
function requireNvim(): void {
  const probe = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Neovim (`nvim`) is not installed, and this test drives it as an external LSP client. Install it: `apt-get install -y neovim` (.ci/run does).',
    );
  }
}

/** Runs headless Neovim on a fixture with `nvimArgs` before the file; resolves with what the lua side wrote. */
async function runNvim(fixture: Fixture, nvimArgs: (out: string) => string[]): Promise<NvimResult> {
  requireNvim();
  const server = builtServer();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-nvim-'));
  const out = path.join(work, 'diagnostics.json');
  try {
    const nvim = spawn('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', ...nvimArgs(out), fixture.file], {
      cwd: path.dirname(fixture.file),
      env: {
        ...process.env,
        PW_OUT: out,
        PW_SERVER: server,
        PIPEWRIGHT_SERVER: server,
        PW_NODE: process.execPath,
        PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    nvim.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => nvim.on('exit', (code) => resolve(code)));
    const result = JSON.parse(fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '{"error":"no output"}') as NvimResult;
    expect(result.error, `nvim failed (exit ${status}): ${stderr}`).toBeUndefined();
    expect(status).toBe(0);
    return result;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The first ```lua block after `heading` in docs/editors.md. */
function documentedLua(heading: string): string {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs/editors.md'), 'utf8');
  const at = doc.indexOf(heading);
  if (at < 0) throw new Error(`docs/editors.md has no "${heading}"`);
  const block = /```lua\n([\s\S]*?)```/.exec(doc.slice(at));
  if (!block) throw new Error(`no lua block after "${heading}"`);
  return block[1]!;
}

describe('headless Neovim as an LSP client', () => {
  // Its problems do not depend on which programs are installed.
  const fixture = dslFixtures().find((f) => f.name === 'builtins.pipeline.yaml')!;

  it('receives and stores the diagnostics of a broken pipeline (vim.lsp.start_client)', async () => {
    expect(fixture.want.length).toBeGreaterThan(3);
    const result = await runNvim(fixture, () => ['-c', `luafile ${path.join(luaDir, 'nvim-client.lua')}`]);
    expect(typeof result.version).toBe('number');
    expect(result.received).toBe(fixture.want.length);
    expect(result.stored!.map((d) => `${d.line} ${d.code}`).sort()).toEqual(fixture.want);
    expect(new Set(result.stored!.map((d) => d.source))).toEqual(new Set(['pipewright']));
  });

  it('shows the diagnostics with the Neovim 0.7 set-up documented in docs/editors.md', async () => {
    const config = path.join(os.tmpdir(), `pipewright-nvim-config-${process.pid}.lua`);
    fs.writeFileSync(config, documentedLua('### Neovim 0.7+'));
    try {
      // --cmd: the configuration loads before the file, as init.lua would.
      const result = await runNvim(fixture, () => ['--cmd', `luafile ${config}`, '-c', `luafile ${path.join(luaDir, 'nvim-dump-diagnostics.lua')}`]);
      expect(result.stored!.map((d) => `${d.line} ${d.code}`).sort()).toEqual(fixture.want);
      expect(result.commands).toEqual({ 'pipewright.runPipeline': true, 'pipewright.runToStage': true });
    } finally {
      fs.rmSync(config, { force: true });
    }
  });

  it('attaches to `*.pipeline.yml` files too, with the same documented set-up', async () => {
    const config = path.join(os.tmpdir(), `pipewright-nvim-config-yml-${process.pid}.lua`);
    fs.writeFileSync(config, documentedLua('### Neovim 0.7+'));
    // Next to the original, so that its relative paths resolve the same way.
    const yml: Fixture = { ...fixture, name: 'builtins.pipeline.yml', file: fixture.file.replace(/\.yaml$/, '.yml') };
    fs.writeFileSync(yml.file, fixture.text);
    try {
      const result = await runNvim(yml, () => ['--cmd', `luafile ${config}`, '-c', `luafile ${path.join(luaDir, 'nvim-dump-diagnostics.lua')}`]);
      expect(result.stored!.map((d) => `${d.line} ${d.code}`).sort()).toEqual(fixture.want);
    } finally {
      fs.rmSync(config, { force: true });
      fs.rmSync(yml.file, { force: true });
    }
  });
});
