import type { Span } from './span';

export type Severity = 'error' | 'warning' | 'info';

/**
 * Every problem code, its severity and a one-line summary. Codes are stable: tools match on them
 * (quick fixes, golden fixtures, CI scripts), and docs/dsl.md has a section for each.
 */
export const problemCodes = {
  'yaml-syntax': { severity: 'error', summary: 'The file is not valid YAML.' },
  'duplicate-key': { severity: 'error', summary: 'A key appears twice in the same mapping.' },
  'multiple-documents': { severity: 'error', summary: 'A pipeline file holds exactly one YAML document.' },
  'wrong-type': { severity: 'error', summary: 'A value has the wrong type.' },
  'invalid-value': { severity: 'error', summary: 'A value is outside what the key accepts.' },
  'unknown-key': { severity: 'error', summary: 'A key that the pipeline or stage does not know.' },
  'empty-pipeline': { severity: 'error', summary: 'The pipeline has no stages.' },
  'missing-command': { severity: 'error', summary: 'A stage has none of `run`, `command` or `use`.' },
  'conflicting-command': { severity: 'error', summary: 'A stage has more than one of `run`, `command` and `use`.' },
  'invalid-stage-name': { severity: 'error', summary: 'A stage name has characters that are not allowed.' },
  'duplicate-stage-name': { severity: 'error', summary: 'Two stages have the same name.' },
  'unknown-builtin': { severity: 'error', summary: '`use` names a built-in stage that does not exist.' },
  'bad-option': { severity: 'error', summary: 'A `with` option is unknown, missing or of the wrong kind.' },
  'workers-range': { severity: 'error', summary: '`workers` is outside 1–64.' },
  'undefined-variable': { severity: 'error', summary: '`${VAR}` names a variable that is not defined.' },
  'file-not-found': { severity: 'error', summary: 'A file or folder that a stage needs does not exist.' },
  'unknown-input': { severity: 'error', summary: '`input` names a stage that does not exist.' },
  'input-order': { severity: 'error', summary: '`input` names the stage itself or a later stage.' },
  'unread-output': { severity: 'warning', summary: "No stage reads this stage's output, and it is not the last stage." },
  'command-not-found': { severity: 'warning', summary: 'The program a stage runs is not on PATH.' },
  'nul-character': { severity: 'error', summary: 'An argument, environment value or path holds a NUL character, which no program can be given.' },
  'unknown-host': { severity: 'error', summary: '`on` names a host that is not under `hosts:`.' },
  'bad-host': { severity: 'error', summary: 'A `hosts:` entry that ssh would misread.' },
  'bad-regex': { severity: 'error', summary: 'The `regex` of `parse` does not compile, or gives no fields.' },
  'not-ndjson': { severity: 'warning', summary: '`read` takes a file for NDJSON (its extension says so), but its first line is not JSON.' },
  'slurm-with-ssh': { severity: 'error', summary: 'A `hosts:` entry with `slurm:` and ssh keys: a host is one or the other.' },
  'srun-not-found': { severity: 'warning', summary: 'A stage runs on a Slurm cluster, but `srun` is not on PATH here.' },
  'remote-builtin': { severity: 'error', summary: 'A built-in stage (`use:`) with `on:`: built-ins run on this machine only.' },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type ProblemCode = keyof typeof problemCodes;

/** A text edit in offsets of the checked text. */
export interface Edit extends Span {
  newText: string;
}

/** An obvious fix, computed where the problem is found so that every client applies the same edit. */
export interface Fix {
  title: string;
  edits: Edit[];
}

export interface Problem extends Span {
  code: ProblemCode;
  severity: Severity;
  message: string;
  fixes?: Fix[];
}

export function problem(code: ProblemCode, span: Span, message: string, fixes?: Fix[]): Problem {
  const p: Problem = { code, severity: problemCodes[code].severity, message, start: span.start, end: span.end };
  if (fixes && fixes.length > 0) p.fixes = fixes;
  return p;
}

/** Anchor of the code's section in docs/dsl.md. */
export function problemDocsAnchor(code: ProblemCode): string {
  return `problem-${code}`;
}

export function byPosition(a: Problem, b: Problem): number {
  // Codes are ASCII: a plain comparison, not `localeCompare` (which loads ICU's collation data on first use).
  return a.start - b.start || a.end - b.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}
