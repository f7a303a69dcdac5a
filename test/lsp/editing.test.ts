import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DidChangeTextDocumentNotification,
  LSPErrorCodes,
  CompletionRequest,
  DefinitionRequest,
  DidChangeWatchedFilesNotification,
  DidOpenTextDocumentNotification,
  DocumentDiagnosticRequest,
  DocumentFormattingRequest,
  DocumentLinkRequest,
  DocumentRangeFormattingRequest,
  FileChangeType,
  ReferencesRequest,
  RegistrationRequest,
  RenameRequest,
  SelectionRangeRequest,
  SemanticTokensRequest,
  type CompletionItem,
  type DocumentLink,
  type FullDocumentDiagnosticReport,
  type Location,
  type Position,
  type Range,
  type RegistrationParams,
  type SelectionRange,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { parse } from '../../dsl';
import { semanticTokensLegend } from '../../server/semantic-tokens';
import { fakeHost } from '../unit/dsl/fake-host';
import { applyEdits } from './fixtures';
import { inProcess, repoRoot, type TestClient } from './harness';

let client: TestClient;
let n = 0;
beforeAll(async () => {
  client = await inProcess({ host: fakeHost() });
});
afterAll(() => client.dispose());

const options = { tabSize: 2, insertSpaces: true };

/** Position of the first `needle` in `text`, plus `delta` characters. */
function at(text: string, needle: string, delta = 0): Position {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, i + delta).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

function slice(text: string, range: Range): string {
  const lines = text.split('\n');
  if (range.start.line !== range.end.line) return '';
  return lines[range.start.line]!.slice(range.start.character, range.end.character);
}

async function opened(text: string): Promise<string> {
  const uri = `untitled:editing-${n++}.pipeline.yaml`;
  await client.open(uri, text);
  return uri;
}

describe('formatting', () => {
  const messy = 'name:   x   # the name\nx-base: &base\n      run: cat\nstages:\n    -   <<: *base\n        workers: 2\n    - { run: a,   name: b }\n\n';

  it('re-indents, keeps comments and anchors, and is idempotent', async () => {
    const uri = await opened(messy);
    const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options })) as TextEdit[];
    const formatted = applyEdits(messy, edits);
    expect(formatted).toBe('name: x # the name\nx-base: &base\n  run: cat\nstages:\n  - <<: *base\n    workers: 2\n  - { run: a, name: b }\n');
    await client.replace(uri, formatted);
    expect(await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options })).toEqual([]);
  });

  it('formats only inside a range, and nothing that would break the file', async () => {
    const uri = await opened(messy);
    const range = { start: { line: 6, character: 0 }, end: { line: 6, character: 40 } };
    const edits = (await client.connection.sendRequest(DocumentRangeFormattingRequest.type, { textDocument: { uri }, range, options })) as TextEdit[];
    expect(applyEdits(messy, edits)).toBe(messy.replace('a,   name', 'a, name'));
    // Re-indenting only the second line of a stage would break it: nothing is offered.
    const half = { start: { line: 5, character: 0 }, end: { line: 5, character: 20 } };
    expect(await client.connection.sendRequest(DocumentRangeFormattingRequest.type, { textDocument: { uri }, range: half, options })).toEqual([]);
  });

  it('formats a selection that has blanks at the ends of its lines', async () => {
    const text = 'stages:\n  - name: a   \n    run: cat\t\n  - name: b  \n    run: cat\n';
    const uri = await opened(text);
    const range = { start: { line: 1, character: 0 }, end: { line: 2, character: 13 } };
    const edits = (await client.connection.sendRequest(DocumentRangeFormattingRequest.type, { textDocument: { uri }, range, options })) as TextEdit[];
    expect(applyEdits(text, edits)).toBe('stages:\n  - name: a\n    run: cat\n  - name: b  \n    run: cat\n');
  });

  it('changes nothing but whitespace in any example', async () => {
    const dir = path.join(repoRoot, 'examples');
    for (const name of fs.readdirSync(dir).filter((f) => /\.pipeline\.ya?ml$/.test(f))) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      const uri = await opened(text);
      const formatted = applyEdits(
        text,
        (await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options })) as TextEdit[],
      );
      expect(formatted.replace(/\s+/g, ''), name).toBe(text.replace(/\s+/g, ''));
      expect(parse(formatted).data, name).toEqual(parse(text).data);
    }
  });
});

