import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompletionRequest, InsertTextFormat, type CompletionItem, type TextEdit } from 'vscode-languageserver/node';
import { check } from '../../dsl';
import { fakeHost } from '../unit/dsl/fake-host';
import { applyEdits } from './fixtures';
import { inProcess, type TestClient } from './harness';

let client: TestClient;
let plainClient: TestClient;
let n = 0;
const host = fakeHost({ HOME: '/home/user', PATH: '/usr/bin', API_TOKEN: 's3cr3t-value' });

beforeAll(async () => {
  client = await inProcess({ host });
  plainClient = await inProcess({ host }, {}, false);
});
afterAll(() => {
  client.dispose();
  plainClient.dispose();
});

/** Opens `text` with `|` marking the cursor; returns the completion items there and the text without the marker. */
async function complete(marked: string, on = client): Promise<{ items: CompletionItem[]; labels: string[]; text: string }> {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  const before = text.slice(0, offset).split('\n');
  const position = { line: before.length - 1, character: before[before.length - 1]!.length };
  const uri = `untitled:completion-${n++}.pipeline.yaml`;
  await on.open(uri, text);
  const result = await on.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
  await on.close(uri);
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return { items, labels: items.map((i) => i.label).sort(), text };
}

function applied(text: string, item: CompletionItem): string {
  return applyEdits(text, [item.textEdit as TextEdit]);
}

