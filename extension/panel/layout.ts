// The stage graph's geometry, by dagre (left to right, edges routed around boxes, room for the
// rate on each edge). Pure: the webview calls it, and unit tests check it without a browser.
import { Graph, layout as dagreLayout } from '@dagrejs/dagre';
import type { LayoutInput } from './model';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Placed {
  width: number;
  height: number;
  /** Top-left corners. */
  nodes: Record<string, Box>;
  edges: { from: string; to: string; points: { x: number; y: number }[]; label: { x: number; y: number } }[];
}

/** Room for an edge's label: "12.3k rec/s" over "456 KiB/s" (two lines of 11 px text). */
export const edgeLabel = { width: 76, height: 30 };

/** Left to right reads like the shell pipeline; top to bottom fits a narrow panel. */
export type Direction = 'LR' | 'TB';

export function placeGraph(input: LayoutInput, rankdir: Direction = 'LR'): Placed {
  const g = new Graph<{ rankdir: string; nodesep: number; ranksep: number; marginx: number; marginy: number; width?: number; height?: number }>();
  g.setGraph({ rankdir, nodesep: 24, ranksep: 12, marginx: 4, marginy: 4 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) g.setEdge(e.from, e.to, { ...edgeLabel, labelpos: 'c' });
  dagreLayout(g);
  const nodes: Record<string, Box> = {};
  for (const n of input.nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    nodes[n.id] = { x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height };
  }
  const edges = input.edges.map((e) => {
    const p = g.edge(e.from, e.to) as { points: { x: number; y: number }[]; x: number; y: number };
    return { from: e.from, to: e.to, points: p.points, label: { x: p.x, y: p.y } };
  });
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes, edges };
}
