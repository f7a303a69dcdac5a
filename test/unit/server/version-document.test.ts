// A checked version's positions (server/version-document.ts): the live document's while it is that version, the
// version's own (its own index of lines, made once) after an edit moved the live document on.
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DslHost } from '../../../dsl';
import { Analyzer, rangeOf } from '../../../server/analysis';
import { VersionDocument } from '../../../server/version-document';

const text = 'name: p\nstages:\n  - run: cat\r\n  - use: no-such-builtin\n';

/** Every position of `document`, one per offset, and every offset back from them. */
function positions(document: TextDocument): string {
  const all = [];
  for (let offset = 0; offset <= document.getText().length; offset++) {
    const position = document.positionAt(offset);
    all.push(`${position.line}:${position.character}>${document.offsetAt(position)}`);
  }
  return `${all.join(' ')} lines ${document.lineCount} ${document.getLineRange(2).end.character}${JSON.stringify(document.getEOLCharacters(2))}`;
}

/** `count` lines put in front of the live document: a new version whose every position differs. */
function prepend(live: TextDocument, count: number): void {
  TextDocument.update(live, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# x\n'.repeat(count) }], live.version + 1);
}

describe("a checked version's positions", () => {
  it("are the live document's while it is that version, with no index of lines of their own; then their own, made once", () => {
    const live = TextDocument.create('file:///p/a.pipeline.yaml', 'pipewright', 1, text);
    const made: string[] = [];
    const create: typeof TextDocument.create = (...args) => {
      made.push(args[3]);
      return TextDocument.create(...args);
    };
    const version = new VersionDocument(live, 1, text, create);
    const expected = positions(TextDocument.create('file:///p/a.pipeline.yaml', 'pipewright', 1, text));
    expect(positions(version)).toBe(expected);
    expect(made).toEqual([]);
    prepend(live, 3);
    expect(positions(version)).toBe(expected);
    expect(version.getText()).toBe(text);
    expect(version.getText({ start: { line: 3, character: 0 }, end: { line: 4, character: 0 } })).toBe('  - use: no-such-builtin\n');
    expect(made).toEqual([text]);
  });

  it("of an analysis stay that version's after the document changed: its problems where they were in it", async () => {
    const host: DslHost = { env: {}, statKind: () => undefined, findProgram: () => ({ kind: 'found', path: '/usr/bin/x' }), readStart: () => undefined };
    const analyzer = new Analyzer(host);
    const live = TextDocument.create('file:///p/a.pipeline.yaml', 'pipewright', 1, text);
    const first = (await analyzer.check(live, () => live.version))!;
    const problem = first.result.problems.find((p) => p.code === 'unknown-builtin')!;
    expect(rangeOf(first.document, problem).start.line).toBe(3);
    prepend(live, 2);
    const second = (await analyzer.check(live, () => live.version))!;
    expect(rangeOf(first.document, problem).start.line).toBe(3);
    expect(
      rangeOf(
        second.document,
        second.result.problems.find((p) => p.code === 'unknown-builtin')!,
      ).start.line,
    ).toBe(5);
    expect(first.document.offsetAt({ line: 3, character: 4 })).toBe(text.indexOf('use:'));
  });
});
