import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { check, type CheckOptions, type CheckResult, type DslHost, type Parsed, type Pipeline, type Span } from '../dsl';
import { checkSteps } from '../dsl/check';
import type { Edit, Problem } from '../dsl/problems';
import { applyEdits, checkFromScratch, type EditedCheck } from '../dsl/verify';
import { heapGrowth } from './heap-growth';
import { VersionDocument } from './version-document';

/** One version of one document, checked: everything the features answer from. */
export interface Analysis {
  uri: string;
  version: number;
  text: string;
  /** Absolute path of a `file:` document; undefined for untitled and other schemes. */
  file?: string | undefined;
  /** The options it was checked with: an edit is re-checked with the same ones (dsl/verify.ts). */
  options: CheckOptions;
  result: CheckResult;
  /** This version's document (server/version-document.ts): the one way offsets become LSP positions and back. */
  document: TextDocument;
  /** Absolute paths the check looked at (files, folders): a change to one of them may change its problems. */
  looked: ReadonlySet<string>;
  /** The problems of this text with edits applied, to tell whether an edit is safe (`Analyzer.checkEdited`). */
  checkEdited: EditedCheck;
}

export function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function rangeOf(document: TextDocument, span: Span): Range {
  return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
}

export function spanOf(document: TextDocument, range: Range): Span {
  return { start: document.offsetAt(range.start), end: document.offsetAt(range.end) };
}

/** The text of one line, without its line break. */
export function lineText(document: TextDocument, line: number): string {
  return document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$|\r$/, '');
}

/** A host that remembers every path asked about, once per check. */
function recording(host: DslHost, looked: Set<string>): DslHost {
  return {
    env: host.env,
    statKind: (absPath) => {
      looked.add(absPath);
      return host.statKind(absPath);
    },
    // A program named by a path (`./tool.sh`) is a file of the workspace: watch it like any other.
    findProgram: (program, dir) => {
      if (program.includes('/')) looked.add(path.resolve(dir, program));
      return host.findProgram(program, dir);
    },
    readStart: (absPath, maxBytes) => {
      looked.add(absPath);
      return host.readStart(absPath, maxBytes);
    },
  };
}

/** Edits checked one at a time by `Analyzer.checkEdited`; more (a formatting) are checked as one. */
const maxEditSteps = 8;

/** One turn of the event loop: messages that arrived meanwhile are handled before this resolves. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Checks documents, keeping the last analysis of each so that the features of one version share
 * it. `get` always answers for the version given, at once; `check` gets there in steps, handling
 * other messages in between, and gives up as soon as a newer version arrives; `latestPipeline`
 * answers at once from the newest one checked, for features that must not wait for a check of a big
 * file (completion).
 */
export class Analyzer {
  private readonly cache = new Map<string, Analysis>();
  /** Per document, the check in steps under way, for one version: every request for that version shares it. */
  private readonly running = new Map<string, { version: number; analysis: Promise<Analysis | undefined> }>();
  /**
   * Per document, the newest parse with a syntax tree to start the next version's parse from (dsl/reparse.ts),
   * and the model built from it as soon as it is built, also by a check abandoned afterwards (the next check reuses its unchanged stages).
   */
  private readonly bases = new Map<string, { parsed: Parsed; pipeline?: Pipeline }>();
  /**
   * Per document, what is kept of the analysis let go of when a check had to parse the whole text again (`release`)
   * until that check is done: its model (completion answers from it) and the paths it looked at (still watched), not
   * the rest of that version (its tree, its document).
   */
  private readonly released = new Map<string, Pick<Analysis, 'uri' | 'looked'> & { pipeline: Pipeline }>();

  constructor(private readonly host: DslHost) {}

  /** What a check of the document as it is now starts from (the server's TextDocument changes in place with each edit). */
  private start(document: TextDocument): { version: number; text: string; file: string | undefined; looked: Set<string>; options: CheckOptions } {
    const version = document.version;
    const text = document.getText();
    const file = filePathOf(document.uri);
    const looked = new Set<string>();
    const options: CheckOptions = { host: recording(this.host, looked), file };
    return { version, text, file, looked, options };
  }

  private keep(document: TextDocument, run: ReturnType<Analyzer['start']>, result: CheckResult): Analysis {
    heapGrowth(false);
    const analysis: Analysis = {
      uri: document.uri,
      ...run,
      result,
      document: new VersionDocument(document, run.version, run.text),
      checkEdited: (edits) => this.checkEdited(analysis, edits),
    };
    this.cache.set(document.uri, analysis);
    this.bases.set(document.uri, { parsed: result.parsed, pipeline: result.pipeline });
    this.released.delete(document.uri);
    return analysis;
  }

  /**
   * The options of a check of `run`: the previous version's parse lets it re-parse only what the edit changed (it is
   * superseded here); when it cannot, the check lets go of it before parsing everything and so does this analyzer,
   * all but its model: a previous version held while the next one is parsed whole is what ran a 20 MB file out of heap.
   */
  private optionsOf(uri: string, run: ReturnType<Analyzer['start']>): CheckOptions {
    const release = () => {
      heapGrowth(true);
      const last = this.cache.get(uri);
      if (last) this.released.set(uri, { uri, looked: last.looked, pipeline: last.result.pipeline });
      this.cache.delete(uri);
      this.bases.delete(uri);
    };
    const previous = this.bases.get(uri);
    if (!previous) heapGrowth(true);
    return { ...run.options, previous, release };
  }

