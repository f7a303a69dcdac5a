import { anchorsOf, anchorSitesAt } from '../dsl/anchors';
import { hostNameSites } from '../dsl/hosts';
import { stageNameSites, stageSitesAt } from '../dsl/stage-refs';
import type { Span } from '../dsl';
import type { Analysis } from './analysis';

/**
 * The three kinds of names a pipeline file has: YAML anchors (`&base`, used as `*base`), stage
 * names (written in `name:`, referred to by keys such as `input:`) and host names (keys under
 * `hosts:`, referred to by `on:`). Definition, references and rename all start from what is under
 * the cursor here.
 */
export type NameAt =
  { kind: 'anchor'; name: string; definition: Span; sites: Span[] } | { kind: 'stage' | 'host'; name: string; definition?: Span | undefined; sites: Span[] };

export function nameAt(analysis: Analysis, offset: number): NameAt | undefined {
  const { parsed, pipeline } = analysis.result;
  const stage = stageSitesAt(stageNameSites(parsed, pipeline), offset);
  if (stage) {
    const definition = stage.sites.find((s) => s.kind === 'definition')?.span;
    return { kind: 'stage', name: stage.stage.name, sites: stage.sites.map((s) => s.span), definition };
  }
  const hosts = hostNameSites(parsed, pipeline);
  const host = hosts.find((s) => offset >= s.span.start && offset <= s.span.end);
  if (host) {
    const sites = hosts
      .filter((s) => s.name === host.name)
      .sort((a, b) => (a.kind === b.kind ? a.span.start - b.span.start : a.kind === 'definition' ? -1 : 1));
    return { kind: 'host', name: host.name, sites: sites.map((s) => s.span), definition: sites.find((s) => s.kind === 'definition')?.span };
  }
  const anchor = anchorSitesAt(anchorsOf(parsed), offset);
  return anchor && { kind: 'anchor', name: anchor.anchor.name, definition: anchor.anchor.span, sites: anchor.sites };
}
