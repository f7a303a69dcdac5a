// Every edit the server offers — quick fixes, "Name this stage", formatting, rename — leaves a
// file with no problem it did not have: applied here, by the client's rules, and checked again
// with the dsl directly (not through the server's own verification).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionKind,
  CodeActionRequest,
  DocumentFormattingRequest,
  RenameRequest,
  type CodeAction,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { check, type Problem } from '../../dsl';
import { introducesNoProblem } from '../../dsl/verify';
import { fakeHost } from '../unit/dsl/fake-host';
import { applyEdits, dslFixtures } from './fixtures';
import { inProcess, type TestClient } from './harness';

const host = fakeHost();
let client: TestClient;
beforeAll(async () => {
  client = await inProcess({ host });
});
afterAll(() => client.dispose());

const problemsOf = (text: string): Problem[] => check(text, { host }).problems;
const codes = (ps: readonly Problem[]) => ps.map((p) => p.code).sort();

/** The texts the issue found broken by fixes, and lines that typing produces. */
const risky = [
  'stages:\n  - { run: cat, use: head }\n',
  'x-base: &base { run: cat }\nstages:\n  - <<: *base\n    command: [sort]\n',
  'stages:\n  - run: cat\n    rnu: x\n',
  'stages:\n  - run: cat\n    command: [x]\n    comand: [y]\n',
  'x-s: &s { rnu: cat }\nstages:\n  - *s\n',
  'stages:\n  - run: "false && x"\n  - run: "null"\n  - cat\n',
  "stages:\n  - run: jq -c '{id: .id}'\n",
  'stages:\n  - run: cat\n    workers: 0\n  - <<: *w\n',
  'x-w: &w { workers: 99 }\nstages:\n  - <<: *w\n    run: cat\n',
];
const fragment = fc.constantFrom(
  'name: x',
  'stages:',
  '  - run: cat',
  '  - use: raed',
  '  - use: read',
  '    with: { path: a.csv, fromat: csv }',
  '  - command: [echo, "${NOPE}"]',
  '    env: { A: "${B}" }',
  'env:',
  '  REGION: eu',
  '    workers: 0',
  '    rn: x',
  '  - { run: cat, command: [sort], use: head }',
  '    use: head',
  "  - run: jq -c '{id: .id}'",
  '&a',
  '*a',
  '  - <<: *a',
  '    stderr: ignor',
  '  - name: dup',
  '  - name: dup',
  'nmae: y',
  '  - run: "true"',
  '\r',
);
const generated = fc.array(fragment, { minLength: 1, maxLength: 12 }).map((lines) => lines.join('\n') + '\n');
const texts = fc.oneof(generated, fc.constantFrom(...risky, ...dslFixtures().map((f) => f.text)));

let n = 0;
async function offeredEdits(text: string): Promise<{ title: string; edits: TextEdit[]; fixing?: Diagnostic }[]> {
  const uri = `untitled:verified-${n++}.pipeline.yaml`;
  const { diagnostics } = await client.open(uri, text);
  const offered: { title: string; edits: TextEdit[]; fixing?: Diagnostic }[] = [];
  const editsOf = (e: WorkspaceEdit | null | undefined) => e?.changes?.[uri] ?? [];
  for (const d of diagnostics) {
    const actions = ((await client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) ??
      []) as CodeAction[];
    for (const a of actions) offered.push({ title: a.title, edits: editsOf(a.edit), ...(a.kind === CodeActionKind.QuickFix ? { fixing: d } : {}) });
  }
  const whole = { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } };
  const refactors = ((await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: whole,
    context: { diagnostics: [], only: [CodeActionKind.Refactor] },
  })) ?? []) as CodeAction[];
  for (const a of refactors) offered.push({ title: a.title, edits: editsOf(a.edit) });
  const format =
    (await client.connection.sendRequest(DocumentFormattingRequest.type, {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    })) ?? [];
  if (format.length > 0) offered.push({ title: 'format', edits: format });
  // Rename every stage name to a YAML keyword: quoted, or refused.
  const lines = text.split('\n');
  for (const [line, l] of lines.entries()) {
    const m = /name: *["']?([A-Za-z_][\w.-]*)/.exec(l);
    if (!m) continue;
    const position = { line, character: m.index + m[0].length - 1 };
    const edit = await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName: 'null' }).catch(() => null);
    if (edit) offered.push({ title: `rename line ${line + 1}`, edits: editsOf(edit) });
  }
  await client.close(uri);
  return offered;
}

describe('every edit the server offers is safe', () => {
  it('the fixes the issue found harmful are now either right or not offered', async () => {
    const titles = async (text: string) => (await offeredEdits(text)).map((o) => o.title);
    const after = async (text: string, title: string) => {
      const o = (await offeredEdits(text)).find((x) => x.title === title);
      return o && applyEdits(text, o.edits);
    };
    expect(await after(risky[0]!, 'Keep `use`')).toBe('stages:\n  - { use: head }\n');
    expect(await titles(risky[1]!)).not.toContain('Keep `command`');
    expect(await titles(risky[2]!)).not.toContain('Change to `run`');
    expect(await titles(risky[4]!)).not.toContain('Change to `run`');
    expect(await after(risky[5]!, 'Name this stage `false`')).toBe('stages:\n  - name: "false"\n    run: "false && x"\n  - run: "null"\n  - cat\n');
    expect(await after(risky[6]!, 'Quote the command')).toBe('stages:\n  - run: "jq -c \'{id: .id}\'"\n');
    expect(await titles(risky[8]!)).not.toContain('Set workers to 64');
  });

  it('on random documents: applied, each leaves no new problem, and a quick fix removes its own', async () => {
    let offered = 0;
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        const before = problemsOf(text);
        for (const o of await offeredEdits(text)) {
          offered++;
          const fixed = applyEdits(text, o.edits);
          const after = problemsOf(fixed);
          const fixing = o.fixing && before.find((p) => p.code === o.fixing!.code);
          expect(
            introducesNoProblem(before, after, fixing),
            `"${o.title}" on\n${text}\n→\n${fixed}\nbefore ${codes(before).join(', ')}\nafter ${codes(after).join(', ')}`,
          ).toBe(true);
        }
      }),
      { numRuns: 120 },
    );
    expect(offered).toBeGreaterThan(50);
  });
});
