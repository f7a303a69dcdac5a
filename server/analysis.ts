import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { check, type CheckResult, type DslHost } from '../dsl';
import { PositionMap } from './positions';

/** One version of one document, checked: everything the features answer from. */
export interface Analysis {
  uri: string;
  version: number;
  text: string;
  /** Absolute path of a `file:` document; undefined for untitled and other schemes. */
  file?: string;
  result: CheckResult;
  positions: PositionMap;
}

export function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/**
 * The host as seen by one check: the same PATH or file look-up is answered once per check (a
 * 500-stage file runs `grep` 500 times), and afresh on the next check, so a file created after
 * an edit is noticed.
 */
export function memoHost(base: DslHost): DslHost {
  const kinds = new Map<string, 'file' | 'dir' | undefined>();
  const programs = new Map<string, string | undefined>();
  return {
    env: base.env,
    statKind(absPath) {
      if (!kinds.has(absPath)) kinds.set(absPath, base.statKind(absPath));
      return kinds.get(absPath);
    },
    findOnPath(program) {
      if (!programs.has(program)) programs.set(program, base.findOnPath(program));
      return programs.get(program);
    },
  };
}

/** Checks documents, keeping the last analysis of each so that the features of one version share it. */
export class Analyzer {
  private readonly cache = new Map<string, Analysis>();

  constructor(private readonly host: DslHost) {}

  get(document: TextDocument): Analysis {
    const cached = this.cache.get(document.uri);
    if (cached && cached.version === document.version) return cached;
    const text = document.getText();
    const file = filePathOf(document.uri);
    const result = check(text, { host: memoHost(this.host), ...(file !== undefined ? { file } : {}) });
    const analysis: Analysis = { uri: document.uri, version: document.version, text, result, positions: new PositionMap(text), ...(file !== undefined ? { file } : {}) };
    this.cache.set(document.uri, analysis);
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
