import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { problemDocsAnchor, type Problem, type Severity } from '../dsl';
import { rangeOf, type Analysis } from './analysis';
import { docsFragment } from './docs-lines';
import { diagnosticSource, type DiagnosticData } from './protocol';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** `<docsUrl>#problem-<code>` (`#L<line>` for a local file): the problem's section of docs/dsl.md. */
export function problemHref(docsUrl: string, code: Problem['code']): string {
  const base = docsUrl.replace(/#.*$/, '');
  return `${base}#${docsFragment(base, problemDocsAnchor(code))}`;
}

export function toDiagnostic(analysis: Analysis, p: Problem, docsUrl: string): Diagnostic {
  const data: DiagnosticData = { version: analysis.version };
  return {
    range: rangeOf(analysis.document, p),
    severity: severities[p.severity],
    code: p.code,
    codeDescription: { href: problemHref(docsUrl, p.code) },
    source: diagnosticSource,
    message: p.message,
    data,
  };
}

export function diagnosticsOf(analysis: Analysis, docsUrl: string): Diagnostic[] {
  return analysis.result.problems.map((p) => toDiagnostic(analysis, p, docsUrl));
}

/**
 * Debounces checks per document: each edit restarts the document's timer, and when it fires the
 * document's current version is checked and published. What is published is therefore always
 * the version the client has now, never an older one that a queued check would still be holding.
 */
export class DiagnosticsScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly delayMs: () => number,
    private readonly publish: (uri: string) => void,
  ) {}

  schedule(uri: string): void {
    this.cancel(uri);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      this.publish(uri);
    }, this.delayMs());
    this.timers.set(uri, timer);
  }

  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
