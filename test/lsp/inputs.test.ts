// `input:` names stages: completion offers the earlier ones, definition, references and rename
// treat each name in it as a use of the stage, and a misspelt one gets a did-you-mean fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  ReferencesRequest,
  RenameRequest,
  type CodeAction,
  type CompletionItem,
  type Location,
  type Position,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { check } from '../../dsl';
import { fakeHost } from '../unit/dsl/fake-host';
import { applyEdits } from './fixtures';
import { inProcess, type TestClient } from './harness';

const host = fakeHost({ PATH: '/usr/bin' });
let client: TestClient;
let n = 0;
beforeAll(async () => {
  client = await inProcess({ host });
});
afterAll(() => client.dispose());

const graph = [
  'stages:',
  '  - name: read',
  '    run: cat',
  '  - name: errors',
  '    run: grep error',
  '  - name: slow',
  '    run: grep slow',
  '    input: read',
  '  - name: both',
  '    run: sort',
  '    input: [errors, slow]',
  '',
].join('\n');

/** Position of the first `needle` in `text`, plus `delta` characters. */
function at(text: string, needle: string, delta = 0): Position {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, i + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

async function opened(text: string): Promise<string> {
  const uri = `untitled:inputs-${n++}.pipeline.yaml`;
  await client.open(uri, text);
  return uri;
}

async function completeAt(marked: string): Promise<string[]> {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const uri = await opened(text);
  const before = text.slice(0, offset).split('\n');
  const position = { line: before.length - 1, character: before[before.length - 1]!.length };
  const items = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position })) as CompletionItem[];
  await client.close(uri);
  return items.map((i) => i.label);
}

describe('input: completion', () => {
  it('offers the earlier stages, nearest first, after `input:`', async () => {
    expect(await completeAt(graph.replace('input: read', 'input: |'))).toEqual(['errors', 'read']);
  });

  it('offers them inside a flow list and a block list', async () => {
    expect(await completeAt(graph.replace('[errors, slow]', '[errors, |]'))).toEqual(['slow', 'errors', 'read']);
    expect(await completeAt(graph.replace('input: [errors, slow]', 'input:\n      - |'))).toEqual(['slow', 'errors', 'read']);
  });
});

describe('input: names as stage references', () => {
  it('goes from a name in `input:` to the stage, and lists every use of a stage', async () => {
    const uri = await opened(graph);
    const def = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: at(graph, 'slow]', 1) })) as Location;
    expect(def.range.start).toEqual(at(graph, 'slow'));
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: at(graph, 'read', 1),
      context: { includeDeclaration: true },
    })) as Location[];
    expect(refs.map((r) => r.range.start)).toEqual([at(graph, 'read'), at(graph, 'input: read', 7)]);
  });

  it('renames a stage in every `input:` that names it, from the name or from a use', async () => {
    const uri = await opened(graph);
    const fromUse = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri },
      position: at(graph, 'errors,', 1),
      newName: 'failures',
    })) as WorkspaceEdit;
    const renamed = applyEdits(graph, fromUse.changes![uri] as TextEdit[]);
    expect(renamed).toBe(graph.replace('name: errors', 'name: failures').replace('[errors,', '[failures,'));
    expect(check(renamed, { host }).problems).toEqual([]);
    const fromName = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri },
      position: at(graph, 'read', 1),
      newName: 'source',
    })) as WorkspaceEdit;
    expect(applyEdits(graph, fromName.changes![uri] as TextEdit[])).toBe(graph.replace('name: read', 'name: source').replace('input: read', 'input: source'));
  });

  it('offers the did-you-mean fix for an unknown input, and it checks clean', async () => {
    const text = graph.replace('input: read', 'input: raed');
    const uri = await opened(text);
    const published = await client.diagnostics(uri);
    const diagnostic = published.diagnostics.find((d) => d.code === 'unknown-input')!;
    expect(diagnostic.message).toContain('Did you mean `read`?');
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.title === 'Change to `read`')!;
    expect(applyEdits(text, fix.edit!.changes![uri] as TextEdit[])).toBe(graph);
  });
});
