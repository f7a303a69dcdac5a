import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeActionKind,
  CodeActionRequest,
  CodeActionResolveRequest,
  type CodeAction,
  type Diagnostic,
  type Range,
  type ShowMessageParams,
  type TextEdit,
} from 'vscode-languageserver/node';
import { checkOnPickFrom } from '../../server/code-actions';
import { fakeHost } from '../unit/dsl/fake-host';
import { applyEdits, dslFixtureDir, dslFixtures } from './fixtures';
import { inProcess, type TestClient } from './harness';

let client: TestClient;
let n = 0;
beforeAll(async () => {
  client = await inProcess({ host: fakeHost() });
});
afterAll(() => client.dispose());

async function actionsFor(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[], by = client): Promise<CodeAction[]> {
  const result = await by.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range,
    context: { diagnostics, ...(only ? { only } : {}) },
  });
  return (result ?? []) as CodeAction[];
}

function editsOf(action: CodeAction, uri: string): TextEdit[] {
  return action.edit?.changes?.[uri] ?? [];
}

/** Opens `text`, applies the quick fix titled `title` for the diagnostic with `code`, and returns the re-checked result. */
async function fixOnce(text: string, code: string, title: RegExp, uri = `untitled:fix-${n++}.pipeline.yaml`) {
  const { diagnostics } = await client.open(uri, text);
  const diagnostic = diagnostics.find((d) => d.code === code);
  expect(diagnostic, `a ${code} diagnostic in:\n${text}\ngot ${JSON.stringify(diagnostics.map((d) => d.code))}`).toBeDefined();
  const actions = await actionsFor(uri, diagnostic!.range, [diagnostic!]);
  const chosen = actions.find((a) => title.test(a.title));
  expect(chosen, `an action ${title} among ${JSON.stringify(actions.map((a) => a.title))}`).toBeDefined();
  expect(chosen!.kind).toBe(CodeActionKind.QuickFix);
  expect(chosen!.diagnostics).toEqual([diagnostic]);
  const fixed = applyEdits(text, editsOf(chosen!, uri));
  const after = await client.replace(uri, fixed);
  await client.close(uri);
  return { fixed, diagnostics: after.diagnostics };
}

