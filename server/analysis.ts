import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { check, type CheckOptions, type CheckResult, type DslHost, type Span } from '../dsl';

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
  /** A snapshot of this version: the one way offsets become LSP positions and back. */
  document: TextDocument;
  /** Absolute paths the check looked at (files, folders): a change to one of them may change its problems. */
  looked: ReadonlySet<string>;
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

/**
 * Checks documents, keeping the last analysis of each so that the features of one version share
 * it. `get` always answers for the version given; `latest` answers at once from the newest one
 * checked, for features that must not wait for a check of a big file (completion).
 */
export class Analyzer {
  private readonly cache = new Map<string, Analysis>();

  constructor(private readonly host: DslHost) {}

  get(document: TextDocument): Analysis {
    const cached = this.cache.get(document.uri);
    if (cached && cached.version === document.version) return cached;
    const text = document.getText();
    const file = filePathOf(document.uri);
    const looked = new Set<string>();
    const options: CheckOptions = { host: recording(this.host, looked), file };
    // The previous version's result lets the check re-parse only what the edit changed (it is superseded here).
    const result = check(text, cached ? { ...options, previous: cached.result } : options);
    const snapshot = TextDocument.create(document.uri, document.languageId, document.version, text);
    const analysis: Analysis = {
      uri: document.uri,
      version: document.version,
      text,
      options,
      result,
      document: snapshot,
      looked,
      file,
    };
    this.cache.set(document.uri, analysis);
    return analysis;
  }

  latest(document: TextDocument): Analysis {
    return this.cache.get(document.uri) ?? this.get(document);
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  /** Open documents whose last check looked at one of `paths`. */
  affectedBy(paths: ReadonlySet<string>): string[] {
    return [...this.cache.values()].filter((a) => [...a.looked].some((p) => paths.has(p))).map((a) => a.uri);
  }

  /** Every path the open documents' checks looked at. */
  lookedAt(): Set<string> {
    const all = new Set<string>();
    for (const a of this.cache.values()) for (const p of a.looked) all.add(p);
    return all;
  }
}