describe('completion', () => {
  it('offers the pipeline keys not yet present at the top level', async () => {
    const { labels } = await complete('name: x\n|\nstages:\n  - run: cat\n');
    expect(labels).toEqual(['cwd', 'description', 'env', 'hosts']);
  });

  it('offers the stage keys not yet present inside a stage', async () => {
    const { labels, items, text } = await complete('stages:\n  - run: cat\n    wo|\n');
    expect(labels).toEqual(['command', 'cwd', 'description', 'env', 'input', 'name', 'on', 'ordered', 'stderr', 'tap', 'timeout', 'use', 'with', 'workers']);
    const workers = items.find((i) => i.label === 'workers')!;
    expect(workers.documentation).toMatchObject({ kind: 'markdown' });
    expect(JSON.stringify(workers.documentation)).toContain('parallel copies');
    expect((workers.textEdit as TextEdit).range).toEqual({ start: { line: 2, character: 4 }, end: { line: 2, character: 6 } });
    expect(applied(text, workers)).toBe('stages:\n  - run: cat\n    workers: $1\n');
  });

  it('offers stage keys and new-stage snippets right after a dash', async () => {
    const { labels, items, text } = await complete('stages:\n  - run: cat\n  - |\n');
    expect(labels).toContain('use');
    expect(labels).toContain('stage: use a built-in');
    const snippet = items.find((i) => i.label === 'stage: run a shell command')!;
    expect(snippet.insertTextFormat).toBe(InsertTextFormat.Snippet);
    expect(applied(text, snippet)).toBe("stages:\n  - run: cat\n  - name: ${1:name}\n    run: ${2:grep 'pattern'}\n");
  });

  it('offers new-stage snippets level with the stage items, indented to fit', async () => {
    const { labels, items, text } = await plainCompletion('stages:\n  - run: cat\n  |\n');
    expect(labels).toEqual(['stage: run a program (argv)', 'stage: run a shell command', 'stage: use a built-in']);
    const snippet = items.find((i) => i.label === 'stage: run a program (argv)')!;
    expect(snippet.insertTextFormat).toBe(InsertTextFormat.PlainText);
    const result = applied(text, snippet);
    expect(result).toBe('stages:\n  - run: cat\n  - name: name\n    command: [node, script.js]\n');
    const checked = check(result, { host });
    expect(checked.pipeline.stages.map((s) => s.name)).toEqual(['cat', 'name']);
    expect(checked.problems.filter((p) => p.code === 'yaml-syntax')).toEqual([]);
  });

  it('offers only the chosen built-in’s options under with:, not those present', async () => {
    expect((await complete('stages:\n  - use: read\n    with:\n      path: x.csv\n      |\n')).labels).toEqual(['format', 'header']);
    expect((await complete('stages:\n  - use: sample\n    with:\n      |\n')).labels).toEqual(['every', 'fraction', 'seed']);
    expect((await complete('stages:\n  - with:\n      |\n    use: filter\n')).labels).toEqual(['expr', 'onError']);
    expect((await complete('stages:\n  - run: cat\n    with:\n      |\n')).labels).toEqual([]);
  });

  it('inserts with: holding the built-in’s own required options', async () => {
    const read = await complete('stages:\n  - use: read\n    w|\n');
    expect(
      applied(
        read.text,
        read.items.find((i) => i.label === 'with')!,
      ),
    ).toMatch(/^stages:\n  - use: read\n    with:\n      path: \$\{1:[^}]+\}\n$/);
    const head = await complete('stages:\n  - w|\n    use: head\n');
    expect(
      applied(
        head.text,
        head.items.find((i) => i.label === 'with')!,
      ),
    ).toMatch(/^stages:\n  - with:\n      count: \$\{1(:\d+)?\}\n    use: head\n$/);
    const pick = await complete('stages:\n  - use: pick\n    |\n');
    expect(
      applied(
        pick.text,
        pick.items.find((i) => i.label === 'with')!,
      ),
    ).toBe('stages:\n  - use: pick\n    with:\n      fields: [$1]\n');
    const shell = await complete('stages:\n  - run: cat\n    |\n');
    expect(
      applied(
        shell.text,
        shell.items.find((i) => i.label === 'with')!,
      ),
    ).toBe('stages:\n  - run: cat\n    with:\n      ${1:key}: ${2:value}\n');
  });

  it('offers options and their values inside a one-line `with: { … }`', async () => {
    const flow = await complete('stages:\n  - use: read\n    with: { path: x.csv,| }\n');
    expect(flow.labels).toEqual(['format', 'header']);
    expect(
      applied(
        flow.text,
        flow.items.find((i) => i.label === 'format')!,
      ),
    ).toBe('stages:\n  - use: read\n    with: { path: x.csv, format:  }\n');
    expect((await complete('stages:\n  - use: read\n    with: { fo|, path: x.csv }\n')).labels).toEqual(['format', 'header']);
    expect((await complete('stages:\n  - use: read\n    with: { format: c| }\n')).labels).toEqual(['csv', 'json', 'lines', 'ndjson', 'tsv']);
    expect((await complete('stages:\n  - with: { onError: | }\n    use: map\n')).labels).toEqual(['fail', 'skip']);
    expect((await complete('stages:\n  - { use: head, with: { | } }\n')).labels).toEqual([]);
  });

  it('offers built-in names after use:, with their docs', async () => {
    const { labels, items } = await complete('stages:\n  - name: a\n    use: r|\n');
    expect(labels).toEqual(['count', 'filter', 'head', 'map', 'parse', 'pick', 'read', 'sample', 'write']);
    expect(JSON.stringify(items.find((i) => i.label === 'read')!.documentation)).toContain('Reads a file');
    expect((await complete('stages:\n  - use: |\n')).labels).toHaveLength(9);
    // Right after the colon (the `:` trigger character), the value comes with its space.
    const colon = await complete('stages:\n  - use:|\n');
    expect(
      applied(
        colon.text,
        colon.items.find((i) => i.label === 'head')!,
      ),
    ).toBe('stages:\n  - use: head\n');
  });

  it('offers enum and boolean values', async () => {
    expect((await complete('stages:\n  - run: cat\n    stderr: |\n')).labels).toEqual(['ignore', 'show']);
    expect((await complete('stages:\n  - run: cat\n    ordered: |\n')).labels).toEqual(['false', 'true']);
    expect((await complete('stages:\n  - use: read\n    with:\n      format: |\n')).labels).toEqual(['csv', 'json', 'lines', 'ndjson', 'tsv']);
    expect((await complete('stages:\n  - use: write\n    with:\n      format: |\n')).labels).toEqual(['csv', 'ndjson']);
    expect((await complete('stages:\n  - use: filter\n    with:\n      expr: r.ok\n      onError: |\n')).labels).toEqual(['fail', 'skip']);
  });

  it('offers the options of parse and count with their docs, and the values of parse `types` entries', async () => {
    const parse = await complete('stages:\n  - use: parse\n    with:\n      |\n');
    expect(parse.labels).toEqual(['field', 'format', 'onError', 'regex', 'types']);
    expect(JSON.stringify(parse.items.find((i) => i.label === 'regex')!.documentation)).toContain('named groups');
    expect((await complete('stages:\n  - use: parse\n    with: { format: | }\n')).labels).toEqual(['kv', 'logfmt']);
    expect((await complete('stages:\n  - use: parse\n    with:\n      onError: |\n')).labels).toEqual(['fail', 'keep', 'skip']);
    const types = await complete('stages:\n  - use: parse\n    with:\n      format: logfmt\n      types:\n        ms: |\n');
    expect(types.labels).toEqual(['number', 'timestamp']);
    const count = await complete('stages:\n  - use: count\n    with: { | }\n');
    expect(count.labels).toEqual(['by', 'onError']);
    expect(JSON.stringify(count.items.find((i) => i.label === 'by')!.documentation)).toContain('counts under null');
  });

  it('offers ${VAR} names from the stage env, the pipeline env and the environment', async () => {
    const { items, text } = await complete('env:\n  REGION: eu\nstages:\n  - run: echo ${RE|\n    env: { STAGE_V: x }\n  - run: cat\n');
    const labels = items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['REGION', 'STAGE_V', 'HOME', 'PATH', 'API_TOKEN']));
    const region = items.find((i) => i.label === 'REGION')!;
    expect(region.detail).toBe('pipeline env');
    expect(items.find((i) => i.label === 'STAGE_V')!.detail).toBe('stage env');
    expect(applied(text, region)).toContain('run: echo ${REGION}\n');
    // Values of secret-looking names are not shown.
    expect(JSON.stringify(items.find((i) => i.label === 'API_TOKEN')!.documentation)).not.toContain('s3cr3t');
    // The second stage does not see the first one's env.
    expect((await complete('env:\n  REGION: eu\nstages:\n  - run: cat\n    env: { STAGE_V: x }\n  - command: [echo, "${|}"]\n')).labels).not.toContain(
      'STAGE_V',
    );
  });

  it('offers nothing in comments and inside plain values', async () => {
    expect((await complete('# a comment |\nstages:\n  - run: cat\n')).labels).toEqual([]);
    expect((await complete('stages:\n  - run: grep x |\n')).labels).toEqual([]);
  });
});

function plainCompletion(marked: string) {
  return complete(marked, plainClient);
}