describe('code actions keyed by problem code', () => {
  const cases: { name: string; text: string; code: string; title: RegExp; expected: string; uri?: string }[] = [
    {
      name: "Python's named group in a parse regex",
      text: "stages:\n  - use: parse\n    with: { regex: '(?P<date>\\S+) (?<time>\\S+)' }\n",
      code: 'bad-regex',
      title: /Write `\(\?<name>…\)`/,
      expected: "stages:\n  - use: parse\n    with: { regex: '(?<date>\\S+) (?<time>\\S+)' }\n",
    },
    {
      name: 'a group name that cannot be a field',
      text: 'stages:\n  - use: parse\n    with:\n      regex: "(?<at>\\\\S+) (?<http-status>\\\\d+)"\n',
      code: 'bad-regex',
      title: /Rename the group `http_status`/,
      expected: 'stages:\n  - use: parse\n    with:\n      regex: "(?<at>\\\\S+) (?<http_status>\\\\d+)"\n',
    },
    {
      name: 'a text log read without a format',
      text: 'stages:\n  - use: read\n    with:\n      path: data/dpkg.log # from dpkg\n  - use: head\n',
      code: 'not-ndjson',
      title: /Add `format: lines`/,
      expected: 'stages:\n  - use: read\n    with:\n      path: data/dpkg.log # from dpkg\n      format: lines\n  - use: head\n',
      uri: pathToFileURL(path.join(dslFixtureDir, 'not-ndjson-fix.pipeline.yaml')).href,
    },
    {
      name: 'did-you-mean for an unknown stage key',
      text: 'stages:\n  - rn: cat\n',
      code: 'unknown-key',
      title: /Change to `run`/,
      expected: 'stages:\n  - run: cat\n',
    },
    {
      name: 'did-you-mean for an unknown pipeline key',
      text: 'nmae: x\nstages:\n  - run: cat\n',
      code: 'unknown-key',
      title: /`name`/,
      expected: 'name: x\nstages:\n  - run: cat\n',
    },
    {
      name: 'an alias without its anchor in a merge key: pointed at, and the anchor that exists offered',
      text: 'x-a: &a { stderr: ignore }\nstages:\n  - <<: *b\n    run: cat\n',
      code: 'yaml-syntax',
      title: /Change to `\*a`/,
      expected: 'x-a: &a { stderr: ignore }\nstages:\n  - <<: *a\n    run: cat\n',
    },
    { name: 'did-you-mean for a built-in', text: 'stages:\n  - use: haed\n', code: 'unknown-builtin', title: /`head`/, expected: 'stages:\n  - use: head\n' },
    {
      name: 'did-you-mean for a with option',
      text: 'stages:\n  - use: head\n    with: { cuont: 3 }\n',
      code: 'bad-option',
      title: /`count`/,
      expected: 'stages:\n  - use: head\n    with: { count: 3 }\n',
    },
    {
      name: 'did-you-mean for an enum value',
      text: 'stages:\n  - run: cat\n    stderr: ignor\n',
      code: 'invalid-value',
      title: /`ignore`/,
      expected: 'stages:\n  - run: cat\n    stderr: ignore\n',
    },
    {
      name: 'keep one of conflicting run/command',
      text: 'stages:\n  - run: cat\n    command: [sort]\n',
      code: 'conflicting-command',
      title: /Keep `command`/,
      expected: 'stages:\n  - command: [sort]\n',
    },
    {
      name: 'keep one of conflicting run/use',
      text: 'stages:\n  - run: cat\n    use: head # first 10\n    name: x\n',
      code: 'conflicting-command',
      title: /Keep `run`/,
      expected: 'stages:\n  - run: cat\n    name: x\n',
    },
    {
      name: 'clamp workers',
      text: 'stages:\n  - run: cat\n    workers: 100\n',
      code: 'workers-range',
      title: /64/,
      expected: 'stages:\n  - run: cat\n    workers: 64\n',
    },
    {
      name: 'define a variable: no env yet',
      text: 'name: v\nstages:\n  - command: [echo, "${GREETING}"]\n',
      code: 'undefined-variable',
      title: /Define `GREETING`/,
      expected: 'name: v\nenv:\n  GREETING: ""\nstages:\n  - command: [echo, "${GREETING}"]\n',
    },
    {
      name: 'define a variable: block env',
      text: 'env:\n    A: 1 # one\n    B: two\nstages:\n  - command: [echo, "${C}"]\n',
      code: 'undefined-variable',
      title: /Define `C`/,
      expected: 'env:\n    A: 1 # one\n    B: two\n    C: ""\nstages:\n  - command: [echo, "${C}"]\n',
    },
    {
      name: 'define a variable: flow env',
      text: 'env: { A: 1 }\nstages:\n  - use: read\n    with: { path: "${N}x.csv" }\n',
      code: 'undefined-variable',
      title: /Define `N`/,
      expected: 'env: { A: 1, N: "" }\nstages:\n  - use: read\n    with: { path: "${N}x.csv" }\n',
    },
    {
      name: 'define a variable: empty env',
      text: 'env:\nstages:\n  - command: [echo, "${X}"]\n',
      code: 'undefined-variable',
      title: /Define `X`/,
      expected: 'env:\n  X: ""\nstages:\n  - command: [echo, "${X}"]\n',
    },
    {
      name: 'define a variable: CRLF, empty flow env',
      text: 'env: {}\r\nstages:\r\n  - command: [echo, "${X}"]\r\n',
      code: 'undefined-variable',
      title: /Define `X`/,
      expected: 'env: { X: "" }\r\nstages:\r\n  - command: [echo, "${X}"]\r\n',
    },
    {
      name: 'quote a number in a command argv',
      text: 'stages:\n  - command: [seq, 10]\n',
      code: 'wrong-type',
      title: /Quote 10 as "10"/,
      expected: 'stages:\n  - command: [seq, "10"]\n',
    },
    {
      name: 'quote an argv item that YAML reads as a boolean',
      text: 'stages:\n  - command: [true]\n',
      code: 'wrong-type',
      title: /Quote true as "true"/,
      expected: 'stages:\n  - command: ["true"]\n',
    },
    {
      name: 'a stage that names itself in `input:` loses that name',
      text: 'stages:\n  - name: read\n    run: cat\n  - name: loop\n    run: cat\n    input: [read, loop]\n',
      code: 'input-order',
      title: /Remove `loop` from `input`/,
      expected: 'stages:\n  - name: read\n    run: cat\n  - name: loop\n    run: cat\n    input: [read]\n',
    },
    {
      name: 'a `command:` holding `: ` becomes a `run:` command, not a quoted string that is then the wrong type',
      text: 'stages:\n  - command: echo a: b\n',
      code: 'yaml-syntax',
      title: /Use `run:`/,
      expected: 'stages:\n  - run: "echo a: b"\n',
    },
    {
      name: 'a `command:` holding `: ` becomes an argv list',
      text: 'stages:\n  - command: echo a: b\n',
      code: 'yaml-syntax',
      title: /argv list/,
      expected: 'stages:\n  - command: [echo, "a:", b]\n',
    },
    {
      name: 'a `run:` holding `: ` and both quotes becomes a block scalar, not a wall of backslashes',
      text: 'stages:\n  - name: q\n    run: echo "it\'s": x\n',
      code: 'yaml-syntax',
      title: /block/,
      expected: 'stages:\n  - name: q\n    run: |\n      echo "it\'s": x\n',
    },
    {
      name: 'a `run:` holding `: ` in a flow mapping is quoted there',
      text: 'stages:\n  - { name: a, run: echo a: b }\n',
      code: 'yaml-syntax',
      title: /Quote the command/,
      expected: 'stages:\n  - { name: a, run: "echo a: b" }\n',
    },
    {
      name: '"Define in env" in a file that starts with a byte order mark',
      text: '\ufeffstages:\n  - command: [echo, "${FOO}"]\n',
      code: 'undefined-variable',
      title: /Define `FOO`/,
      expected: '\ufeffenv:\n  FOO: ""\nstages:\n  - command: [echo, "${FOO}"]\n',
    },
    {
      name: '"Keep `run`" in a flow mapping with a trailing comma leaves no comma behind',
      text: 'stages:\n  - { run: cat, command: [cat],  }\n',
      code: 'conflicting-command',
      title: /Keep `run`/,
      expected: 'stages:\n  - { run: cat }\n',
    },
    {
      name: 'rename a duplicate stage to a free name',
      text: 'stages:\n  - name: a\n    run: cat\n  - name: a-2\n    run: cat\n  - name: a\n    run: cat\n',
      code: 'duplicate-stage-name',
      title: /Rename this stage to "a-3"/,
      expected: 'stages:\n  - name: a\n    run: cat\n  - name: a-2\n    run: cat\n  - name: a-3\n    run: cat\n',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: applied and re-checked clean`, async () => {
      const { fixed, diagnostics } = await fixOnce(c.text, c.code, c.title, c.uri);
      expect(fixed).toBe(c.expected);
      expect(diagnostics.map((d) => `${String(d.code)}: ${JSON.stringify(d.message)}`)).toEqual([]);
    });
  }

  it('every fix offered for the golden fixtures applies and removes its problem', async () => {
    let applied = 0;
    for (const fixture of dslFixtures()) {
      const uri = `untitled:golden-fix-${fixture.name}`;
      const { diagnostics } = await client.open(uri, fixture.text);
      for (const diagnostic of diagnostics) {
        const actions = (await actionsFor(uri, diagnostic.range, [diagnostic])).filter((a) => a.kind === CodeActionKind.QuickFix);
        for (const a of actions) {
          const fixed = applyEdits(fixture.text, editsOf(a, uri));
          const after = await client.replace(uri, fixed);
          const count = (ds: Diagnostic[]) => ds.filter((d) => d.code === diagnostic.code).length;
          expect(
            count(after.diagnostics),
            `${fixture.name}: "${a.title}" for ${String(diagnostic.code)} at line ${diagnostic.range.start.line + 1}`,
          ).toBeLessThan(count(diagnostics));
          expect(after.diagnostics.filter((d) => d.code === 'yaml-syntax' && !diagnostics.some((b) => b.code === 'yaml-syntax'))).toEqual([]);
          await client.replace(uri, fixture.text);
          applied++;
        }
      }
      await client.close(uri);
    }
    expect(applied).toBeGreaterThan(10);
  });

  it('names a stage in a flow mapping without blanks the way it is written', async () => {
    const text = 'stages: [{run: cat}]\n';
    const uri = 'untitled:names-flow.pipeline.yaml';
    await client.open(uri, text);
    const actions = await actionsFor(uri, { start: { line: 0, character: 12 }, end: { line: 0, character: 12 } }, [], [CodeActionKind.Refactor]);
    expect(
      applyEdits(
        text,
        actions.flatMap((a) => editsOf(a, uri)),
      ),
    ).toBe('stages: [{name: cat, run: cat}]\n');
    await client.close(uri);
  });

  it('offers "name this stage" for unnamed stages under the cursor, as a refactoring', async () => {
    const text = 'stages:\n  - run: grep x\n  - { use: head }\n  - name: last\n    run: cat\n';
    const uri = 'untitled:names.pipeline.yaml';
    await client.open(uri, text);
    const whole = { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } };
    const actions = await actionsFor(uri, whole, [], [CodeActionKind.Refactor]);
    expect(actions.map((a) => [a.title, a.kind])).toEqual([
      ['Name this stage `grep`', CodeActionKind.RefactorRewrite],
      ['Name this stage `head`', CodeActionKind.RefactorRewrite],
    ]);
    const named = applyEdits(
      text,
      actions.flatMap((a) => editsOf(a, uri)),
    );
    expect(named).toBe('stages:\n  - name: grep\n    run: grep x\n  - { name: head, use: head }\n  - name: last\n    run: cat\n');
    const after = await client.replace(uri, named);
    expect(after.diagnostics).toEqual([]);
    // Only quick fixes when only those are asked for; nothing on a named stage.
    expect(await actionsFor(uri, whole, [], [CodeActionKind.QuickFix])).toEqual([]);
    expect(await actionsFor(uri, { start: { line: 4, character: 6 }, end: { line: 4, character: 6 } }, [])).toEqual([]);
    await client.close(uri);
  });

  it('never applies a diagnostic’s fix at a stale place', async () => {
    const text = 'stages:\n  - rn: cat\n';
    const uri = 'untitled:stale.pipeline.yaml';
    const { diagnostics } = await client.open(uri, text);
    const old = diagnostics.find((d) => d.code === 'unknown-key')!;
    const before = await actionsFor(uri, old.range, [old]);
    expect(before.map((a) => a.title)).toContain('Change to `run`');
    // An edit below: the old diagnostic still matches the current check, so its fix is recomputed.
    await client.replace(uri, `${text}# more\n`);
    const still = await actionsFor(uri, old.range, [old]);
    expect(still).toEqual(before);
    // A line inserted above: the old diagnostic points at the wrong place now; no fix is offered.
    await client.replace(uri, `name: x\n${text}`);
    expect(await actionsFor(uri, old.range, [old])).toEqual([]);
    // Not ours, or an unknown code: ignored.
    expect(
      await actionsFor(uri, old.range, [
        { ...old, source: 'other' },
        { ...old, code: 'no-such-code' },
      ]),
    ).toEqual([]);
    await client.close(uri);
  });
});

