import { expect } from 'vitest';
import { check, type DslHost } from '../../../dsl';

/**
 * Checks each version of `start` after `edits` (applied in turn) from the previous version's result and from scratch:
 * they must agree in problems, model and data.
 */
export function expectEditsCheckAsFromScratch(start: string, edits: readonly ((text: string) => string)[], options: { file: string; host: DslHost }): void {
  let text = start;
  let previous = check(text, options);
  for (const edit of edits) {
    text = edit(text);
    const incremental = check(text, { ...options, previous });
    const full = check(text, options);
    expect(JSON.stringify(incremental.problems)).toBe(JSON.stringify(full.problems));
    expect(JSON.stringify(incremental.pipeline)).toBe(JSON.stringify(full.pipeline));
    expect(incremental.parsed.data).toEqual(full.parsed.data);
    previous = incremental;
  }
}
