import { Composer, Document, LineCounter, Parser, type CST, type YAMLError } from 'yaml';
import { problem, type Problem } from './problems';
import { quickRead } from './quick-read';
import { composeOptions } from './compose-options';
import { recomposePart } from './recompose';
import { reparseTree } from './reparse';
import { finish, type Steps } from './steps';
import { attachTokens, hasPruned, pruneList, pruneTree } from './tree-skeleton';
import { syntaxHints, unresolvedAlias } from './yaml-hints';

export interface Parsed {
  text: string;
  /** The first YAML document (an empty one for an empty file). */
  doc: Document;
  /** Plain data of the document (aliases and merge keys resolved); undefined when it could not be built. */
  data: unknown;
  /** Where lines start, computed on first use. */
  lineCounter: LineCounter;
  problems: Problem[];
  /**
   * The concrete syntax tree, kept when the text parsed without any error or warning, or when an edit re-parsed one
   * stage and the errors are that stage's (a stage typed half-way): the next version of the text is parsed from it
   * (dsl/reparse.ts), which takes it over and removes it here.
   * Pruned: the stages' insides are not kept (dsl/tree-skeleton.ts).
   */
  cst?: readonly CST.Token[];
  /**
   * Set when this parse was made from the previous version's by composing items again (dsl/recompose.ts): the
   * `removed` old items from `index` on of the list under top-level `key` (mostly one) became `count` items, and what
   * follows moved by `delta`. The previous version's model can be reused the same way (dsl/build.ts).
   */
  edited?: { key: string; index: number; removed: number; count: number; delta: number };
  /**
   * Set when this parse was made from the previous version's without touching its stages (dsl/recompose.ts: only the
   * comment lines before the document changed, or one top-level entry other than `stages`): the stages' data are the
   * previous version's objects, each stage moved by this much, so the previous model's stages hold, moved (dsl/build.ts).
   */
  moved?: number;
}

/** An edit of a list that made one item of one (`Parsed.edited`): an edit inside a stage, which moved no stage. */
export const oneForOne = (edited: { removed: number; count: number }) => edited.removed === 1 && edited.count === 1;

/** Aliases allowed before a document is treated as an alias bomb ("billion laughs"). */
const maxAliasCount = 1000;

function yamlProblem(e: YAMLError, text: string): Problem {
  const start = Math.min(e.pos[0], text.length);
  const end = Math.min(Math.max(e.pos[1], start), text.length);
  const message = e.message.split('\n')[0] ?? e.message;
  if (e.code === 'DUPLICATE_KEY') {
    // The parser points at the key's first character; cover the whole key.
    const keyEnd = /^[^:\n]*/.exec(text.slice(start))![0].trimEnd().length;
    return problem('duplicate-key', { start, end: start + Math.max(keyEnd, end - start) }, `${message}. Remove or rename one of them.`);
  }
  if (e.code === 'RESOURCE_EXHAUSTION') {
    // The parser ran out of stack ("Maximum call stack size exceeded"); say what that means here.
    return problem('yaml-syntax', { start, end }, 'The document is nested too deeply to read (thousands of levels of `[`, `{` or indentation); flatten it.');
  }
  const p = problem('yaml-syntax', { start, end }, `${message}.`.replace(/\.\.$/, '.'));
  if (e.name === 'YAMLWarning') p.severity = 'warning';
  return p;
}

/** The problems of the documents' errors and warnings, added to `problems`. */
function addYamlProblems(problems: Problem[], docs: readonly Document[], text: string): void {
  let tooDeep = false;
  const hint = syntaxHints(text);
  for (const d of docs) {
    for (const e of [...d.errors, ...d.warnings]) {
      // One stack overflow is reported once, not at every level it unwinds through.
      if (e.code === 'RESOURCE_EXHAUSTION' && tooDeep) continue;
      tooDeep ||= e.code === 'RESOURCE_EXHAUSTION';
      const p = (e.name === 'YAMLParseError' ? hint(e.code, e.pos) : undefined) ?? yamlProblem(e, text);
      // Several parser errors can come from one unclosed bracket: one problem each place.
      if (!problems.some((q) => q.start === p.start && q.end === p.end && q.message === p.message)) problems.push(p);
    }
  }
}

/** Line starts of a text, as the parser's LineCounter would have recorded them (it sees every `\n`). */
function lineCounterOf(text: string): LineCounter {
  const counter = new LineCounter();
  counter.addNewLine(0);
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) counter.addNewLine(nl + 1);
  return counter;
}

/** Text the parser reads between two pauses of `parseSteps` (about 20 ms of parsing here). */
const sliceLength = 64 * 1024;

/**
 * The concrete syntax tree of a whole text, read a slice of lines at a time with a pause after each:
 * the yaml parser keeps its state between slices (its streaming mode), so the tokens are the same as
 * from one call for a text that reads cleanly; the caller parses again in one go when it does not.
 */
function* cstSteps(text: string): Steps<CST.Token[]> {
  const parser = new Parser();
  const tokens: CST.Token[] = [];
  let at = 0;
  do {
    const nl = text.indexOf('\n', Math.min(text.length, at + sliceLength));
    const end = nl < 0 ? text.length : nl + 1;
    for (const token of parser.parse(text.slice(at, end), end < text.length)) tokens.push(token);
    at = end;
    if (at < text.length) yield undefined;
  } while (at < text.length);
  return tokens;
}

