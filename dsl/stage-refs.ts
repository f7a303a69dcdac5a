import type { Pipeline, Stage, StageKey } from './model';
import type { Parsed } from './parse';
import type { Span } from './span';
import { locate } from './yaml-nodes';

/**
 * Stage names as symbols: where each stage's name is written (its definition) and where another
 * key names a stage (a reference, such as `input:`). Definition, references, rename and semantic
 * tokens all read this one list, so a key that names stages only needs adding to
 * `stageReferenceKeys` to get all of them.
 */
export interface StageNameSite {
  stage: Stage;
  /** The written name, inside its quotes if any. */
  span: Span;
  kind: 'definition' | 'reference';
}

/** Stage keys whose value (a name, or a list of names) refers to other stages. */
export const stageReferenceKeys: readonly StageKey[] = ['input'];

/** The text of a scalar's span without its quotes, as a site. */
export function unquoted(text: string, span: Span): Span {
  return /^(["']).*\1$/s.test(text.slice(span.start, span.end)) ? { start: span.start + 1, end: span.end - 1 } : span;
}

export function stageNameSites(parsed: Parsed, pipeline: Pipeline): StageNameSite[] {
  const byName = new Map(pipeline.stages.map((s) => [s.name, s]));
  const sites: StageNameSite[] = [];
  for (const stage of pipeline.stages) {
    const name = stage.keys.name;
    if (stage.named && name) sites.push({ stage, span: unquoted(parsed.text, name.value), kind: 'definition' });
    const raw = (parsed.data as { stages?: Record<string, unknown>[] } | undefined)?.stages?.[stage.index];
    for (const key of stageReferenceKeys) {
      const value = raw?.[key];
      const names = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
      names.forEach((n, i) => {
        const target = typeof n === 'string' ? byName.get(n) : undefined;
        const at = locate(parsed.doc, ['stages', stage.index, key, ...(Array.isArray(value) ? [i] : [])]);
        if (target && at.exact && !at.indirect) sites.push({ stage: target, span: unquoted(parsed.text, at.value), kind: 'reference' });
      });
    }
  }
  return sites;
}

/** The stage named at `offset` and every site of its name, definition first. */
export function stageSitesAt(sites: readonly StageNameSite[], offset: number): { stage: Stage; sites: StageNameSite[] } | undefined {
  const hit = sites.find((s) => offset >= s.span.start && offset <= s.span.end);
  if (!hit) return undefined;
  const all = sites.filter((s) => s.stage === hit.stage).sort((a, b) => (a.kind === b.kind ? a.span.start - b.span.start : a.kind === 'definition' ? -1 : 1));
  return { stage: hit.stage, sites: all };
}
