import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticSeverity, DidChangeWatchedFilesNotification, FileChangeType, type Diagnostic } from 'vscode-languageserver/node';
import { problemCodes, type ProblemCode } from '../../dsl';
import type { DiagnosticData } from '../../server/protocol';
import { fakeHost } from '../unit/dsl/fake-host';
import { dslFixtures } from './fixtures';
import { inProcess, type TestClient } from './harness';

const docsUrl = 'https://example.test/docs/dsl.md';
const severity = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };
const lineCodes = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line + 1} ${String(d.code)}`).sort();

let client: TestClient;
beforeAll(async () => {
  client = await inProcess({ host: fakeHost() }, { docsUrl });
});
afterAll(() => client.dispose());

describe('diagnostics', () => {
  const fixtures = dslFixtures();

  it('has golden fixtures to check', () => {
    expect(fixtures.length).toBeGreaterThan(10);
  });

  for (const fixture of fixtures) {
    it(`golden fixture ${fixture.name}`, async () => {
      const published = await client.open(fixture.uri, fixture.text);
      const detail = published.diagnostics.map((d) => `${d.range.start.line + 1}: ${String(d.code)}: ${JSON.stringify(d.message)}`).join('\n');
      expect(lineCodes(published.diagnostics), detail).toEqual(fixture.want);
      for (const d of published.diagnostics) {
        const code = d.code as ProblemCode;
        expect(Object.hasOwn(problemCodes, code)).toBe(true);
        expect(d.source).toBe('pipewright');
        expect(d.codeDescription?.href).toBe(`${docsUrl}#problem-${code}`);
        // A YAML warning (e.g. a tab) is reported under yaml-syntax with severity warning; an undefined
        // variable in a `run:` script is a warning (the shell expands it empty).
        const either = code === 'yaml-syntax' || code === 'undefined-variable';
        expect(either ? [DiagnosticSeverity.Error, DiagnosticSeverity.Warning] : [severity[problemCodes[code].severity]]).toContain(d.severity);
        expect((d.data as DiagnosticData).version).toBe(1);
      }
      await client.close(fixture.uri);
    });
  }

  describe('one cause, one problem, in words about the values written', () => {
    const cases: { name: string; text: string; want: string[] }[] = [
      {
        name: 'a host without `ssh:` is not also unknown where a stage runs on it',
        text: 'hosts:\n  box: { port: 22 }\nstages:\n  - run: cat\n  - run: cat\n    on: box\n',
        want: ['2 invalid-value: `box` needs the key `ssh` (a machine reached over ssh) or `slurm` (a Slurm cluster).'],
      },
      {
        name: 'a wrong key in a host is named as one of a host',
        text: 'hosts:\n  box: { ssh: b, prot: 22 }\nstages:\n  - run: cat\n    on: box\n',
        want: ['2 unknown-key: unknown key `prot` in host `box`. Did you mean `port`?'],
      },
      {
        name: 'a typo in `input:` does not also leave the stage it meant unread',
        text: 'stages:\n  - name: src\n    run: cat\n  - name: errors\n    run: cat\n    input: src\n  - name: slow\n    run: cat\n    input: src\n  - run: cat\n    input: [erors, slow]\n',
        want: ['11 unknown-input: Stage 4: `input` names `erors`, but there is no such stage. Did you mean `errors`?'],
      },
      {
        name: 'an argv item that YAML reads as a number is named by its value',
        text: 'stages:\n  - command: [seq, 1, 10]\n',
        want: [
          '2 wrong-type: Stage 1: `1` in `command` must be a string, but YAML reads it as a number: quote it, `"1"`.',
          '2 wrong-type: Stage 1: `10` in `command` must be a string, but YAML reads it as a number: quote it, `"10"`.',
        ],
      },
      {
        name: 'an argv item that YAML reads as a boolean',
        text: 'stages:\n  - command: [true]\n',
        want: ['2 wrong-type: Stage 1: `true` in `command` must be a string, but YAML reads it as a boolean: quote it, `"true"`.'],
      },
      {
        name: 'a stage named twice in `input:` is named, not its indexes',
        text: 'stages:\n  - name: read\n    run: cat\n  - run: cat\n    input: [read, read]\n',
        want: ['5 invalid-value: Stage 2: `input` names `read` twice; remove this one.'],
      },
      {
        name: 'a stage that reads itself is told so, not to move itself above itself',
        text: 'stages:\n  - name: read\n    run: cat\n  - name: loop\n    run: cat\n    input: [read, loop]\n',
        want: ['6 input-order: Stage `loop` names itself in `input:`; a stage cannot read its own output. Remove `loop`, or name an earlier stage.'],
      },
    ];
    for (const c of cases) {
      it(`${c.name}`, async () => {
        const uri = `untitled:cause-${cases.indexOf(c)}.pipeline.yaml`;
        const { diagnostics } = await client.open(uri, c.text);
        expect(diagnostics.map((d) => `${d.range.start.line + 1} ${String(d.code)}: ${typeof d.message === 'string' ? d.message : d.message.value}`)).toEqual(
          c.want,
        );
        await client.close(uri);
      });
    }
  });

  it('gives exact ranges, in UTF-16 units, across CRLF line ends', async () => {
    const uri = 'untitled:ranges.pipeline.yaml';
    const text = 'name: ränges\r\nstages:\r\n  - command: [echo, "😀 ${NOPE}"]\r\n    wrokers: 2\r\n';
    const { diagnostics } = await client.open(uri, text);
    const byCode = new Map(diagnostics.map((d) => [d.code, d.range]));
    const line2 = '  - command: [echo, "😀 ${NOPE}"]';
    const at = line2.indexOf('${NOPE}');
    expect(byCode.get('undefined-variable')).toEqual({ start: { line: 2, character: at }, end: { line: 2, character: at + '${NOPE}'.length } });
    expect(byCode.get('unknown-key')).toEqual({ start: { line: 3, character: 4 }, end: { line: 3, character: 11 } });
    await client.close(uri);
  });

  it('publishes only the last version after 100 rapid edits, never a stale one', async () => {
    const uri = 'untitled:rapid.pipeline.yaml';
    const head = 'stages:\n  - command: [echo, "${V';
    const opened = await client.open(uri, `${head}}"]\n`);
    expect(opened.diagnostics.map((d) => d.code)).toEqual(['undefined-variable']);
    const from = client.received.length;
    // Typing 100 characters into the variable's name, one edit per keystroke, without waiting.
    let name = 'V';
    const sends: Promise<number>[] = [];
    for (let i = 0; i < 100; i++) {
      const ch = String.fromCharCode(65 + (i % 26));
      const character = head.split('\n')[1]!.length - 1 + name.length;
      sends.push(client.change(uri, [{ range: { start: { line: 1, character }, end: { line: 1, character } }, text: ch }]));
      name += ch;
    }
    const versions = await Promise.all(sends);
    const last = versions[versions.length - 1]!;
    expect(last).toBe(101);
    const published = await client.diagnostics(uri, () => true, from);
    // The first publication after the burst is the last version's, with the full name.
    expect(published.version).toBe(last);
    expect(published.diagnostics).toHaveLength(1);
    expect(published.diagnostics[0]!.message).toContain(`\${${name}}`);
    expect(published.diagnostics[0]!.range.end.character).toBe(head.split('\n')[1]!.length - 1 + name.length + 1);
    // One more edit; everything published since the burst is exactly [last, last + 1].
    const fixed = await client.replace(uri, 'stages:\n  - command: [echo, "${V:-x}"]\n');
    expect(fixed.diagnostics).toEqual([]);
    expect(
      client.received
        .slice(from)
        .filter((p) => p.uri === uri)
        .map((p) => p.version),
    ).toEqual([last, last + 1]);
    await client.close(uri);
  });

  it('publishes only the newest version when a burst of changes is waiting, even with no pause between checks', async () => {
    // No debounce: a check starts after every change it reads, and a burst is read one message per turn, so
    // without care each of them would publish a version that is already old.
    const eager = await inProcess({ host: fakeHost() }, { diagnosticsDelayMs: 0 });
    try {
      const uri = 'untitled:burst.pipeline.yaml';
      const stages = Array.from({ length: 200 }, (_, i) => `  - name: s${i}\n    run: grep -v "\${V}"\n`).join('');
      const text = `env: { V: x }\nstages:\n${stages}`;
      await eager.open(uri, text);
      const from = eager.received.length;
      // 1,000 keystrokes into the value of V, all sent at once.
      const edits = Array.from({ length: 1000 }, (_, i) => [
        { range: { start: { line: 0, character: 11 + i }, end: { line: 0, character: 11 + i } }, text: String(i % 10) },
      ]);
      const last = eager.burst(uri, edits);
      const published = await eager.diagnostics(uri, (p) => p.version === last, from);
      expect(published.diagnostics).toEqual([]);
      // One more edit after the burst: what was published since is exactly [last, last + 1].
      await eager.replace(uri, text);
      const versions = eager.received
        .slice(from)
        .filter((p) => p.uri === uri)
        .map((p) => p.version);
      expect(versions).toEqual([last, last + 1]);
    } finally {
      eager.dispose();
    }
  });

  it('checks open documents again when watched files change', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-watch-'));
    try {
      const file = path.join(dir, 'watch.pipeline.yaml');
      const uri = pathToFileURL(file).href;
      const opened = await client.open(uri, 'stages:\n  - use: read\n    with: { path: later.csv }\n');
      expect(opened.diagnostics.map((d) => d.code)).toEqual(['file-not-found']);
      fs.writeFileSync(path.join(dir, 'later.csv'), 'a,b\n1,2\n');
      const from = client.received.length;
      await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: pathToFileURL(path.join(dir, 'later.csv')).href, type: FileChangeType.Created }],
      });
      const again = await client.diagnostics(uri, () => true, from);
      expect(again.version).toBe(1);
      expect(again.diagnostics).toEqual([]);
      await client.close(uri);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks a read file again when it changes: a text log becomes NDJSON', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-watch-'));
    try {
      const uri = pathToFileURL(path.join(dir, 'log.pipeline.yaml')).href;
      fs.writeFileSync(path.join(dir, 'app.log'), 'Dec 7 00:02:32 host app[1]: started\n');
      const opened = await client.open(uri, 'stages:\n  - use: read\n    with: { path: app.log }\n');
      expect(opened.diagnostics.map((d) => [d.code, d.severity])).toEqual([['not-ndjson', 2]]);
      fs.writeFileSync(path.join(dir, 'app.log'), '{"msg":"started"}\n');
      const from = client.received.length;
      await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: pathToFileURL(path.join(dir, 'app.log')).href, type: FileChangeType.Changed }],
      });
      expect((await client.diagnostics(uri, () => true, from)).diagnostics).toEqual([]);
      await client.close(uri);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('clears the diagnostics of a closed document', async () => {
    const uri = 'untitled:closed.pipeline.yaml';
    const opened = await client.open(uri, 'stages: []\n');
    expect(opened.diagnostics.map((d) => d.code)).toEqual(['empty-pipeline']);
    const from = client.received.length;
    await client.close(uri);
    const cleared = await client.diagnostics(uri, () => true, from);
    expect(cleared.diagnostics).toEqual([]);
  });

  it('survives any input: binary noise, deep nesting, huge lines', async () => {
    const inputs = [
      '\u0000\u0001\uFFFF',
      '['.repeat(5000),
      `stages:\n  - run: ${'x'.repeat(200_000)}\n`,
      '- - - -\n  : : :\n',
      '&a [*a]',
      'stages:\n  - *nope\n',
    ];
    for (const [i, text] of inputs.entries()) {
      const uri = `untitled:noise-${i}.pipeline.yaml`;
      const published = await client.open(uri, text);
      expect(Array.isArray(published.diagnostics)).toBe(true);
      await client.close(uri);
    }
  });
});