/**
 * Parses pipeline text. Never throws: whatever is wrong becomes a problem. With the result of parsing
 * an earlier version of the text (an editor's previous version), only the part an edit changed is
 * parsed again when that gives exactly the same result as parsing everything; that earlier result's
 * tree is then taken over (`previous.cst` is removed, and its document's source tokens are stale), and
 * when the part is one stage, so is its document (that stage replaced, the rest moved: `previous.doc`
 * then describes the new text; its data is left as it was).
 */
export function parse(text: string, previous?: Parsed): Parsed {
  return finish(parseSteps(text, previous));
}

/**
 * `parse`, pausing while the parser reads a long text (see dsl/steps.ts). When `previous` turns out to be of no more
 * use (the whole document is composed again), this lets go of it and calls `release`, before composing, so that the
 * caller can let go of it too: two versions of a 20 MB file do not fit in the heap together.
 */
export function* parseSteps(text: string, previous?: Parsed, release?: () => void): Steps<Parsed> {
  let lineCounter: LineCounter | undefined;
  const parsed: Parsed = {
    text,
    doc: new Document(null),
    data: undefined,
    get lineCounter() {
      return (lineCounter ??= lineCounterOf(text));
    },
    problems: [],
  };
  let docs: Document[];
  let cst: CST.Token[] | undefined;
  let paused = false;
  const compose = (tokens: CST.Token[]) => [...new Composer(composeOptions).compose(tokens)] as Document[];
  // The previous version's text again (an edit undone before a check used it): its parse, taken over, nothing moved.
  if (previous?.cst && previous.text === text) {
    Object.assign(parsed, { doc: previous.doc, data: previous.data, cst: previous.cst, moved: 0 });
    addYamlProblems(parsed.problems, [parsed.doc], text);
    delete previous.cst;
    return parsed;
  }
  try {
    const reparsed = previous?.cst && reparseTree(previous.cst, previous.text, text);
    cst = reparsed?.tokens;
    // The previous tree was taken over (its offsets moved): it can be the start of nothing else.
    if (cst && previous) delete previous.cst;
    // One stage, one top-level entry or the comments before the document re-parsed in a clean file: compose only
    // that, into the previous document (taken over too).
    const part = reparsed && previous && recomposePart(previous, reparsed, text);
    if (part) {
      Object.assign(parsed, part);
      // A stage typed half-way: its errors are the document's (dsl/recompose.ts).
      addYamlProblems(parsed.problems, [part.doc], text);
      // Only what was parsed again is whole; the rest of the tree was pruned when it was parsed (a part is composed
      // alone only in a text without aliases: the tree is prunable).
      const { item, entry } = reparsed;
      if (item) pruneList(reparsed.tokens, item.top, item.index, item.index + item.count);
      if (entry) for (let top = entry.top; top < entry.top + entry.count; top++) pruneList(reparsed.tokens, top);
      attachTokens(part.doc, reparsed.tokens);
      parsed.cst = reparsed.tokens;
      return parsed;
    }
    // A pruned tree cannot be composed whole: the whole text is parsed again. Asked of the tree, not of the text: a tree
    // pruned when the text had no anchors stays pruned after a `*` typed into a comment at the top.
    if (cst && hasPruned(cst)) cst = undefined;
    if (previous) {
      previous = undefined;
      release?.();
    }
    // Pauses only on the way to a whole new tree: one taken over from `previous` must reach the caller (checkSteps
    // hands it out), or the next version would have to be parsed from scratch.
    paused = !cst;
    // A whole new read: the quick reader's when the text is in its subset, else the library's.
    const quick = cst ? undefined : yield* quickRead(text);
    if (quick) {
      Object.assign(parsed, { doc: quick.doc, data: quick.data, cst: pruneTree(quick.cst, text) });
      attachTokens(quick.doc, quick.cst);
      return parsed;
    }
    if (!cst) {
      try {
        cst = yield* cstSteps(text);
      } catch {
        cst = undefined; // read again in one go below, where a failure is reported
      }
    }
    docs = cst ? compose(cst) : [];
    // Errors always come from a full parse in one go: a tree built from parts (or slices) is only trusted when it
    // reads cleanly.
    if (!cst || docs.length !== 1 || docs[0]!.errors.length > 0 || docs[0]!.warnings.length > 0) {
      cst = [...new Parser().parse(text)];
      docs = compose(cst);
    }
  } catch (e) {
    parsed.problems.push(problem('yaml-syntax', { start: 0, end: 0 }, `The YAML parser gave up: ${(e as Error).message}.`));
    return parsed;
  }
  if (paused) yield undefined;
  if (!Array.isArray(docs) || docs.length === 0) return parsed;
  const doc = docs[0]!;
  parsed.doc = doc;
  attachTokens(doc, pruneTree(cst, text));
  addYamlProblems(parsed.problems, docs, text);
  for (const extra of docs.slice(1)) {
    const [start, end] = extra.range ?? [0, 0];
    parsed.problems.push(
      problem(
        'multiple-documents',
        { start, end: Math.max(start, end) },
        'A pipeline file holds one YAML document; move this one to a file of its own or remove the `---` above it.',
      ),
    );
  }
  if (paused) yield undefined;
  try {
    parsed.data = doc.toJS({ maxAliasCount });
  } catch (e) {
    // An alias without its anchor is the cause whatever the library says (`<<: *b` gives "Merge sources must be maps").
    const alias = unresolvedAlias(doc);
    const message = e instanceof RangeError ? 'The document is nested too deeply to read.' : `${(e as Error).message}.`;
    parsed.problems.push(alias ?? problem('yaml-syntax', { start: 0, end: Math.min(text.length, 1) }, message));
  }
  if (docs.length === 1 && doc.errors.length === 0 && doc.warnings.length === 0 && parsed.problems.length === 0) parsed.cst = cst;
  return parsed;
}
