import { anchorsOf, anchorSitesAt } from '../dsl/anchors';
import { stageNameSites, stageSitesAt } from '../dsl/stage-refs';
import type { Span } from '../dsl';
import type { Analysis } from './analysis';

/**
 * The two kinds of names a pipeline file has: YAML anchors (`&base`, used as `*base`) and stage
 * names (written in `name:`, referred to by keys such as `input:`). Definition, references and
 * rename all start from what is under the cursor here.
 */
export type NameAt =
  { kind: 'anchor'; name: string; definition: Span; sites: Span[] } | { kind: 'stage'; name: string; definition?: Span | undefined; sites: Span[] };

export function nameAt(analysis: Analysis, offset: number): NameAt | undefined {
  const { parsed, pipeline } = analysis.result;
  const stage = stageSitesAt(stageNameSites(parsed, pipeline), offset);
  if (stage) {
    const definition = stage.sites.find((s) => s.kind === 'definition')?.span;
    return { kind: 'stage', name: stage.stage.name, sites: stage.sites.map((s) => s.span), definition };
  }
  const anchor = anchorSitesAt(anchorsOf(parsed), offset);
  return anchor && { kind: 'anchor', name: anchor.anchor.name, definition: anchor.anchor.span, sites: anchor.sites };
}
