import type { Pipeline } from './model';
import type { Parsed } from './parse';

/**
 * A long computation written as a generator that yields between its parts, so that a caller with an
 * event loop (the language server) can answer other messages in between and give up when its input
 * is out of date; `finish` runs one to its end at once (the CLI, tests, verified edits).
 */
export type Steps<T> = Generator<StepMark, T, void>;

/** What a step hands out when it pauses: nothing, or the parse just finished, then with the model built from it (see `checkSteps`). */
export type StepMark = { parsed: Parsed; pipeline?: Pipeline } | undefined;

export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
