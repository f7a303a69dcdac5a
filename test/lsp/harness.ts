import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  createConnection,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';
import { createServer, type ServerOptions } from '../../server/server';

export const repoRoot = path.resolve(__dirname, '../..');

/**
 * A real LSP client on a real connection to the server: requests and notifications go through
 * JSON-RPC framing both ways. Tests wait on the diagnostics the server publishes, never on time.
 */
export class TestClient {
  readonly received: PublishDiagnosticsParams[] = [];
  private waiters: { check: () => boolean }[] = [];
  private readonly versions = new Map<string, number>();
  initializeResult?: InitializeResult;

  constructor(
    readonly connection: ProtocolConnection,
    private readonly onDispose: () => void,
    /** Writes bytes to the server as they are (in-process only): several messages can arrive in one read. */
    private readonly raw?: (bytes: string) => void,
  ) {
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.received.push(params);
      this.waiters = this.waiters.filter((w) => !w.check());
    });
    connection.onNotification('window/logMessage', () => undefined);
    connection.listen();
  }

  /** `capabilities` are added to the default ones (snippets, versioned push diagnostics). */
  async initialize(initializationOptions: unknown = {}, snippetSupport = true, capabilities: ClientCapabilities = {}): Promise<InitializeResult> {
    this.initializeResult = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      // oxlint-disable-next-line typescript/no-deprecated -- InitializeParams still requires it (null: no folder open)
      rootUri: null,
      capabilities: {
        ...capabilities,
        textDocument: { completion: { completionItem: { snippetSupport } }, publishDiagnostics: { versionSupport: true }, ...capabilities.textDocument },
      },
      initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return this.initializeResult;
  }

  /** Resolves with the first diagnostics for `uri`, from index `from` on, that satisfy `accept`. */
  diagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, from = 0): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.received.slice(from).find((p) => p.uri === uri && accept(p));
        if (found) resolve(found);
        return found !== undefined;
      };
      if (!check()) this.waiters.push({ check });
    });
  }

  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    const from = this.received.length;
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return this.diagnostics(uri, (p) => p.version === 1, from);
  }

  /** Sends one edit; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /**
   * Sends one edit per entry of `edits` in a single write, as a burst of keystrokes reaches a busy
   * server: all of them are waiting when it next reads. Returns the last version.
   */
  burst(uri: string, edits: TextDocumentContentChangeEvent[][]): number {
    if (!this.raw) throw new Error('burst() needs the in-process server');
    let frames = '';
    for (const contentChanges of edits) {
      const version = (this.versions.get(uri) ?? 0) + 1;
      this.versions.set(uri, version);
      const body = JSON.stringify({
        jsonrpc: '2.0',
        method: DidChangeTextDocumentNotification.method,
        params: { textDocument: { uri, version }, contentChanges },
      });
      frames += `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    }
    this.raw(frames);
    return this.versions.get(uri)!;
  }

  /** Replaces the whole text and waits for that version's diagnostics. */
  async replace(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    const from = this.received.length;
    const version = await this.change(uri, [{ text }]);
    return this.diagnostics(uri, (p) => p.version === version, from);
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  dispose(): void {
    this.connection.dispose();
    this.onDispose();
  }
}

/** The server from source, in this process, over an in-memory duplex pair. */
export async function inProcess(
  options: ServerOptions = {},
  initializationOptions: unknown = {},
  snippetSupport = true,
  capabilities: ClientCapabilities = {},
): Promise<TestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  createServer(serverConnection, options).listen();
  const client = new TestClient(
    createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer)),
    () => {
      serverConnection.dispose();
      toServer.end();
      toClient.end();
    },
    (bytes) => toServer.write(bytes),
  );
  await client.initialize(initializationOptions, snippetSupport, capabilities);
  return client;
}

/** The built bundle, `node dist/server.cjs --stdio`, as an editor starts it. */
export async function overStdio(env: NodeJS.ProcessEnv = process.env): Promise<{ client: TestClient; child: ChildProcess }> {
  const child = spawn(process.execPath, [builtServer(), '--stdio'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const client = new TestClient(createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin)), () => child.kill());
  await client.initialize();
  return { client, child };
}

/**
 * A PATH folder with the programs the fixtures expect (those of test/unit/dsl/fake-host.ts). Each
 * is a script that leaves `ran-<name>` in `markerDir` if it is ever executed, so tests can prove
 * that the server only looks programs up.
 */
export function fakePathDir(programs: readonly string[], markerDir: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-path-'));
  for (const program of programs) {
    const file = path.join(dir, program);
    fs.writeFileSync(file, `#!/bin/sh\ntouch '${path.join(markerDir, `ran-${program}`)}'\n`);
    fs.chmodSync(file, 0o755);
  }
  return dir;
}

/** Fails with a clear message when the bundle has not been built (`npm test` builds it first). */
export function builtServer(): string {
  const bundle = path.join(repoRoot, 'dist/server.cjs');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} does not exist: run \`npm run build\` (\`npm test\` builds it first)`);
  return bundle;
}
