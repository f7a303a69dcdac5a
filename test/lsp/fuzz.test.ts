import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentLinkRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  ReferencesRequest,
  SelectionRangeRequest,
  SemanticTokensRequest,
  LogMessageNotification,
  MessageType,
  PrepareRenameRequest,
  type Position,
} from 'vscode-languageserver/node';
import { fakeHost } from '../unit/dsl/fake-host';
import { dslFixtures } from './fixtures';
import { inProcess, type TestClient } from './harness';

let client: TestClient;
const errors: string[] = [];
beforeAll(async () => {
  client = await inProcess({ host: fakeHost() });
  // The server logs (instead of crashing) when a handler throws: any such log is a bug.
  client.connection.onNotification(LogMessageNotification.type, (m) => {
    if (m.type === MessageType.Error) errors.push(m.message);
  });
});
afterAll(() => client.dispose());

/** Lines that look like pipeline YAML, broken in all the ways typing breaks it. */
const fragment = fc.constantFrom(
  'name: x',
  'stages:',
  '  - run: cat',
  '  - use: read',
  '    with:',
  '      path: a.csv',
  '      format: ',
  '    with: { path: x, fo',
  '  - command: [echo, "${',
  '    env: { A: "${B}" }',
  'env:',
  '  REGION: eu',
  '  -',
  '    -',
  ' ',
  '',
  '#',
  '  - { use: head, with: { count: 3 } }',
  '    workers: 0',
  '    name: "q',
  "    run: 'a",
  '&a',
  '*a',
  '<<: *a',
  '---',
  '\t',
  '😀: é',
  '    ${',
  '  - name: dup',
  ': :',
);
const document = fc.array(fragment, { maxLength: 14 }).map((lines) => lines.join('\n'));

describe('the server never fails a request, whatever the text', () => {
  it('answers every feature at every kind of position of random broken pipelines', async () => {
    let n = 0;
    const fixtures = dslFixtures().map((f) => f.text);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(document, fc.constantFrom(...fixtures)),
        fc.array(fc.tuple(fc.nat(20), fc.nat(60)), { minLength: 1, maxLength: 4 }),
        async (text, spots) => {
          const uri = `untitled:fuzz-${n++}.pipeline.yaml`;
          const { diagnostics } = await client.open(uri, text);
          const textDocument = { uri };
          for (const [line, character] of spots) {
            const position: Position = { line, character };
            await client.connection.sendRequest(CompletionRequest.type, { textDocument, position });
            await client.connection.sendRequest(HoverRequest.type, { textDocument, position });
            await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument, position });
            await client.connection.sendRequest(DefinitionRequest.type, { textDocument, position });
            await client.connection.sendRequest(ReferencesRequest.type, { textDocument, position, context: { includeDeclaration: true } });
            await client.connection.sendRequest(SelectionRangeRequest.type, { textDocument, positions: [position] });
            const range = { start: { line: 0, character: 0 }, end: position };
            await client.connection.sendRequest(CodeActionRequest.type, { textDocument, range, context: { diagnostics } });
          }
          await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument });
          await client.connection.sendRequest(CodeLensRequest.type, { textDocument });
          await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument });
          await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 2, insertSpaces: true } });
          await client.connection.sendRequest(DocumentLinkRequest.type, { textDocument });
          await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument });
          await client.close(uri);
        },
      ),
      { numRuns: 150 },
    );
    expect(errors).toEqual([]);
  });
});
