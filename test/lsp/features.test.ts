import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeLensRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  PrepareRenameRequest,
  RenameRequest,
  type CodeLens,
  type DocumentSymbol,
  type FoldingRange,
  type MarkupContent,
  type Position,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { check } from '../../dsl';
import { Commands } from '../../server/protocol';
import { fakeHost } from '../unit/dsl/fake-host';
import { applyEdits } from './fixtures';
import { inProcess, type TestClient } from './harness';

const host = fakeHost({ HOME: '/home/user', PATH: '/usr/bin', GITHUB_TOKEN: 'ghp_s3cr3t', DB_PASSWORD: 'hunter2', PWD: '/srv/work' });
let client: TestClient;
beforeAll(async () => {
  client = await inProcess({ host });
});
afterAll(() => client.dispose());

const text = `name: products
description: Top products
env:
  REGION: eu
  URL: https://\${REGION}.example.com
stages:
  - name: read
    use: read
    with: { path: data.csv, format: csv }
  - run: grep "\${REGION} \${GITHUB_TOKEN} \${DB_PASSWORD} \${PWD} \${NOPE:-x}"
    stderr: ignore
  - name: enrich
    command: [node, enrich.js, "\${URL}"]
    workers: 4
`;
const uri = 'untitled:features.pipeline.yaml';
const lines = text.split('\n');

