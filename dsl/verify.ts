import { check, type CheckOptions, type CheckResult } from './check';
import type { Edit, Problem, ProblemCode } from './problems';

/**
 * The text with the edits applied; undefined when two of them overlap, which LSP forbids (clients
 * would each apply them differently, so such an edit is never offered).
 */
export function applyEdits(text: string, edits: readonly Edit[]): string | undefined {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at) return undefined;
    out += text.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return out + text.slice(at);
}

function counts(problems: readonly Problem[]): Map<ProblemCode, number> {
  const n = new Map<ProblemCode, number>();
  for (const p of problems) n.set(p.code, (n.get(p.code) ?? 0) + 1);
  return n;
}

/** Problems found while reading the YAML; while one is an error, check() holds the other checks back. */
const yamlCodes: ReadonlySet<ProblemCode> = new Set(['yaml-syntax', 'duplicate-key', 'multiple-documents']);

/**
 * True when `after` has no problem that `before` did not: per code, no more problems than
 * before. Codes, not messages, are compared: a message may name a stage by a name the edit gave it.
 * With `fixing`, that problem's code must also have one problem fewer (the fix fixes it). When the
 * YAML was broken before, only YAML problems are compared: mending it uncovers the checks it held back.
 */
export function introducesNoProblem(before: readonly Problem[], after: readonly Problem[], fixing?: Problem): boolean {
  const was = counts(before);
  const yamlBroken = before.some((p) => yamlCodes.has(p.code) && p.severity === 'error');
  for (const [code, n] of counts(yamlBroken ? after.filter((p) => yamlCodes.has(p.code)) : after))
    if (n > (was.get(code) ?? 0) - (code === fixing?.code ? 1 : 0)) return false;
  return true;
}

/** The problems of the checked text after some edits (undefined when they overlap): what tells whether an edit is safe. */
export type EditedCheck = (edits: readonly Edit[]) => readonly Problem[] | undefined;

/** `EditedCheck` by a check from scratch of the edited text, with the options `before` was checked with. */
export function checkFromScratch(before: CheckResult, options: CheckOptions): EditedCheck {
  return (edits) => {
    const text = applyEdits(before.parsed.text, edits);
    return text === undefined ? undefined : check(text, options).problems;
  };
}

/**
 * Applies the edits to the checked text and checks the result again (`checkEdited`): the edit is safe when it brings
 * no problem that the text had not (`before`, its problems), and, with `fixing`, removes that one. Every edit a client
 * is offered (quick fix, rename, "Name this stage", formatting) goes through here first.
 */
export function isSafeEdit(before: readonly Problem[], checkEdited: EditedCheck, edits: readonly Edit[], fixing?: Problem): boolean {
  const after = edits.length === 0 ? undefined : checkEdited(edits);
  return after !== undefined && introducesNoProblem(before, after, fixing);
}
