import { Composer, Parser, isMap, isScalar, isSeq, type CST, type Scalar, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { stageKeyNames, type StageKey } from './model';
import { lazyMap, mapNode, pairNode, readsStagesFrom, scalarNode, seqNode, type StageSource } from './quick-nodes';
import { libraryItems, type WindowItems } from './quick-read-window';
import { composeOptions } from './compose-options';
import { mayHaveAliases } from './recompose';
import { lineEnd, lineStart } from './reparse';
import type { Steps } from './steps';
import { DashItem } from './tree-skeleton';
import type { KeySpans } from './yaml-nodes';

/**
 * A fast first read of a whole pipeline for the block-YAML subset pipelines are written in. The `yaml` library's
 * parser costs ~0.75 µs a byte here and its composer ~0.3 µs: 23 s for a generated 20 MB file before anything is
 * checked. This reads the stages' items itself, building the library's own nodes (`YAMLMap`, `Pair`, `Scalar`, …)
 * with the ranges, types and fields its composer gives them, their data, and their first syntax tokens (all the kept
 * tree holds of a stage, dsl/tree-skeleton.ts), with the blank and comment lines between and inside stages; the few
 * top-level entries around them are read by the library. The items it does not read itself (a stage being typed: `-`,
 * `- run:`, a scalar; comments where they stay in a map; block scalars, …) the library reads in a small window of the
 * text (dsl/quick-read-window.ts), so one odd stage does not make the library read 20 MB. It declines (undefined)
 * anything else, and then the library reads the whole text: the library stays the reference
 * (test/unit/dsl/quick-read.test.ts compares the two) and the only source of syntax errors.
 */

export interface QuickRead {
  doc: Document;
  data: unknown;
  cst: CST.Token[];
}

/** Text read between two pauses of the caller (about as much work as `cstSteps` does per pause). */
const sliceLength = 64 * 1024;

/** Gives up on the current input: the library reads it. */
class Decline extends Error {}
const decline = (): never => {
  throw new Decline();
};

/**
 * A scalar's node as the library's composer makes it for an untagged one: resolved by the document's own schema (the
 * tag's `resolve` gives the node itself for some, e.g. a float keeping its digits), with `source` and the tag's `format`.
 */
type Resolver = (source: string, plain: boolean) => Scalar;

function resolverOf(doc: Document): Resolver {
  const { schema, options } = doc;
  const tests = schema.tags.filter((tag) => tag.default === true && tag.test);
  const str = schema.tags.find((tag) => tag.tag === 'tag:yaml.org,2002:str') ?? decline();
  if (tests.some((tag) => tag.test!.flags !== '')) decline();
  // The tests in one expression, tried first: most values are strings, which none of them matches.
  const any = new RegExp(tests.map((tag) => `(?:${tag.test!.source})`).join('|'));
  return (source, plain) => {
    const tag = (plain && any.test(source) && tests.find((t) => t.test!.test(source))) || str;
    const resolve = tag.resolve as (value: string, onError: () => never, options: unknown) => unknown;
    const value = resolve(source, decline, options);
    // An object is the node itself (a tag that keeps the source: a float's digits). Not `isScalar`: in the bundle an
    // import from the CommonJS `yaml` is a getter call, and this runs for every scalar of a big file.
    const node = typeof value === 'object' && value !== null ? (value as Scalar) : scalarNode(value);
    node.source = source;
    if (tag.format !== undefined) node.format = tag.format;
    return node;
  };
}

/** Where the list of stages is: the `stages:` line, its items' indent and the text they span. */
interface Region {
  /** Offset of the first item's `-`. */
  start: number;
  /** Offset after the last item's last line (blank and comment lines after it are not in the list's span). */
  end: number;
  indent: number;
}

/** The column of the first character other than a space on the line at `at`. */
function indentAt(text: string, at: number): number {
  let col = 0;
  while (text.charCodeAt(at + col) === 32) col++;
  return col;
}

/**
 * The block list under a top-level `stages:` whose first item follows it (after blank and comment lines, which the
 * library reads with the entries around the list); undefined when there is none such.
 */
function stagesRegion(text: string): Region | undefined {
  const key = /^stages:[ ]*\n(?:[ ]*(?:#.*)?\n)*/m.exec(text);
  if (!key || text.indexOf('\nstages:', key.index + 1) >= 0) return undefined;
  const first = key.index + key[0].length;
  const dash = /( *)-[ \n]/y;
  dash.lastIndex = first;
  const m = dash.exec(text);
  if (!m) return undefined;
  const indent = m[1]!.length;
  // The list goes on while lines are items (`-` at its indent) or more deeply indented; blank and comment lines are in it
  // when more of it follows.
  let end = first;
  for (let at = first; at < text.length;) {
    const col = indentAt(text, at);
    const c = text[at + col];
    const next = lineEnd(text, at);
    if (c !== '\n' && c !== '#' && c !== undefined) {
      if (col <= indent && !(col === indent && c === '-')) break;
      end = next;
    }
    at = next;
  }
  // After the list: empty lines and comments no deeper than its `-` (the library places those the same after the stand-in
  // item as after the real ones), then a top-level entry or the end.
  for (let line = end; line < text.length; line = lineEnd(text, line)) {
    const col = indentAt(text, line);
    const c = text[line + col];
    if (c !== '#' && (c !== '\n' || col > 0)) {
      if (col > 0) return undefined;
      break;
    }
    if (col > indent) return undefined;
  }
  return { start: first + indent, end, indent };
}

/** Adds `delta` to every offset at or after `from` in syntax tokens, in place. */
function shiftTokens(value: unknown, from: number, delta: number): void {
  if (Array.isArray(value)) for (const v of value) shiftTokens(v, from, delta);
  else if (typeof value === 'object' && value !== null) {
    const token = value as Record<string, unknown>;
    if (typeof token.offset === 'number' && token.offset >= from) token.offset += delta;
    for (const key in token) if (key !== 'offset' && typeof token[key] === 'object') shiftTokens(token[key], from, delta);
  }
}

/** Adds `delta` to every range position at or after `from` in a document's nodes, in place. */
function shiftRanges(node: unknown, from: number, delta: number): void {
  if (typeof node !== 'object' || node === null) return;
  const { range, items, key, value, contents } = node as { range?: number[]; items?: unknown[]; key?: unknown; value?: unknown; contents?: unknown };
  if (range) for (let i = 0; i < 3; i++) if (range[i]! >= from) range[i]! += delta;
  if (items) for (const item of items) shiftRanges(item, from, delta);
  shiftRanges(key, from, delta);
  shiftRanges(value, from, delta);
  shiftRanges(contents, from, delta);
}

/** Characters a plain scalar may not start with (YAML's indicators), and those that end one in a flow collection. */
const indicators = new Set('-?:,[]{}#&*!|>\'"%@`'.split(''));
const flowEnds = new Set(',[]{}'.split(''));
/** What the scan of a plain scalar stops at, by character code: 1 looked at (`\n`, `#`, `:`), 2 ends the scalar. */
const blockStops = new Uint8Array(128);
for (const c of ['\n', '#', ':']) blockStops[c.charCodeAt(0)] = 1;
const flowStops = blockStops.slice();
for (const c of flowEnds) flowStops[c.charCodeAt(0)] = 2;
const space = 32;
const newline = 10;
/**
 * A copy of a list built with `push` without the room it left to grow (17 slots after the first push): a big file keeps
 * a few of these per stage, ~150 bytes each of heap that is never used (the nodes' lists: `trimItems`, dsl/build.ts).
 */
const exact = <T>(items: T[]): T[] => items.slice();

type SeqItem = CST.BlockSequence['items'][number];

/** Blank and comment lines before a node: where they end, and what they give the node (see `ItemReader.gap`). */
interface Gap {
  end: number;
  comment: string;
  spaceBefore: boolean;
}

/** Reads the items of the stages list: nodes, data and each item's first tokens, from one line at a time. */
class ItemReader {
  /**
   * `source`: where the items' unread entries are read again from. `withData`: false for a stage read again, whose data
   * the first read gave (and which read without a duplicate key then).
   */
  constructor(
    private readonly text: string,
    private readonly resolve: Resolver,
    private readonly source: StageSource,
    private readonly withData = true,
  ) {}

  private readonly keys = new Map<string, string>();
  private pad: string | undefined;

  /**
   * After a value ending at `at`: spaces, maybe a comment, up to the end of the line; returns the offset after the line
   * and the comment as the composer keeps it (the text after `#`, a space for an empty one).
   */
  private restOfLine(at: number): { end: number; comment: string | undefined } {
    const { text } = this;
    const valueEnd = at;
    while (text.charCodeAt(at) === space) at++;
    let comment: string | undefined;
    if (text.charCodeAt(at) === 35 /* # */ && at > valueEnd) {
      const nl = text.indexOf('\n', at);
      comment = text.slice(at + 1, nl < 0 ? text.length : nl) || ' ';
      at = nl < 0 ? text.length : nl;
    }
    if (at < text.length && text.charCodeAt(at) !== newline) decline();
    return { end: Math.min(text.length, at + 1), comment };
  }

  private scalar(source: string, plain: boolean, range: [number, number, number]): Scalar {
    const node = this.resolve(source, plain);
    node.range = range;
    node.type = plain ? 'PLAIN' : this.text[range[0]] === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
    return node;
  }

  /** A plain scalar from `start` up to where it ends; `flow` inside a flow collection. Returns the node and its end. */
  private plain(start: number, flow: boolean): { node: Scalar; valueEnd: number } {
    const { text } = this;
    const first = text[start];
    if (first === undefined || indicators.has(first) || first === ' ' || first === '\n') {
      // `-k2` and the like: a `-` followed by a character that can go on a plain scalar.
      const next = text[start + 1];
      if (first !== '-' || next === undefined || next === ' ' || next === '\n' || (flow && flowEnds.has(next))) decline();
    }
    let end = start;
    const stops = flow ? flowStops : blockStops;
    for (const length = text.length; end < length; end++) {
      const c = text.charCodeAt(end);
      if (c >= 128 || stops[c] === 0) continue;
      if (c === newline || c === 35 /* # */ || stops[c] === 2) {
        // ` #` starts a comment (a `#` within a word does not); a flow indicator ends a value in a flow collection.
        if (c !== 35 || text.charCodeAt(end - 1) === space) break;
        continue;
      }
      // `:`: in a flow collection `: ` ends a key (the caller checks that one is expected there), in a block value it
      // would start a mapping: the library reads both. `a:b` stays a word in a block value.
      const after = text.charCodeAt(end + 1);
      if (flow && after === space) break;
      if (flow || after === space || after === newline || end + 1 >= length) decline();
    }
    while (end > start && text.charCodeAt(end - 1) === space) end--;
    const source = text.slice(start, end);
    return { node: this.scalar(source, true, [start, end, end]), valueEnd: end };
  }

  /** A quoted scalar on one line, without escapes. */
  private quoted(start: number): { node: Scalar; valueEnd: number } {
    const { text } = this;
    const q = text[start]!;
    let end = start + 1;
    let source = '';
    for (;;) {
      const close = text.indexOf(q, end);
      const nl = text.indexOf('\n', end);
      if (close < 0 || (nl >= 0 && nl < close)) decline();
      const part = text.slice(end, close);
      if (q === '"' && part.includes('\\')) decline();
      source += part;
      end = close + 1;
      // `''` in single quotes is one quote.
      if (q === "'" && text[end] === "'") {
        source += "'";
        end++;
        continue;
      }
      break;
    }
    return { node: this.scalar(source, false, [start, end, end]), valueEnd: end };
  }

  /** Spaces from `at`; returns where they end. */
  private spaces(at: number): number {
    while (this.text.charCodeAt(at) === space) at++;
    return at;
  }

  /** A flow collection on one line (`[a, b]`, `{ k: v }`, nested); returns its node, data and end. */
  private flow(start: number): { node: YAMLMap | YAMLSeq; data: unknown; end: number } {
    const { text } = this;
    const isMapStart = text[start] === '{';
    const close = isMapStart ? '}' : ']';
    const node = isMapStart ? mapNode() : seqNode();
    node.flow = true;
    const data: unknown = isMapStart ? {} : [];
    let at = this.spaces(start + 1);
    while (text[at] !== close) {
      const key = this.flowValue(at);
      at = this.spaces(key.end);
      if (isMapStart) {
        if (text[at] !== ':' || key.node.range![1] !== at || !isScalar(key.node) || typeof key.data !== 'string' || text[at + 1] !== ' ') decline();
        const value = this.flowValue(this.spaces(at + 1));
        at = this.spaces(value.end);
        this.addPair(node as YAMLMap, data as Record<string, unknown>, key.node as Scalar, key.data as string, value.node, value.data);
      } else {
        if (text[at] === ':') decline();
        (node as YAMLSeq).items.push(key.node);
        if (this.withData) (data as unknown[]).push(key.data);
      }
      if (text[at] === ',') {
        at = this.spaces(at + 1);
        if (text[at] === close) decline(); // a trailing comma
      } else if (text[at] !== close) decline();
    }
    node.range = [start, at + 1, at + 1];
    return { node, data: isMapStart ? data : exact(data as unknown[]), end: at + 1 };
  }

  /** A node inside a flow collection; its range's end takes in the spaces after it. */
  private flowValue(at: number): { node: Node; data: unknown; end: number } {
    const c = this.text[at];
    if (c === '[' || c === '{') {
      const { node, data, end } = this.flow(at);
      const after = this.spaces(end);
      node.range![2] = after;
      return { node, data, end: after };
    }
    const { node, valueEnd } = c === '"' || c === "'" ? this.quoted(at) : this.plain(at, true);
    const end = this.spaces(valueEnd);
    node.range![2] = end;
    return { node, data: node.value, end };
  }

  private addPair(map: YAMLMap, data: Record<string, unknown>, key: Scalar, name: string, value: Node, valueData: unknown): void {
    map.items.push(pairNode(key, value));
    if (!this.withData) return;
    // Duplicates are the library's error to report; `__proto__` is set apart by its toJS.
    if (name === '__proto__' || Object.prototype.hasOwnProperty.call(data, name)) decline();
    data[name] = valueData;
  }

  /** A block map's key at `at` (a plain string followed by `: ` or `:` at the end of the line). */
  private key(at: number): { node: Scalar; name: string; colon: number } {
    const { text } = this;
    const colon = text.indexOf(':', at);
    const nl = text.indexOf('\n', at);
    if (colon < 0 || (nl >= 0 && nl < colon)) decline();
    for (let i = at; i < colon; i++) {
      const c = text.charCodeAt(i);
      // Letters, digits, `_` and `-` (not first): what pipeline keys are made of.
      const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (i > at && ((c >= 48 && c <= 57) || c === 45));
      if (!ok) decline();
    }
    if (colon === at) decline();
    // One string per distinct key, not one per stage (a few keys repeat over hundreds of thousands of stages).
    const slice = text.slice(at, colon);
    let source = this.keys.get(slice);
    if (source === undefined) this.keys.set(slice, (source = slice));
    const node = this.scalar(source, true, [at, colon, colon]);
    if (typeof node.value !== 'string') decline();
    return { node, name: source, colon };
  }

  /**
   * The blank lines and comment lines (at a column from `low` to `high`) from the line at `at`: where they end, and the
   * comment and blank-line flag they give the node after them, as the composer's props do; their tokens go to `tokens`.
   * Undefined when there is none (most lines: nothing allocated).
   */
  private gap(at: number, end: number, low: number, high: number, tokens?: CST.SourceToken[]): Gap | undefined {
    const start = at;
    const { text } = this;
    let comment = '';
    let spaceBefore = false;
    while (at < end) {
      const content = this.spaces(at);
      const col = content - at;
      const isComment = text.charCodeAt(content) === 35 /* # */ && col >= low && col <= high;
      if (text.charCodeAt(content) !== newline && !isComment) break;
      const nl = text.indexOf('\n', content);
      if (nl < 0) decline();
      if (tokens) {
        if (col > 0) tokens.push({ type: 'space', offset: at, indent: 0, source: text.slice(at, content) });
        if (isComment) tokens.push({ type: 'comment', offset: content, indent: col, source: text.slice(content, nl) });
        tokens.push({ type: 'newline', offset: nl, indent: col, source: '\n' });
      }
      // A comment's text joins the ones before it with the newlines between; a blank line before any comment marks a space.
      if (isComment) comment = `${comment}${comment ? '\n' : ''}${text.slice(content + 1, nl) || ' '}`;
      else if (comment) comment += '\n';
      else spaceBefore = true;
      at = nl + 1;
    }
    return at === start ? undefined : { end: at, comment, spaceBefore };
  }

  /** The block map of an item: its first key at `start` (column `column`), its other keys on the lines below. */
  private itemMap(start: number, column: number, regionEnd: number, keys?: KeySpans<StageKey>): { node: YAMLMap; data: Record<string, unknown> } {
    const { text } = this;
    const node = mapNode();
    const data: Record<string, unknown> = {};
    let at = start;
    let before: Gap | undefined;
    for (;;) {
      const key = this.key(at);
      if (before?.spaceBefore) key.node.spaceBefore = true;
      if (before?.comment) key.node.commentBefore = before.comment;
      const valueAt = this.spaces(key.colon + 1);
      const c = text[valueAt];
      let value: Node;
      let valueData: unknown;
      if (c === '\n' || c === undefined) {
        // Nothing after the `:`: a map on the lines below, indented more (an empty value is the library's to read).
        const below = valueAt + 1;
        const indent = this.spaces(below) - below;
        if (indent <= column || below >= regionEnd) decline();
        const nested = this.itemMap(below + indent, indent, regionEnd);
        [value, valueData, at] = [nested.node, nested.data, nested.node.range![2]];
      } else {
        if (valueAt === key.colon + 1) decline();
        let valueEnd: number;
        if (c === '[' || c === '{') {
          const flow = this.flow(valueAt);
          [value, valueData, valueEnd] = [flow.node, flow.data, flow.end];
        } else {
          const scalar = c === '"' || c === "'" ? this.quoted(valueAt) : this.plain(valueAt, false);
          [value, valueData, valueEnd] = [scalar.node, scalar.node.value, scalar.valueEnd];
        }
        const line = this.restOfLine(valueEnd);
        at = line.end;
        value.range![2] = at;
        if (line.comment !== undefined) value.comment = line.comment;
      }
      this.addPair(node, data, key.node, key.name, value, valueData);
      const known = keys && stageKeyNames.get(key.name);
      // As `directKeySpans` gives them (dsl/yaml-nodes.ts): no value read here is empty.
      if (known) keys[known] = { key: { start: key.node.range![0], end: key.colon }, value: { start: value.range![0], end: value.range![1] } };
      if (at >= regionEnd) break;
      // The next line: another key of this map, maybe after blank lines and comments at its column (which go to that key),
      // or the end of the map (blank lines go on to what follows it; comments would stay in it: the library reads those).
      before = this.gap(at, regionEnd, column, column);
      const line = before?.end ?? at;
      const col = this.spaces(line) - line;
      if (col !== column) {
        if (col > column || before?.comment) decline();
        break;
      }
      at = line + col;
    }
    node.range = [start, at, at];
    return { node, data };
  }

  /** The mapping of an item read before, at `start`–`end`, read again (`StageSource`). */
  mapAt(start: number, end: number): YAMLMap {
    try {
      return this.itemMap(start, start - lineStart(this.text, start), end).node;
    } catch (e) {
      if (!(e instanceof Decline)) throw e;
      throw new Error(`The stage at offset ${start} no longer reads as it did: its text changed without its node.`);
    }
  }

  /** `item`, or undefined where it declines. */
  tryItem(lineStart: number, indent: number, regionEnd: number, first: boolean): ReturnType<ItemReader['item']> | undefined {
    try {
      return this.item(lineStart, indent, regionEnd, first);
    } catch (e) {
      if (e instanceof Decline) return undefined;
      throw e;
    }
  }

  /**
   * The item whose line starts at `lineStart` (or after the blank and comment lines there), its `-` at column `indent`:
   * its node, data and the tokens it starts with (those lines', the spaces before its `-`, the `-`, the spaces after
   * it). Returns where the next item starts.
   */
  item(lineStart: number, indent: number, regionEnd: number, first: boolean): { node: YAMLMap; data: Record<string, unknown>; token: SeqItem; next: number } {
    const start: CST.SourceToken[] = [];
    // Blank lines and comments no deeper than the `-` before it are its first tokens (after an item that ended with a value
    // and its line, as every one read here does).
    const before = first ? undefined : this.gap(lineStart, regionEnd, 0, indent, start);
    if (before) lineStart = before.end;
    const dash = lineStart + indent;
    if (this.spaces(lineStart) !== dash || this.text[dash] !== '-' || this.text[dash + 1] !== ' ') decline();
    const contentStart = this.spaces(dash + 1);
    // Most items: `  - key…` right after the item before. Their first tokens are made when asked for (dsl/tree-skeleton.ts).
    const plain = !before && !first && indent > 0 && contentStart === dash + 2;
    if (!plain) {
      // The spaces are the same strings from item to item (`pad`; one space after the `-` is V8's one-character string).
      if (!first && indent > 0) start.push({ type: 'space', offset: lineStart, indent: 0, source: (this.pad ??= this.text.slice(lineStart, dash)) });
      start.push(
        { type: 'seq-item-ind', offset: dash, indent, source: '-' },
        { type: 'space', offset: dash + 1, indent: indent + 1, source: this.text.slice(dash + 1, contentStart) },
      );
    }
    // The document keeps the mapping's place and the model its keys' spans; the entries are read again when asked for.
    const keys: KeySpans<StageKey> = {};
    const read = this.itemMap(contentStart, contentStart - lineStart, regionEnd, keys);
    const node = lazyMap(read.node.range as [number, number, number], this.source, keys);
    if (before?.spaceBefore) node.spaceBefore = true;
    if (before?.comment) node.commentBefore = before.comment;
    return { node, data: read.data, token: plain ? new DashItem(lineStart, indent) : { start: exact(start) }, next: node.range![2] };
  }
}

/** A document's unread stages' text and how they are read (`StageSource`): as the first read read them. */
class StageText implements StageSource {
  constructor(
    public text: string,
    private readonly resolve: Resolver,
  ) {}

  mapAt(start: number, end: number): YAMLMap {
    return new ItemReader(this.text, this.resolve, this, false).mapAt(start, end);
  }
}

/** The lines of the stages list: items, the blank and comment lines between them, and windows read by the library. */
class ListLines {
  constructor(
    private readonly text: string,
    private readonly region: Region,
  ) {}

  /** Whether the line at `at` starts an item: `-` at the list's indent, then a space or the end of the line. */
  isItem(at: number): boolean {
    const col = indentAt(this.text, at);
    const after = this.text.charCodeAt(at + col + 1);
    return col === this.region.indent && this.text.charCodeAt(at + col) === 45 /* - */ && (after === space || after === newline || Number.isNaN(after));
  }

  /** Whether the line at `at` is blank or a comment no deeper than the list's `-`: one that goes with the next item. */
  private isGap(at: number): boolean {
    const col = indentAt(this.text, at);
    const c = this.text.charCodeAt(at + col);
    return c === newline || Number.isNaN(c) || (c === 35 /* # */ && col <= this.region.indent);
  }

  /** The offset after the blank and comment lines from `at`. */
  gapEnd(at: number): number {
    while (at < this.region.end && this.isGap(at)) at = lineEnd(this.text, at);
    return at;
  }

  /** From the item line `item`: the end of that item's last line other than a gap line, and the next item's line. */
  private itemEnd(item: number): { end: number; next: number } {
    let end = lineEnd(this.text, item);
    let line = end;
    for (; line < this.region.end && !this.isItem(line); line = lineEnd(this.text, line)) if (!this.isGap(line)) end = lineEnd(this.text, line);
    return line >= this.region.end ? { end: this.region.end, next: line } : { end, next: line };
  }

  /** Items from `at` (the start of a line after a closed item) read by the library, up to where one ends closed. */
  window(at: number, first: boolean): WindowItems & { end: number } {
    let item = this.gapEnd(at);
    if (!this.isItem(item)) decline();
    // An item left open takes in the next one (a few at most: each one typed is closed again at once).
    for (let taken = 0; taken < 16; taken++) {
      const { end, next } = this.itemEnd(item);
      const last = end === this.region.end;
      const read = libraryItems(this.text, at, end, this.region.indent, first, last) ?? decline();
      if (read !== 'open') return { ...read, end };
      if (last) decline();
      item = next;
    }
    return decline();
  }
}

/**
 * Reads `text` when it is in the subset read here, pausing every `sliceLength` of text; undefined when it is not (the
 * caller parses it with the library). Never throws.
 */
export function* quickRead(text: string): Steps<QuickRead | undefined> {
  try {
    if (mayHaveAliases(text) || /[\t\r\uFEFF]/.test(text) || /^(?:%|---|\.\.\.)/m.test(text)) return undefined;
    const region = stagesRegion(text);
    if (!region) return undefined;
    // The library reads the text with the stages' items replaced by one (`- x`), then gets the real ones.
    const stand = '- x\n';
    const standEnd = region.start + stand.length;
    const delta = region.end - standEnd;
    const rest = text.slice(0, region.start) + stand + text.slice(region.end);
    const cst = [...new Parser().parse(rest)];
    const docs = [...new Composer(composeOptions).compose(cst)] as Document[];
    const doc = docs[0];
    if (docs.length !== 1 || !doc || doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
    const root = doc.contents;
    if (!isMap(root) || root.flow || root.items.some((p) => !isScalar(p.key) || typeof p.key.value !== 'string' || p.key.value === '<<')) return undefined;
    const pair = root.items.find((p) => (p.key as Scalar).value === 'stages');
    const seq = pair?.value;
    if (!isSeq(seq) || seq.items.length !== 1 || seq.range?.[0] !== region.start) return undefined;
    const data = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown>;
    const mapToken = cst.find((t): t is CST.Document => t.type === 'document')?.value;
    const seqToken = mapToken?.type === 'block-map' ? mapToken.items.find((item) => item.value?.offset === region.start)?.value : undefined;
    if (seqToken?.type !== 'block-seq' || seqToken.items.length !== 1) return undefined;
    // What follows the list moves to where it is in the text.
    for (const node of [{ range: doc.range }, { range: root.range }, ...root.items]) if (node !== pair) shiftRanges(node, standEnd, delta);
    shiftTokens(cst, standEnd, delta);
    const resolve = resolverOf(doc);
    const source = new StageText(text, resolve);
    const reader = new ItemReader(text, resolve, source);
    const list = new ListLines(text, region);
    const nodes: Node[] = [];
    const items: unknown[] = [];
    const tokens: CST.BlockSequence['items'] = [];
    let at = region.start - region.indent;
    let pause = at + sliceLength;
    let ends: WindowItems['ends'];
    while (at < region.end) {
      const first = nodes.length === 0;
      const item = reader.tryItem(at, region.indent, region.end, first);
      // Read here when it is followed at once by the next item or by blank and comment lines before it, which start a
      // new item's tokens as they do after the stand-in.
      if (item && (item.next === region.end || list.isItem(list.gapEnd(item.next)))) {
        nodes.push(item.node);
        items.push(item.data);
        tokens.push(item.token);
        at = item.next;
      } else {
        const window = list.window(at, first);
        nodes.push(...window.nodes);
        items.push(...window.data);
        tokens.push(...window.tokens);
        at = window.end;
        ends = window.ends;
      }
      if (at >= pause) {
        pause = at + sliceLength;
        yield undefined;
      }
    }
    if (at !== region.end) return undefined;
    seq.items = nodes;
    if (ends) {
      // The last items were read by the library with what follows them: it says where everything ends.
      seq.range = [region.start, ...ends[0]];
      root.range = [root.range![0], ...ends[1]];
      doc.range = [doc.range![0], ...ends[2]];
    } else {
      if (nodes.at(-1)?.range?.[2] !== region.end) return undefined;
      seq.range = [region.start, region.end, region.end];
    }
    seqToken.items = tokens;
    data.stages = items;
    readsStagesFrom(doc, source);
    return { doc, data, cst };
  } catch {
    // A decline, or anything else that went wrong: the library reads the text and reports what is wrong with it.
    return undefined;
  }
}
