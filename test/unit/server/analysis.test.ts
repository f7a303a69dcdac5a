// The server's checks (server/analysis.ts, Analyzer): a check runs in steps, a turn of the event loop between
// them, and is abandoned as soon as a newer version of the document arrives; the newer version is checked instead.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { check, type CheckResult, type DslHost, type Edit } from '../../../dsl';
import { applyEdits } from '../../../dsl/verify';
import { Analyzer } from '../../../server/analysis';
import { editableStages } from '../dsl/edit-stages';

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

// Whether an edit is safe (quick fixes, rename, formatting: dsl/verify.ts) is told by the problems of the edited text.
// The analyzer checks it from the analysis itself, as the next version would be, then checks the analysis's text again
// from that by undoing the edits: both must be what checks from scratch give.
describe('the problems of an edited text', () => {
  const host: DslHost = {
    env: { PATH: '/usr/bin' },
    statKind: (abs) => (abs === '/p/in.csv' ? 'file' : undefined),
    findProgram: (program) => (['cat', 'grep', 'sort'].includes(program) ? { kind: 'found', path: `/usr/bin/${program}` } : { kind: 'not-found' }),
    readStart: () => undefined,
  };
  const options = { file: '/p/e.pipeline.yaml', host };
  const start = `name: e\nenv:\n  A: "1"\nstages:\n${editableStages.join('')}  - name: last\n    input: g\n    run: cat\n`;
  const same = (a: CheckResult, text: string) => {
    const full = check(text, options);
    expect(JSON.stringify(a.problems)).toBe(JSON.stringify(full.problems));
    expect(JSON.stringify(a.pipeline)).toBe(JSON.stringify(full.pipeline));
    expect(a.parsed.data).toEqual(full.parsed.data);
  };
  const placed = (text: string, at: number, remove: number, insert: string): Edit => ({ start: at, end: Math.min(text.length, at + remove), newText: insert });

  it('are those of a check from scratch, checked from the analysis; the analysis is then as before, and the next version is checked from it', () => {
    let incremental = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat({ max: start.length }),
            remove: fc.nat({ max: 6 }),
            insert: fc.constantFrom('', 'x', ' ', '\n', ': ', 'name: g\n', '- ', 'run: cat'),
          }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        (raw) => {
          const analyzer = new Analyzer(host);
          const document = TextDocument.create('file:///p/e.pipeline.yaml', 'yaml', 1, start);
          const analysis = analyzer.get(document);
          // Edits that do not overlap, as LSP requires.
          const edits: Edit[] = [];
          for (const r of raw) {
            const e = placed(start, r.at, r.remove, r.insert);
            if (edits.every((d) => e.end <= d.start || e.start >= d.end)) edits.push(e);
          }
          const edited = applyEdits(start, edits)!;
          expect(JSON.stringify(analysis.checkEdited(edits))).toBe(JSON.stringify(check(edited, options).problems));
          if (analysis.result.parsed.edited || analysis.result.parsed.moved !== undefined) incremental++;
          expect(analyzer.get(document)).toBe(analysis);
          same(analysis.result, start);
          TextDocument.update(document, [{ text: edited }], 2);
          same(analyzer.get(document).result, edited);
        },
      ),
      { numRuns: 200 },
    );
    // Most of them were checked without parsing the whole text, or this proves nothing about that path.
    expect(incremental).toBeGreaterThan(40);
  });

  it('of a big file, come without parsing it again: a stage renamed where it is named and read', () => {
    const big = `stages:\n${editableStages.join('').repeat(300)}  - name: last\n    input: g\n    run: cat\n`;
    const analyzer = new Analyzer(host);
    const analysis = analyzer.get(TextDocument.create('file:///p/e.pipeline.yaml', 'yaml', 1, big));
    const name = big.lastIndexOf('name: g\n') + 'name: '.length;
    const input = big.lastIndexOf('input: g') + 'input: '.length;
    const edits = [placed(big, name, 1, 'h'), placed(big, input, 1, 'h')];
    const doc = analysis.result.parsed.doc;
    expect(JSON.stringify(analysis.checkEdited(edits))).toBe(JSON.stringify(check(applyEdits(big, edits)!, options).problems));
    // The same document, taken over by the edits' checks and back, one stage at a time: the text was never parsed whole again.
    expect(analysis.result.parsed.edited).toBeDefined();
    expect(analysis.result.parsed.doc).toBe(doc);
    same(analysis.result, big);
    // Many edits (a formatting) are checked as one, from the first to the last: inside one stage, that stage alone.
    const list = big.lastIndexOf('[sort, "-k1"]');
    const spaces = Array.from({ length: 12 }, (_, k) => placed(big, list + 1 + (k % 2) * 5, 0, ' '));
    expect(JSON.stringify(analysis.checkEdited(spaces))).toBe(JSON.stringify(check(applyEdits(big, spaces)!, options).problems));
    expect(analysis.result.parsed.edited).toBeDefined();
    expect(analysis.result.parsed.doc).toBe(doc);
    same(analysis.result, big);
  });
});
