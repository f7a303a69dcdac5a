import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompletionRequest, DocumentSymbolRequest, HoverRequest, ShutdownRequest, ExitNotification, CodeLensRequest } from 'vscode-languageserver/node';
import { dslFixtures } from './fixtures';
import { fakePathDir, overStdio, type TestClient } from './harness';

/** Programs on the fake PATH: the same as test/unit/dsl/fake-host.ts, so the golden markers hold. */
const programs = ['cat', 'grep', 'sed', 'jq', 'head', 'sort', 'wc', 'echo', 'node', 'sh', 'awk', 'tr', 'cut', 'uniq', 'yes', 'seq'];

let client: TestClient;
let child: ChildProcess;
let markers: string;
let pathDir: string;

beforeAll(async () => {
  markers = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-markers-'));
  pathDir = fakePathDir([...programs, 'evil'], markers);
  ({ client, child } = await overStdio({ HOME: '/home/user', PATH: pathDir }));
});
afterAll(() => {
  client.dispose();
  fs.rmSync(markers, { recursive: true, force: true });
  fs.rmSync(pathDir, { recursive: true, force: true });
});

describe('the built bundle over stdio', () => {
  it('reports the golden fixtures’ problems', async () => {
    for (const fixture of dslFixtures()) {
      const published = await client.open(fixture.uri, fixture.text);
      expect(published.diagnostics.map((d) => `${d.range.start.line + 1} ${String(d.code)}`).sort(), fixture.name).toEqual(fixture.want);
      await client.close(fixture.uri);
    }
  });

  it('links diagnostics to docs/dsl.md next to the bundle by default', async () => {
    const uri = 'untitled:link.pipeline.yaml';
    const { diagnostics } = await client.open(uri, 'stages: []\n');
    // A local file opens as text: the link says the line of the problem's section (VS Code opens it there).
    const docs = path.resolve(__dirname, '../../docs/dsl.md');
    const line = fs.readFileSync(docs, 'utf8').split('\n').indexOf('### `empty-pipeline`') + 1;
    expect(line).toBeGreaterThan(0);
    expect(diagnostics[0]!.codeDescription!.href).toBe(`${pathToFileURL(docs).href}#L${line}`);
    await client.close(uri);
  });

  it('never runs a stage, whatever the client asks', async () => {
    const file = path.join(markers, 'evil.pipeline.yaml');
    const text = 'stages:\n  - run: evil --now\n  - command: [evil]\n  - run: cat\n';
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    await client.open(uri, text);
    for (let line = 0; line < 4; line++) {
      await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: 10 } });
      await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character: 4 } });
    }
    await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
    await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    await client.replace(uri, `${text}# edited\n`);
    expect(fs.readdirSync(markers).filter((f) => f.startsWith('ran-'))).toEqual([]);
  });

  it('shuts down and exits cleanly when asked', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await client.connection.sendRequest(ShutdownRequest.type);
    await client.connection.sendNotification(ExitNotification.type);
    expect(await exited).toBe(0);
  });
});
