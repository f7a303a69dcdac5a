import { CST, Parser } from 'yaml';
import type { Parsed } from './parse';
import type { Span } from './span';

/** An `&name` or `*name` in the source; `span` covers the name only, without `&`/`*`. */
export interface AnchorSite {
  name: string;
  span: Span;
}

export interface AliasSite extends AnchorSite {
  /** Index in `anchors` of the anchor it names (the last one of that name before it), if any. */
  anchor?: number | undefined;
}

export interface Anchors {
  anchors: AnchorSite[];
  aliases: AliasSite[];
}

const cache = new WeakMap<Parsed, Anchors>();

/**
 * Every anchor and alias of the text, in source order, from the yaml library's concrete syntax
 * tree (the document model keeps an anchor's name but not where it is written). For go to
 * definition, references and rename.
 */
export function anchorsOf(parsed: Parsed): Anchors {
  const { text } = parsed;
  const cached = cache.get(parsed);
  if (cached) return cached;
  const sites: { kind: 'anchor' | 'alias'; name: string; span: Span }[] = [];
  const take = (token: CST.Token | CST.SourceToken | undefined | null) => {
    if (!token || !('offset' in token)) return;
    if (token.type === 'anchor' || token.type === 'alias') {
      const start = token.offset + 1;
      sites.push({ kind: token.type, name: token.source.slice(1), span: { start, end: start + token.source.length - 1 } });
    }
  };
  const props = (tokens: readonly (CST.SourceToken | CST.Token)[] | undefined) => tokens?.forEach(take);
  try {
    for (const token of new Parser().parse(text)) {
      if (token.type !== 'document') continue;
      props(token.start);
      take(token.value);
      CST.visit(token, (item) => {
        props(item.start);
        props(item.sep);
        take(item.key);
        take(item.value);
        for (const node of [item.key, item.value]) if (node && 'props' in node) props(node.props);
      });
    }
  } catch {
    // nested too deeply to walk: no anchor features for this text
  }
  sites.sort((a, b) => a.span.start - b.span.start);
  const result: Anchors = { anchors: [], aliases: [] };
  const latest = new Map<string, number>();
  for (const site of sites) {
    if (site.kind === 'anchor') {
      latest.set(site.name, result.anchors.length);
      result.anchors.push({ name: site.name, span: site.span });
    } else {
      result.aliases.push({ name: site.name, span: site.span, anchor: latest.get(site.name) });
    }
  }
  cache.set(parsed, result);
  return result;
}

/** The anchor under `offset` (on it or on one of its aliases) and every site of it, anchor first. */
export function anchorSitesAt(anchors: Anchors, offset: number): { anchor: AnchorSite; sites: Span[] } | undefined {
  const on = (s: Span) => offset >= s.start - 1 && offset <= s.end;
  let index = anchors.anchors.findIndex((a) => on(a.span));
  if (index < 0) index = anchors.aliases.find((a) => on(a.span))?.anchor ?? -1;
  const anchor = anchors.anchors[index];
  if (!anchor) return undefined;
  return { anchor, sites: [anchor.span, ...anchors.aliases.filter((a) => a.anchor === index).map((a) => a.span)] };
}

/** A name YAML accepts for an anchor: no spaces and no flow indicators. */
export function isAnchorName(name: string): boolean {
  return /^[^\s,[\]{}]+$/.test(name);
}