describe('selection ranges', () => {
  it('grow from the word to its entry, the stage, the list and the document', async () => {
    const text = 'stages:\n  - name: read\n    run: cat data.csv\n  - run: sort\n';
    const uri = await opened(text);
    const [chain] = (await client.connection.sendRequest(SelectionRangeRequest.type, {
      textDocument: { uri },
      positions: [at(text, 'data.csv')],
    })) as SelectionRange[];
    const ranges: Range[] = [];
    for (let r: SelectionRange | undefined = chain; r; r = r.parent) ranges.push(r.range);
    expect(slice(text, ranges[0]!)).toBe('cat data.csv');
    expect(slice(text, ranges[1]!)).toBe('run: cat data.csv');
    expect(ranges[2]).toEqual({ start: { line: 1, character: 4 }, end: { line: 2, character: 21 } }); // the stage
    expect(ranges.at(-1)).toEqual({ start: { line: 0, character: 0 }, end: { line: 4, character: 0 } });
  });
});

describe('definition, references and rename', () => {
  const text = 'x-base: &base\n  stderr: ignore\nstages:\n  - <<: *base\n    name: first\n    run: cat\n  - { <<: *base, name: "second", run: sort }\n';

  it('go from an alias to its anchor and list every use', async () => {
    const uri = await opened(text);
    const def = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: at(text, '*base', 2) })) as Location;
    expect(slice(text, def.range)).toBe('base');
    expect(def.range.start).toEqual(at(text, '&base', 1));
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: at(text, '&base', 1),
      context: { includeDeclaration: true },
    })) as Location[];
    expect(refs.map((r) => r.range.start.line)).toEqual([0, 3, 6]);
  });

  it('rename an anchor with its aliases, and a stage name, quoting what YAML would misread', async () => {
    const uri = await opened(text);
    const anchor = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri },
      position: at(text, '*base', 1),
      newName: 'defaults',
    })) as WorkspaceEdit;
    expect(applyEdits(text, anchor.changes![uri]!)).toBe(text.replace(/base\b/g, 'defaults').replace('x-defaults', 'x-base'));
    const stage = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri },
      position: at(text, 'first', 1),
      newName: 'null',
    })) as WorkspaceEdit;
    expect(applyEdits(text, stage.changes![uri]!)).toBe(text.replace('name: first', 'name: "null"'));
    const quoted = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri },
      position: at(text, 'second', 1),
      newName: 'true',
    })) as WorkspaceEdit;
    expect(applyEdits(text, quoted.changes![uri]!)).toBe(text.replace('"second"', '"true"'));
    await expect(
      client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: at(text, 'first', 1), newName: 'second' }),
    ).rejects.toThrow(/already called/);
    await expect(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: at(text, '&base', 1), newName: 'a b' })).rejects.toThrow(
      /not a valid anchor/,
    );
  });

  it('refuses to rename an anchor onto the name of another anchor (its aliases would change meaning)', async () => {
    const two = 'x-a: &a { stderr: ignore }\nx-b: &b { stderr: show }\nstages:\n  - <<: *a\n    run: cat\n  - <<: *b\n    run: cat\n';
    const uri = await opened(two);
    await expect(client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position: at(two, '&a', 1), newName: 'b' })).rejects.toThrow(
      /`&b` already exists/,
    );
    const fine = (await client.connection.sendRequest(RenameRequest.type, {
      textDocument: { uri },
      position: at(two, '*a', 1),
      newName: 'c',
    })) as WorkspaceEdit;
    expect(applyEdits(two, fine.changes![uri]!)).toBe(two.replace('&a', '&c').replace('*a', '*c'));
  });
});

describe('document links and semantic tokens', () => {
  it('link `cwd:` and read paths to what exists, resolved as a run resolves them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-links-'));
    try {
      fs.mkdirSync(path.join(dir, 'data'));
      fs.writeFileSync(path.join(dir, 'data/in.csv'), 'a\n1\n');
      const text = 'env: { D: data }\nstages:\n  - use: read\n    cwd: ${D}\n    with: { path: in.csv }\n  - use: read\n    with: { path: missing.csv }\n';
      const uri = pathToFileURL(path.join(dir, 'links.pipeline.yaml')).href;
      await client.open(uri, text);
      const links = (await client.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri } })) as DocumentLink[];
      expect(links.map((l) => [slice(text, l.range), l.target])).toEqual([
        ['${D}', pathToFileURL(path.join(dir, 'data')).href],
        ['in.csv', pathToFileURL(path.join(dir, 'data/in.csv')).href],
      ]);
      await client.close(uri);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mark `${VAR}` references and stage names', async () => {
    const text = 'env: { A: "${HOME}/x" }\nstages:\n  - name: one\n    command: [echo, "${A}", "$${LITERAL}"]\n';
    const uri = await opened(text);
    const { data } = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } }))!;
    const tokens: string[] = [];
    let line = 0;
    let character = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      character = data[i] === 0 ? character + data[i + 1]! : data[i + 1]!;
      const range = { start: { line, character }, end: { line, character: character + data[i + 2]! } };
      tokens.push(`${slice(text, range)} ${semanticTokensLegend.tokenTypes[data[i + 3]!]}${data[i + 4] ? ' declaration' : ''}`);
    }
    expect(tokens).toEqual(['${HOME} variable', 'one function declaration', '${A} variable']);
  });
});

