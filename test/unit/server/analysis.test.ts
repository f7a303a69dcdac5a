// The server's checks (server/analysis.ts, Analyzer): a check runs in steps, a turn of the event loop between
// them, and is abandoned as soon as a newer version of the document arrives; the newer version is checked instead.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DslHost } from '../../../dsl';
import { Analyzer } from '../../../server/analysis';

/** Stages enough for several slices of parsing (64 KB each), a turn of the event loop after each. */
function longText(program: string): string {
  let stages = '';
  for (let i = 0; stages.length < 400_000; i++) stages += `  - name: g${i}\n    run: grep -v "x-${i}"\n`;
  return `name: long\nstages:\n  - run: ${program}\n${stages}`;
}

/** An analyzer over a host where every program is found, and a long document of version 1 running `program` first. */
function opened(program: string): { analyzer: Analyzer; document: TextDocument } {
  const host: DslHost = {
    env: { PATH: '/usr/bin' },
    statKind: () => undefined,
    findProgram: () => ({ kind: 'found', path: '/usr/bin/x' }),
    readStart: () => undefined,
  };
  return { analyzer: new Analyzer(host), document: TextDocument.create('file:///p/long.pipeline.yaml', 'yaml', 1, longText(program)) };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a check in progress', () => {
  it('is abandoned when a newer version arrives, before it looks anything up, and the newer one is checked', async () => {
    // The semantic rules look up each stage's program: the last thing a check does, after parsing and building.
    const asked = new Set<string>();
    const host: DslHost = {
      env: { PATH: '/usr/bin' },
      statKind: () => undefined,
      findProgram: (program) => {
        asked.add(program);
        return { kind: 'found', path: `/usr/bin/${program}` };
      },
      readStart: () => undefined,
    };
    const analyzer = new Analyzer(host);
    const document = TextDocument.create('file:///p/long.pipeline.yaml', 'yaml', 1, longText('old-version-tool'));
    const first = analyzer.check(document, () => document.version);
    // A few turns: the check is parsing (one slice a turn), far from its end.
    for (let k = 0; k < 3; k++) await turn();
    expect(asked.size).toBe(0);
    const text = document.getText();
    const at = text.indexOf('old-version-tool');
    TextDocument.update(document, [{ range: { start: document.positionAt(at), end: document.positionAt(at + 'old'.length) }, text: 'new' }], 2);
    expect(await first).toBeUndefined();
    expect(asked.has('old-version-tool')).toBe(false);
    expect(asked.has('grep')).toBe(false);
    const second = await analyzer.check(document, () => document.version);
    expect(second?.version).toBe(2);
    expect(asked.has('new-version-tool')).toBe(true);
    expect(asked.has('old-version-tool')).toBe(false);
  });

  it('abandoned after an edit inside one stage, leaves the next check the model it built: the other stages are not built again', async () => {
    const { analyzer, document } = opened('cat');
    const first = await analyzer.check(document, () => document.version);
    const kept = first!.result.pipeline.stages[1000]!;
    const type = (version: number, before: string, after: string) => {
      const at = document.getText().indexOf(before);
      TextDocument.update(document, [{ range: { start: document.positionAt(at), end: document.positionAt(at + before.length) }, text: after }], version);
    };
    type(2, 'x-5"', 'x-55"');
    // Version 2's check: parsed from version 1 and its model built, then abandoned for version 3.
    const second = analyzer.check(document, () => document.version);
    await turn();
    type(3, 'x-7"', 'x-77"');
    expect(await second).toBeUndefined();
    const third = await analyzer.check(document, () => document.version);
    expect(third?.version).toBe(3);
    // The same stage object, moved: built once, for version 1.
    expect(third!.result.pipeline.stages[1000]).toBe(kept);
  });

  it('that parses the whole text again lets go of the previous version first; completion keeps its model and the watchers its paths meanwhile', async () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const { analyzer, document } = opened('./tool.sh');
    // Version 1, checked; only a weak reference to its document is kept here.
    const { doc, stages } = await analyzer
      .check(document, () => document.version)
      .then((a) => ({ doc: new WeakRef(a!.result.parsed.doc), stages: a!.result.pipeline.stages.length }));
    // The first line and the last stage edited at once: no part of the text can be parsed again alone.
    const end = document.positionAt(document.getText().length - 1);
    TextDocument.update(
      document,
      [
        { range: { start: end, end }, text: 'y' },
        { range: { start: { line: 0, character: 6 }, end: { line: 0, character: 10 } }, text: 'longer' },
      ],
      2,
    );
    const second = analyzer.check(document, () => document.version);
    // A few turns: the whole text is being parsed, a slice a turn.
    for (let k = 0; k < 3; k++) await turn();
    collect();
    expect(doc.deref()).toBeUndefined();
    expect(analyzer.latestPipeline(document).stages).toHaveLength(stages);
    // What version 1 looked at is still watched.
    expect(analyzer.lookedAt()).toEqual(new Set(['/p/tool.sh']));
    const checked = await second;
    expect(checked?.version).toBe(2);
    expect(checked!.result.pipeline.name).toBe('longer');
  });
});
