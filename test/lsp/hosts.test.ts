// Host names in `on:` over a real LSP connection: completion from `hosts:` (a scalar and a flow
// list), hover with where the name leads, and the unknown-host quick fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompletionRequest,
  DefinitionRequest,
  HoverRequest,
  ReferencesRequest,
  RenameRequest,
  type CompletionItem,
  type Hover,
  type Location,
  type MarkupContent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
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

  it('completes host names in `on:` written as a block list', async () => {
    const block = await at<CompletionItem[]>(`${head}  - run: cat\n    workers: 2\n    on:\n      - box\n      - |\n`, CompletionRequest.type);
    expect(block.result.map((i) => i.label)).toEqual(['box', 'box2']);
    expect(applyEdits(block.text, [block.result[1]!.textEdit as TextEdit])).toContain('      - box2\n');
  });
});

describe('Slurm clusters under hosts:', () => {
  const cluster = 'hosts:\n  cluster:\n    slurm:\n      partition: debug\n      time: "00:10:00"\n      cpus: 2\n';

  it('completes the keys of a host and of its `slurm:` from the schema', async () => {
    const hostKeys = await at<CompletionItem[]>(`hosts:\n  cluster:\n    |\nstages:\n  - run: cat\n`, CompletionRequest.type);
    expect(hostKeys.result.map((i) => i.label)).toContain('slurm');
    const slurmKeys = await at<CompletionItem[]>(`${cluster}      |\nstages:\n  - run: cat\n    on: cluster\n`, CompletionRequest.type);
    expect(slurmKeys.result.map((i) => i.label).sort()).toEqual(['address', 'mem', 'options']);
  });

  it('hovers a cluster name with what its steps ask for, and a `slurm:` key with its description', async () => {
    const name = await at<Hover>(`${cluster}stages:\n  - on: clu|ster\n    run: cat\n`, HoverRequest.type);
    expect((name.result.contents as MarkupContent).value).toBe(
      '**Host `cluster`**: Slurm cluster, each copy a job step (`srun`): partition `debug`, time limit `00:10:00`, 2 CPUs',
    );
    const key = await at<Hover>(`hosts:\n  cluster:\n    slurm:\n      ti|me: "1"\nstages:\n  - run: cat\n`, HoverRequest.type);
    expect((key.result.contents as MarkupContent).value).toContain('srun --time');
  });

  it('completes a cluster among the host names in `on:`', async () => {
    const scalar = await at<CompletionItem[]>(`${cluster}  box: { ssh: b }\nstages:\n  - on: c|\n    run: cat\n`, CompletionRequest.type);
    expect(scalar.result.map((i) => i.label)).toEqual(['cluster', 'box']);
    expect(JSON.stringify(scalar.result[0]!.documentation)).toContain('Slurm cluster');
  });
});

describe('host names as symbols', () => {
  const text = `${head}  - run: cat\n    on: box\n  - run: cat\n    workers: 2\n    on:\n      - box2\n      - "box"\n`;
  const position = (needle: string, nth = 0, offset = 1) => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
    const before = text.slice(0, i + offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
  };
  const opened = async () => {
    const uri = `untitled:host-names-${n++}.pipeline.yaml`;
    await client.open(uri, text);
    return uri;
  };

  it('go from a name in `on:` to the host, and list every use', async () => {
    const uri = await opened();
    const def = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: position('on: box', 0, 5) })) as Location;
    expect(def.range.start).toEqual({ line: 1, character: 2 });
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: position('box:'),
      context: { includeDeclaration: true },
    })) as Location[];
    expect(refs.map((r) => [r.range.start.line, r.range.start.character])).toEqual([
      [1, 2],
      [5, 8],
      [10, 9],
    ]);
  });

  it('renames a host under `hosts:` and in every `on:`, and refuses a name another host has', async () => {
    const uri = await opened();
    const edit = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri },
      position: position('"box"', 0, 2),
      newName: 'builder',
    })) as WorkspaceEdit;
    expect(applyEdits(text, edit.changes![uri] as TextEdit[])).toBe(
      text.replace('  box: {', '  builder: {').replace('on: box\n', 'on: builder\n').replace('"box"', '"builder"'),
    );
    await expect(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: position('box:'), newName: 'box2' })).rejects.toThrow(
      /already called `box2`/,
    );
  });
});
