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

/** Checks documents, keeping the last analysis of each so that the features of one version share it. */
export class Analyzer {
  private readonly cache = new Map<string, Analysis>();

  constructor(private readonly host: DslHost) {}

  get(document: TextDocument): Analysis {
    const cached = this.cache.get(document.uri);
    if (cached && cached.version === document.version) return cached;
    const text = document.getText();
    const file = filePathOf(document.uri);
    const result = check(text, { host: this.host, ...(file !== undefined ? { file } : {}) });
    const analysis: Analysis = { uri: document.uri, version: document.version, text, result, positions: new PositionMap(text), ...(file !== undefined ? { file } : {}) };
    this.cache.set(document.uri, analysis);
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