/** Position of the n-th occurrence of `needle` (plus `delta` characters). */
function at(needle: string, delta = 0, nth = 0): Position {
  let from = 0;
  for (let i = 0; i <= nth; i++) from = text.indexOf(needle, i === 0 ? 0 : from + 1);
  if (from < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, from + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

async function hoverAt(position: Position): Promise<string> {
  const result = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  return result ? (result.contents as MarkupContent).value : '';
}

describe('hover, symbols, lenses, rename, folding', () => {
  beforeAll(async () => {
    await client.open(uri, text);
  });

  it('hovers keys with the schema description and example', async () => {
    expect(await hoverAt(at('workers', 2))).toContain('Number of parallel copies');
    expect(await hoverAt(at('workers', 2))).toContain('```yaml\nworkers: 4\n```');
    expect(await hoverAt(at('description', 1))).toContain('What the pipeline does');
    expect(await hoverAt(at('stderr', 1))).toContain('`ignore` discards it');
    // Over a value: the key's docs; a `with` option (flow style): the built-in's option docs.
    expect(await hoverAt(at('ignore', 1))).toContain('`ignore` discards it');
    expect(await hoverAt(at('format', 1))).toContain('File format');
  });

  it('hovers the options of parse and count, and an entry of `types`', async () => {
    const doc = 'stages:\n  - use: parse\n    with:\n      regex: (?<ms>\\d+)\n      types:\n        ms: number\n  - use: count\n    with: { by: ms }\n';
    const other = 'untitled:hover-parse.pipeline.yaml';
    await client.open(other, doc);
    const hoverOn = async (needle: string): Promise<string> => {
      const before = doc.slice(0, doc.indexOf(needle) + 1).split('\n');
      const position = { line: before.length - 1, character: before[before.length - 1]!.length };
      const result = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: other }, position });
      return result ? (result.contents as MarkupContent).value : '';
    };
    expect(await hoverOn('regex')).toContain('named groups');
    expect(await hoverOn('ms: number')).toContain('`timestamp` (ISO 8601');
    expect(await hoverOn('number')).toContain('`timestamp` (ISO 8601');
    expect(await hoverOn('by:')).toContain('counts under null');
    await client.close(other);
  });

  it('hovers `use: <name>` with the built-in’s documentation', async () => {
    const doc = await hoverAt(at('use: read', 6));
    expect(doc).toContain('built-in `read`');
    expect(doc).toContain('Reads a file');
    expect(doc).toContain('`path` (required)');
  });

  it('hovers ${VAR} with its resolved value, masking secret-looking names', async () => {
    expect(await hoverAt(at('${REGION}', 3, 1))).toContain('`eu` (from the pipeline env)');
    expect(await hoverAt(at('${URL}', 2))).toContain('`https://eu.example.com`');
    expect(await hoverAt(at('${PWD}', 2))).toContain('`/srv/work` (from the environment)');
    for (const secret of ['${GITHUB_TOKEN}', '${DB_PASSWORD}']) {
      const doc = await hoverAt(at(secret, 3));
      expect(doc).toContain('hidden');
      expect(doc).not.toMatch(/ghp_s3cr3t|hunter2/);
    }
    expect(await hoverAt(at('${NOPE', 3))).toContain('not defined (its default applies)');
  });

  it('gives the outline: pipeline, then stages with what they run', async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    expect(symbols).toHaveLength(1);
    expect(symbols[0]!.name).toBe('products');
    expect(symbols[0]!.detail).toBe('Top products');
    expect(symbols[0]!.children!.map((s) => [s.name, s.detail])).toEqual([
      ['read', 'use: read'],
      ['grep', 'run: grep "${REGION} ${GITHUB_TOKEN} ${DB_PASSWORD} ${PWD} ${NOPE:-x}"'],
      ['enrich', 'command: node enrich.js ${URL}'],
    ]);
    const enrich = symbols[0]!.children![2]!;
    expect(enrich.range.start).toEqual(at('name: enrich'));
    expect(enrich.selectionRange).toEqual({ start: at('enrich'), end: at('enrich', 6) });
  });

  it('puts Run pipeline above stages: and Run to here on each stage, with uri and stage name', async () => {
    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
    expect(lenses.map((l) => [l.range.start.line, l.command!.command, l.command!.arguments])).toEqual([
      [lines.indexOf('stages:'), Commands.runPipeline, [uri]],
      [at('name: read').line, Commands.runToStage, [uri, 'read']],
      [at('- run: grep').line, Commands.runToStage, [uri, 'grep']],
      [at('name: enrich').line, Commands.runToStage, [uri, 'enrich']],
    ]);
  });

  it('renames a stage from its name, and refuses what is not a stage name', async () => {
    const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: at('enrich', 2) });
    expect(prepared).toEqual({ range: { start: at('enrich'), end: at('enrich', 6) }, placeholder: 'enrich' });
    expect(await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: at('workers') })).toBeNull();
    const edit = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri },
      position: at('enrich', 1),
      newName: 'add-url',
    })) as WorkspaceEdit;
    const renamed = applyEdits(text, edit.changes![uri] as TextEdit[]);
    expect(check(renamed, { host }).pipeline.stages.map((s) => s.name)).toEqual(['read', 'grep', 'add-url']);
    await expect(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: at('enrich', 1), newName: 'read' })).rejects.toThrow(
      /already called `read`/,
    );
    await expect(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: at('enrich', 1), newName: '9 bad' })).rejects.toThrow(
      /not a valid stage name/,
    );
  });

  it('renames a quoted name inside its quotes', async () => {
    const quoted = 'stages:\n  - name: "first"\n    run: cat\n';
    const q = 'untitled:quoted.pipeline.yaml';
    await client.open(q, quoted);
    const edit = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri: q },
      position: { line: 1, character: 14 },
      newName: 'second',
    })) as WorkspaceEdit;
    expect(applyEdits(quoted, edit.changes![q] as TextEdit[])).toBe('stages:\n  - name: "second"\n    run: cat\n');
    await client.close(q);
  });

  it('folds stages and the env and stages blocks', async () => {
    const ranges = (await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } })) as FoldingRange[];
    const pairs = ranges.map((r) => [r.startLine, r.endLine]);
    expect(pairs).toEqual(
      expect.arrayContaining([
        [at('env:').line, at('URL:').line],
        [at('stages:').line, lines.length - 2],
        [at('name: enrich').line, lines.length - 2],
      ]),
    );
  });
});