describe('analysis that does not block', () => {
  it('completes right after an edit from the text as it is now', async () => {
    const text = 'stages:\n  - run: cat\n';
    const uri = await opened(text);
    // No wait for the edit's diagnostics: completion must answer from the current text.
    await client.change(uri, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '    wor' }]);
    const items = (await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 2, character: 7 },
    })) as CompletionItem[];
    expect(items.map((i) => i.label)).toContain('workers');
  });
});

describe('pull diagnostics and watched files', () => {
  it('answers textDocument/diagnostic for clients that pull, and pushes nothing', async () => {
    const pulling = await inProcess({ host: fakeHost() }, {}, true, { textDocument: { diagnostic: { dynamicRegistration: false } } });
    try {
      expect(pulling.initializeResult?.capabilities.diagnosticProvider).toMatchObject({ interFileDependencies: false, workspaceDiagnostics: false });
      const uri = 'untitled:pull.pipeline.yaml';
      await pulling.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'yaml', version: 1, text: 'stages:\n  - rn: cat\n  - name: idle\n' },
      });
      const report = (await pulling.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } })) as FullDocumentDiagnosticReport;
      expect(report.items.map((d) => String(d.code)).sort()).toEqual(['missing-command', 'unknown-key']);
      expect(pulling.received).toEqual([]);
    } finally {
      pulling.dispose();
    }
  });

  it('answers a pull for a version replaced while it was checked with ServerCancelled, and the newer one when asked again', async () => {
    const pulling = await inProcess({ host: fakeHost() }, {}, true, { textDocument: { diagnostic: { dynamicRegistration: false } } });
    try {
      const uri = 'untitled:replaced.pipeline.yaml';
      // Long enough to be checked over many turns of the server's event loop (a slice of text each).
      let stages = '';
      for (let i = 0; stages.length < 400_000; i++) stages += `  - name: g${i}\n    run: grep -v "x-${i}"\n`;
      const text = `stages:\n  - rn: cat\n${stages}`;
      await pulling.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
      const first = pulling.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } });
      await pulling.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 1, character: 4 }, end: { line: 1, character: 6 } }, text: 'run' }],
      });
      await expect(first).rejects.toMatchObject({ code: LSPErrorCodes.ServerCancelled, data: { retriggerRequest: true } });
      const again = (await pulling.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri } })) as FullDocumentDiagnosticReport;
      expect(again.items).toEqual([]);
    } finally {
      pulling.dispose();
    }
  });

  it('watches the files a check looked at, and re-checks only the documents that name a changed one', async () => {
    const registrations: RegistrationParams[] = [];
    const watching = await inProcess({ host: fakeHost(), diagnosticsDelayMs: 0 }, {}, true, {
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true } },
    });
    watching.connection.onRequest(RegistrationRequest.type, (p) => void registrations.push(p));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-watch-'));
    try {
      const reader = pathToFileURL(path.join(dir, 'reader.pipeline.yaml')).href;
      const other = pathToFileURL(path.join(dir, 'other.pipeline.yaml')).href;
      const first = await watching.open(reader, 'stages:\n  - use: read\n    with: { path: later.csv }\n');
      expect(first.diagnostics.map((d) => d.code)).toEqual(['file-not-found']);
      await watching.open(other, 'stages:\n  - run: cat\n');
      const watched = registrations.flatMap((r) =>
        r.registrations.flatMap((g) => (g.registerOptions as { watchers: { globPattern: { baseUri: string; pattern: string } }[] }).watchers),
      );
      expect(watched).toContainEqual({ globPattern: { baseUri: pathToFileURL(dir).href, pattern: 'later.csv' } });
      fs.writeFileSync(path.join(dir, 'later.csv'), 'a\n1\n');
      const from = watching.received.length;
      await watching.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: pathToFileURL(path.join(dir, 'later.csv')).href, type: FileChangeType.Created }],
      });
      const again = await watching.diagnostics(reader, () => true, from);
      expect(again.diagnostics).toEqual([]);
      // One round trip more: a re-check of the other document, scheduled with the same delay, would have been published by now.
      await watching.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: other }, position: { line: 0, character: 0 } });
      expect(watching.received.slice(from).map((p) => p.uri)).toEqual([reader]);
    } finally {
      watching.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
