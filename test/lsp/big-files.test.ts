// What the editor asks for after every edit stays bounded in a pipeline of thousands of stages: the outline lists the
// first `maxOutlineStages`, folding keeps to the client's `rangeLimit`, and semantic tokens stop where VS Code stops
// coloring (bench/editor-huge.ts measured what these cost the server at 20 MB in the real VS Code).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DocumentSymbolRequest,
  FoldingRangeRequest,
  SemanticTokensRequest,
  type DocumentSymbol,
  type FoldingRange,
  type SemanticTokens,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer } from '../../server/analysis';
import { semanticTokens } from '../../server/semantic-tokens';
import { maxOutlineStages } from '../../server/symbols';
import { fakeHost } from '../unit/dsl/fake-host';
import { inProcess, type TestClient } from './harness';

const host = fakeHost();
let client: TestClient;
let limited: TestClient;
beforeAll(async () => {
  client = await inProcess({ host });
  limited = await inProcess({ host }, {}, true, { textDocument: { foldingRange: { rangeLimit: 3 } } });
});
afterAll(() => {
  client.dispose();
  limited.dispose();
});

const stages = (n: number) => Array.from({ length: n }, (_, i) => `  - name: s${i}\n    run: cat\n`).join('');

describe('a pipeline of many stages', () => {
  it(`lists the first ${maxOutlineStages} stages in the outline, and says how many there are`, async () => {
    const uri = 'untitled:outline.pipeline.yaml';
    await client.open(uri, `stages:\n${stages(maxOutlineStages + 3)}`);
    const [root] = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    expect(root!.children).toHaveLength(maxOutlineStages);
    expect(root!.children!.at(-1)!.name).toBe(`s${maxOutlineStages - 1}`);
    expect(root!.detail).toBe(`${(maxOutlineStages + 3).toLocaleString('en-US')} stages (the first ${maxOutlineStages.toLocaleString('en-US')} listed)`);
    await client.close(uri);
    // Below the bound: every stage, the count alone.
    await client.open(uri, `stages:\n${stages(3)}`);
    const [small] = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    expect([small!.children!.length, small!.detail]).toEqual([3, '3 stages']);
    await client.close(uri);
  });

  it("folds no more than the client's rangeLimit, the blocks before the stages", async () => {
    const uri = 'untitled:folding.pipeline.yaml';
    const text = `env:\n  A: "1"\n  B: "2"\nstages:\n${stages(10)}`;
    await limited.open(uri, text);
    const ranges = (await limited.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } })) as FoldingRange[];
    expect(ranges.map((r) => [r.startLine, r.endLine])).toEqual([
      [0, 2],
      [3, 23],
      [4, 5],
    ]);
    await client.open(uri, text);
    expect(((await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } })) as FoldingRange[]).length).toBe(12);
    await client.close(uri);
    await limited.close(uri);
  });

  it('gives no semantic tokens above the lines where VS Code colors nothing', async () => {
    const text = 'env:\n  A: "1"\nstages:\n  - name: a\n    run: echo "${A}"\n';
    const analysis = new Analyzer(host).get(TextDocument.create('untitled:tokens.pipeline.yaml', 'pipewright', 1, text));
    expect(semanticTokens(analysis).data.length).toBeGreaterThan(0);
    expect(semanticTokens(analysis, 4).data).toEqual([]);
    // Through the server, below the bound: the same tokens.
    const uri = 'untitled:tokens.pipeline.yaml';
    await client.open(uri, text);
    const served = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } })) as SemanticTokens;
    expect(served.data).toEqual(semanticTokens(analysis).data);
    await client.close(uri);
  });
});