describe(`in a file of ${checkOnPickFrom} stages or more, with a client that resolves edits`, () => {
  // The editor asks for code actions at every cursor move; checking each edit of such a file then would hold the server up.
  let resolver: TestClient;
  const messages: ShowMessageParams[] = [];
  beforeAll(async () => {
    resolver = await inProcess({ host: fakeHost() }, {}, true, {
      textDocument: { codeAction: { dataSupport: true, resolveSupport: { properties: ['edit'] } } },
    });
    resolver.connection.onNotification('window/showMessage', (m) => {
      messages.push(m as ShowMessageParams);
    });
  });
  afterAll(() => resolver.dispose());

  const named = Array.from({ length: checkOnPickFrom }, (_, i) => `  - name: s${i}\n    run: cat\n`).join('');
  const resolve = (action: CodeAction): Promise<CodeAction> => resolver.connection.sendRequest(CodeActionResolveRequest.type, action);
  const at = (line: number): Range => ({ start: { line, character: 6 }, end: { line, character: 6 } });

  it('offers actions without their edit, then makes and checks the edit when one is picked', async () => {
    const text = `stages:\n${named}  - run: sort\n    stderr: shwo\n`;
    const uri = 'untitled:big-fixes.pipeline.yaml';
    const { diagnostics } = await resolver.open(uri, text);
    const typo = diagnostics.find((d) => d.code === 'invalid-value')!;
    const [fix] = await actionsFor(uri, typo.range, [typo], [CodeActionKind.QuickFix], resolver);
    expect(fix).toMatchObject({ title: 'Change to `show`', kind: CodeActionKind.QuickFix, diagnostics: [typo], isPreferred: true });
    expect(fix!.edit).toBeUndefined();
    const picked = await resolve(fix!);
    const fixed = applyEdits(text, editsOf(picked, uri));
    expect(fixed).toBe(text.replace('shwo', 'show'));
    // "Name this stage" on the unnamed one, the same way.
    const lines = text.split('\n');
    const [rename] = await actionsFor(uri, at(lines.indexOf('  - run: sort')), [], [CodeActionKind.RefactorRewrite], resolver);
    expect(rename).toMatchObject({ title: 'Name this stage `sort`', kind: CodeActionKind.RefactorRewrite });
    expect(rename!.edit).toBeUndefined();
    expect(applyEdits(text, editsOf(await resolve(rename!), uri))).toContain('  - name: sort\n    run: sort\n');
    expect((await resolver.replace(uri, fixed)).diagnostics).toEqual([]);
    await resolver.close(uri);
    expect(messages).toEqual([]);
  });

  it('applies nothing that would bring a new problem, or that is for an older version, and says why', async () => {
    const text = `stages:\n${named}  - use: raed\n`;
    const uri = 'untitled:big-refused.pipeline.yaml';
    const { diagnostics } = await resolver.open(uri, text);
    const typo = diagnostics.find((d) => d.code === 'unknown-builtin')!;
    // `read` needs a path: checked at once (a small file), this fix is never offered; here it is refused when picked.
    const [fix] = await actionsFor(uri, typo.range, [typo], [CodeActionKind.QuickFix], resolver);
    expect(fix!.title).toBe('Change to `read`');
    const refused = await resolve(fix!);
    expect(refused.edit).toBeUndefined();
    await expect.poll(() => messages.map((m) => m.message)).toEqual(['Pipewright: Change to `read`: not applied, it would bring a new problem into the file']);
    // Picked after the file changed: nothing applied either.
    const [rename] = await actionsFor(uri, at(text.split('\n').indexOf('  - use: raed')), [], [CodeActionKind.RefactorRewrite], resolver);
    await resolver.replace(uri, `${text}# more\n`);
    expect((await resolve(rename!)).edit).toBeUndefined();
    await expect.poll(() => messages.length).toBe(2);
    expect(messages[1]!.message).toMatch(/the file changed since it was offered/);
    await resolver.close(uri);
  });

  it('checks every edit before offering it in a smaller file, as before', async () => {
    const uri = 'untitled:small-refused.pipeline.yaml';
    const { diagnostics } = await resolver.open(uri, 'stages:\n  - use: raed\n');
    const typo = diagnostics.find((d) => d.code === 'unknown-builtin')!;
    expect(await actionsFor(uri, typo.range, [typo], [CodeActionKind.QuickFix], resolver)).toEqual([]);
    await resolver.close(uri);
  });
});