  get(document: TextDocument): Analysis {
    const cached = this.cache.get(document.uri);
    if (cached && cached.version === document.version) return cached;
    const run = this.start(document);
    return this.keep(document, run, check(run.text, this.optionsOf(document.uri, run)));
  }

  /**
   * The analysis of `document` as it is now, checked in steps with a turn of the event loop between
   * them; undefined when `current()` (the version the server has) moved on meanwhile: that check is
   * abandoned, and only its parse is kept as the start of the next one.
   */
  check(document: TextDocument, current: () => number | undefined): Promise<Analysis | undefined> {
    const cached = this.cache.get(document.uri);
    if (cached && cached.version === document.version) return Promise.resolve(cached);
    const running = this.running.get(document.uri);
    if (running?.version === document.version) return running.analysis;
    const analysis = this.steps(document, current).finally(() => {
      if (this.running.get(document.uri)?.analysis === analysis) this.running.delete(document.uri);
    });
    this.running.set(document.uri, { version: document.version, analysis });
    return analysis;
  }

  private async steps(document: TextDocument, current: () => number | undefined): Promise<Analysis | undefined> {
    const run = this.start(document);
    const steps = checkSteps(run.text, this.optionsOf(document.uri, run));
    for (;;) {
      const step = steps.next();
      if (step.done) return current() === run.version ? this.keep(document, run, step.value) : undefined;
      if (step.value) this.bases.set(document.uri, step.value);
      await nextTurn();
      if (current() !== run.version) return undefined;
      // `get` answered for this version while we waited (a hover, a code action): nothing left to do.
      const now = this.cache.get(document.uri);
      if (now?.version === run.version) return now;
    }
  }

  /**
   * The problems of `analysis`'s text with `edits` applied. A check from scratch of a 20 MB file is ~35 s of a blocked
   * server, with a second version's heap beside this one. So when `analysis` is the newest of its document, with its parse kept and no
   * other check under way, the edited text is checked from it as the editor's next version would be, one edit at a time
   * (most are inside one stage or entry: only that is parsed and checked again), and then this version is checked again
   * from that one, the edits undone the same way, and takes the place of `analysis`'s result (that check took it over).
   */
  private checkEdited(analysis: Analysis, edits: readonly Edit[]): readonly Problem[] | undefined {
    const { uri, text: original } = analysis;
    const base = this.bases.get(uri);
    if (this.cache.get(uri) !== analysis || base?.parsed !== analysis.result.parsed || !base.parsed.cst || this.running.has(uri))
      return checkFromScratch(analysis.result, analysis.options)(edits);
    const whole = applyEdits(original, edits);
    if (whole === undefined) return undefined;
    // Last first, so that each edit's offsets still hold (the order applyEdits takes them in, reversed: a stable sort, so
    // inserts at one place stay in order). Many (a formatting) are one edit, from the first to the end of the last (they
    // do not overlap: the last ends last).
    const ordered = [...edits].sort((a, b) => a.start - b.start || a.end - b.end).reverse();
    const start = ordered.at(-1)!.start;
    const end = ordered[0]!.end;
    const steps = ordered.length <= maxEditSteps ? ordered : [{ start, end, newText: whole.slice(start, whole.length - (original.length - end)) }];
    const undo = steps.map((e) => ({ start: e.start, end: e.start + e.newText.length, newText: original.slice(e.start, e.end) })).reverse();
    let text = original;
    let result = analysis.result;
    // A step that has to parse the whole text lets go of the version before it (`CheckOptions.release`), as a check of the next version does.
    const release = () => {
      this.cache.delete(uri);
      this.bases.delete(uri);
    };
    const apply = (e: Edit) => {
      text = text.slice(0, e.start) + e.newText + text.slice(e.end);
      result = check(text, { ...analysis.options, previous: { parsed: result.parsed, pipeline: result.pipeline }, release });
    };
    steps.forEach(apply);
    const edited = result.problems;
    undo.forEach(apply);
    analysis.result = result;
    this.cache.set(uri, analysis);
    this.bases.set(uri, { parsed: result.parsed, pipeline: result.pipeline });
    return edited;
  }

  /** The model of the newest version checked (or let go of while the next one is parsed whole), at once. */
  latestPipeline(document: TextDocument): Pipeline {
    return this.cache.get(document.uri)?.result.pipeline ?? this.released.get(document.uri)?.pipeline ?? this.get(document).result.pipeline;
  }

  /** Checks the document again next time (what it looked at changed); its parse still holds. */
  forget(uri: string): void {
    this.cache.delete(uri);
  }

  close(uri: string): void {
    this.cache.delete(uri);
    this.bases.delete(uri);
    this.released.delete(uri);
  }

  /** Open documents whose last check looked at one of `paths`. */
  affectedBy(paths: ReadonlySet<string>): string[] {
    return this.all()
      .filter((a) => [...a.looked].some((p) => paths.has(p)))
      .map((a) => a.uri);
  }

  /** Every path the open documents' checks looked at. */
  lookedAt(): Set<string> {
    const all = new Set<string>();
    for (const a of this.all()) for (const p of a.looked) all.add(p);
    return all;
  }

  /** Every open document's paths looked at: of its last analysis, or of the one let go of while the next is parsed whole. */
  private all(): Pick<Analysis, 'uri' | 'looked'>[] {
    return [...this.cache.values(), ...[...this.released.values()].filter((r) => !this.cache.has(r.uri))];
  }
}
