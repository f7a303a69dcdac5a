// Host names in `on:` over a real LSP connection: completion from `hosts:` (a scalar and a flow
// list), hover with where the name leads, and the unknown-host quick fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompletionRequest, HoverRequest, type CompletionItem, type Hover, type MarkupContent, type TextEdit } from 'vscode-languageserver/node';
import { fakeHost } from '../unit/dsl/fake-host';
import { applyEdits } from './fixtures';
import { inProcess, type TestClient } from './harness';

let client: TestClient;
let n = 0;
beforeAll(async () => {
  client = await inProcess({ host: fakeHost({ PATH: '/usr/bin' }) });
});
afterAll(() => client.dispose());

const head = 'hosts:\n  box: { ssh: alice@build-7, port: 2222 }\n  box2: { ssh: build-8 }\nstages:\n';

async function at<T>(marked: string, method: typeof CompletionRequest.type | typeof HoverRequest.type): Promise<{ result: T; text: string }> {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  const position = { line: before.length - 1, character: before[before.length - 1]!.length };
  const uri = `untitled:hosts-${n++}.pipeline.yaml`;
  await client.open(uri, text);
  const result = (await client.connection.sendRequest(method as typeof HoverRequest.type, { textDocument: { uri }, position })) as T;
  await client.close(uri);
  return { result, text };
}

describe('host names in on:', () => {
  it('completes the names under hosts: as a value and in a flow list', async () => {
    const scalar = await at<CompletionItem[]>(`${head}  - on: b|\n    run: cat\n`, CompletionRequest.type);
    expect(scalar.result.map((i) => i.label)).toEqual(['box', 'box2']);
    expect(applyEdits(scalar.text, [scalar.result[1]!.textEdit as TextEdit])).toContain('  - on: box2\n');
    expect(JSON.stringify(scalar.result[0]!.documentation)).toContain('ssh alice@build-7');
    const list = await at<CompletionItem[]>(`${head}  - run: cat\n    workers: 2\n    on: [box, |]\n`, CompletionRequest.type);
    expect(list.result.map((i) => i.label)).toEqual(['box', 'box2']);
    expect(applyEdits(list.text, [list.result[1]!.textEdit as TextEdit])).toContain('on: [box, box2]');
  });

  it('hovers a host name with its destination, and says when it is not defined', async () => {
    const known = await at<Hover>(`${head}  - on: b|ox\n    run: cat\n`, HoverRequest.type);
    expect((known.result.contents as MarkupContent).value).toBe('**Host `box`**: `ssh alice@build-7`, port 2222');
    const unknown = await at<Hover>(`${head}  - on: [box, no|where]\n    run: cat\n`, HoverRequest.type);
    expect((unknown.result.contents as MarkupContent).value).toContain('`nowhere` is not under `hosts:`');
  });
});
