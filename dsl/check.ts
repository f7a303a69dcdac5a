import { buildModel, stagesData } from './build';
import { memoHost, type DslHost } from './host';
import type { Pipeline } from './model';
import { parseSteps, type Parsed } from './parse';
import { byPosition, type Problem } from './problems';
import { parentDir } from './resolve';
import type { Span } from './span';
import { allRules, keepRulesThroughBrokenStage, quickRules, type RulesInput } from './stage-rules';
import { finish, type Steps } from './steps';

export interface CheckOptions {
  /** Absolute path of the pipeline file: names the pipeline and anchors relative paths. */
  file?: string | undefined;
  host: DslHost;
  /**
   * The result of checking an earlier version of the same file (an editor's previous version): only
   * the part of the text an edit changed is parsed again. The problems are the same as without it.
   * That result is superseded: its syntax tree and document are taken over (see `parse`). Its model, when
   * given, must be the one built from that parse: unchanged stages are taken from it, moved in place.
   * When the edit needs the whole text parsed after all, the check lets go of it before it parses and calls
   * `release`, for the caller to let go of it too (a 20 MB file's previous version alone is ~3 GB of heap).
   */
  previous?: { parsed: Parsed; pipeline?: Pipeline } | undefined;
  release?: (() => void) | undefined;
}

export interface CheckResult {
  parsed: Parsed;
  /** Built even from invalid input, for outlines and lenses; run it only when `ok`. */
  pipeline: Pipeline;
  problems: Problem[];
  /** No problem of severity error. */
  ok: boolean;
}

/** A range never starts or ends between the `\r` and `\n` of a CRLF: no editor can show that place. */
function keepLineBreaksWhole(text: string, span: Span): void {
  if (text[span.end] === '\n' && text[span.end - 1] === '\r' && span.end > span.start) span.end--;
  if (text[span.start] === '\n' && text[span.start - 1] === '\r') span.start--;
}

/**
 * Parses and validates pipeline text: YAML, then the JSON Schema, then semantic rules. Never
 * throws. Schema and semantic checks are skipped while the YAML itself is broken, to avoid
 * reporting the echoes of one typo.
 */
export function check(text: string, options: CheckOptions): CheckResult {
  return finish(checkSteps(text, options));
}

/**
 * `check` in steps (dsl/steps.ts): it pauses while a long text is parsed and between the checks, and
 * hands out the parse as soon as it has it, so that a caller that gives up half-way can still start
 * the next version's parse from it.
 */
export function checkSteps(text: string, options: CheckOptions): Steps<CheckResult> {
  // The steps hold the previous version in a box they can empty, not in `options`, which they keep to the end.
  const { previous, release, ...rest } = options;
  return stepsFrom(text, rest, { previous, release });
}

function* stepsFrom(text: string, options: CheckOptions, box: Pick<CheckOptions, 'previous' | 'release'>): Steps<CheckResult> {
  // A check superseded before it began (one more keystroke already waiting) costs nothing.
  yield undefined;
  const parsed = yield* parseSteps(text, box.previous?.parsed, () => {
    box.previous = undefined;
    box.release?.();
  });
  // A parse made from the previous one is handed out together with its model (built from the previous model, which
  // it supersedes): a check abandoned there leaves the next one both, not a model of every stage to build again.
  if (parsed.edited === undefined && parsed.moved === undefined) yield { parsed };
  const before = box.previous;
  box.previous = undefined;
  const raws = before && stagesData(before.parsed.data);
  const previous = before?.pipeline && raws && { pipeline: before.pipeline, raws };
  const { pipeline, renamed } = buildModel(parsed, options.file, previous);
  const problems = [...parsed.problems];
  const yamlBroken = problems.some((p) => p.severity === 'error');
  const rules: RulesInput = {
    parsed,
    text,
    pipeline,
    host: memoHost(options.host),
    fileDir: options.file === undefined ? undefined : parentDir(options.file),
    previous,
    renamed,
  };
  // After an edit inside one stage, only its rules run, at once (dsl/stage-rules.ts): before the model is handed out,
  // so that a check abandoned after that leaves the next one the stages' problems too.
  const quick = yamlBroken ? undefined : quickRules(rules);
  if (yamlBroken) keepRulesThroughBrokenStage(rules);
  yield { parsed, pipeline };
  // Appended in a loop: spreading a huge file's problems as arguments overflows the stack.
  if (!yamlBroken) for (const p of quick ?? (yield* allRules(rules))) problems.push(p);
  for (const p of problems) keepLineBreaksWhole(text, p);
  problems.sort(byPosition);
  return { parsed, pipeline, problems, ok: !problems.some((p) => p.severity === 'error') };
}
