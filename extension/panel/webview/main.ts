// The run panel inside its webview: draws the view the extension sends (graph, table,
// sparklines, failures, runs of this pipeline) with plain DOM and SVG, and sends back what the
// user clicked. Keeps the last view in the webview state, so hiding, showing and reloading the
// window draw it at once.
import { $, activate, connect, el, svg } from '../../webview/browser/page';
import { placeGraph, type Direction, type Placed } from '../layout';
import { columns, type ColumnKey, type GraphEdge, type GraphNode, type PanelView, type Spark, type TableRow } from '../model';
import type { FromPanel, PanelState, ToPanel } from '../protocol';

const page = connect<PanelState, FromPanel, ToPanel>((m) => {
  if (m.type === 'view') {
    state = { ...state, view: m.view, layout: m.layout };
  } else {
    delete state.view;
    $('empty').textContent = m.message;
  }
  page.state = state;
  page.save();
  render();
});
let state: PanelState = page.state;
let placed: { key: string; graph: Placed } | undefined;
/** The panel's width when the graph was last laid out: narrower than the graph, it goes top to bottom. */
let placedFor = 0;

const post = (m: FromPanel) => page.post(m);

function render(): void {
  const view = state.view;
  $('empty').hidden = view !== undefined;
  $('run').hidden = view === undefined;
  if (!view || !state.layout) return;
  // Re-rendering replaces elements: keep the keyboard focus on the same thing.
  const focused = (document.activeElement as HTMLElement | null)?.dataset.key;
  renderHeader(view);
  renderGraph(view);
  renderFailures(view);
  renderTable(view);
  renderHistory(view);
  if (focused) document.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

function renderHeader(view: PanelView): void {
  $('title').textContent = view.title;
  $('title').title = view.file;
  const badge = $('state');
  badge.textContent = view.state;
  badge.className = `badge state-${view.state}`;
  $('summary').textContent = view.summary;
  const pin = $('pin');
  pin.textContent = view.pinned ? 'Pinned to this run' : 'Following the latest run';
  pin.setAttribute('aria-pressed', String(view.pinned));
  $('stop').hidden = view.state !== 'running';
  $('compare').hidden = view.state === 'running' || !view.history.some((h) => h.id < view.runId);
  $('restored').hidden = !view.restored;
}

function renderGraph(view: PanelView): void {
  const width = $('graph').clientWidth;
  if (placed?.key !== state.layout!.key || width !== placedFor) {
    const across = placeGraph(state.layout!, 'LR');
    const direction: Direction = across.width <= width || width === 0 ? 'LR' : 'TB';
    placed = { key: state.layout!.key, graph: direction === 'LR' ? across : placeGraph(state.layout!, 'TB') };
    placedFor = width;
  }
  const g = placed.graph;
  const root = svg('svg', { viewBox: `0 0 ${g.width} ${g.height}`, width: g.width, height: g.height, role: 'group', 'aria-label': 'Stage graph' });
  root.append(
    svg(
      'defs',
      {},
      svg(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }),
      ),
    ),
  );
  view.edges.forEach((e, i) => root.append(edgeOf(e, g.edges[i])));
  for (const n of view.nodes) {
    const box = g.nodes[n.id];
    if (box) root.append(nodeOf(n, box));
  }
  $('graph').replaceChildren(root);
  const why = $('bottleneck');
  why.hidden = !view.bottleneck;
  why.textContent = view.bottleneck ? `Bottleneck: ${view.bottleneck.name} — ${view.bottleneck.why}.` : '';
}

function edgeOf(e: GraphEdge, at: Placed['edges'][number] | undefined): SVGElement {
  const group = svg('g', { class: `edge${e.flowing ? ' flowing' : ''}`, 'data-from': e.from, 'data-to': e.to });
  if (!at) return group;
  const d = at.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
  // "records/s · bytes/s" on two lines, so the label is narrow and the graph fits across.
  const lines = e.label.split(' · ');
  const label = svg('text', { x: at.label.x, y: at.label.y + 4 - (lines.length - 1) * 6.5, 'text-anchor': 'middle', class: 'edge-label' });
  lines.forEach((line, i) => label.append(svg('tspan', { x: at.label.x, dy: i === 0 ? 0 : 13 }, line)));
  group.append(svg('path', { d, 'marker-end': 'url(#arrow)' }), label);
  return group;
}

function nodeOf(n: GraphNode, box: Placed['nodes'][string]): SVGElement {
  const classes = ['node', `status-${n.status}`, n.bottleneck ? 'bottleneck' : ''].filter(Boolean).join(' ');
  const group = svg(
    'g',
    { class: classes, transform: `translate(${box.x} ${box.y})`, 'data-node': n.id },
    svg('rect', { width: box.width, height: box.height, rx: 4 }),
    svg('text', { x: 10, y: 18, class: 'name' }, n.bottleneck ? `⚠ ${n.label}` : n.label),
    svg('text', { x: 10, y: 34, class: 'status' }, n.statusText),
    svg('text', { x: 10, y: 50, class: 'detail' }, n.detail),
  );
  if (n.index !== undefined) {
    const index = n.index;
    group.setAttribute('tabindex', '0');
    group.setAttribute('role', 'button');
    group.setAttribute('data-key', n.id);
    group.setAttribute('aria-label', `${n.label}: ${n.statusText}${n.bottleneck ? ', bottleneck' : ''}. ${n.detail}. Enter shows its line and log.`);
    activate(group, () => post({ type: 'reveal', index }));
  }
  return group;
}

function renderFailures(view: PanelView): void {
  const items = view.failures.map((f) => {
    const show = el('button', { 'data-key': `failure-${f.index}` }, 'Show line and log');
    activate(show, () => post({ type: 'reveal', index: f.index }));
    const parts: Node[] = [el('h3', {}, `${f.name} ${f.how}`)];
    if (f.message) parts.push(el('p', {}, f.message));
    if (f.stderr.length > 0) parts.push(el('pre', { class: 'stderr' }, f.stderr.join('\n')));
    parts.push(show);
    return el('div', { class: 'failure', role: 'alert' }, ...parts);
  });
  $('failures').replaceChildren(...items);
  $('failures').hidden = items.length === 0;
}

function compare(a: TableRow, b: TableRow, key: ColumnKey, descending: boolean): number {
  const x = a.cells[key].sort;
  const y = b.cells[key].sort;
  if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1; // missing values last either way
  const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  return (descending ? -c : c) || a.index - b.index;
}

function sparkline(s: Spark, label: string): SVGElement {
  const w = 90;
  const h = 18;
  const top = s.max > 0 ? s.max : 1;
  const step = s.values.length > 1 ? w / (s.values.length - 1) : 0;
  const points = s.values.map((v, i) => `${(i * step).toFixed(1)},${(h - 1 - (v / top) * (h - 2)).toFixed(1)}`).join(' ');
  return svg(
    'svg',
    { class: 'spark', width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': `${label}, now ${s.latest}` },
    svg('title', {}, `${label}, now ${s.latest}`),
    svg('polyline', { points }),
  );
}

/** A row of the table: a cell per column, and the two sparkline cells after the status (`rate`, `cpu`: filled by the caller). */
function tableRow(cells: TableRow['cells'], attrs: Record<string, string>): { tr: HTMLElement; rate: HTMLElement; cpu: HTMLElement } {
  const tr = el('tr', { tabindex: '0', ...attrs });
  for (const c of columns) {
    const cell = cells[c.key];
    const at: Record<string, string> = { class: c.numeric ? 'num' : '', 'data-col': c.key };
    if (cell.title) at.title = cell.title;
    tr.append(el(c.key === 'name' ? 'th' : 'td', c.key === 'name' ? { ...at, scope: 'row' } : at, cell.text));
  }
  const rate = el('td', { class: 'spark-cell' });
  const cpu = el('td', { class: 'spark-cell' });
  tr.insertBefore(cpu, tr.children[2] ?? null);
  tr.insertBefore(rate, tr.children[2] ?? null);
  return { tr, rate, cpu };
}

function renderTable(view: PanelView): void {
  const sort = state.sort ?? { key: 'name', descending: false };
  const head = el('tr');
  for (const c of columns) {
    const ariaSort = sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none';
    const button = el(
      'button',
      { 'data-key': `sort-${c.key}`, title: `Sort by ${c.title}` },
      c.title,
      sort.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : '',
    );
    activate(button, () => {
      state.sort = { key: c.key, descending: sort.key === c.key ? !sort.descending : c.numeric };
      page.state = state;
      page.save();
      render();
    });
    head.append(el('th', { scope: 'col', 'aria-sort': ariaSort, class: c.numeric ? 'num' : '' }, button));
  }
  // The sparklines come right after the status: in a narrow panel they stay in sight.
  head.insertBefore(el('th', { scope: 'col' }, 'CPU over time'), head.children[2] ?? null);
  head.insertBefore(el('th', { scope: 'col' }, 'Rate over time'), head.children[2] ?? null);
  const rows = [...view.rows].sort((a, b) => compare(a, b, sort.key, sort.descending));
  const body = rows.flatMap((r) => {
    const { tr, rate, cpu } = tableRow(r.cells, {
      'data-key': `row-${r.index}`,
      'data-stage': String(r.index),
      class: `status-${r.status}${r.bottleneck ? ' bottleneck' : ''}`,
    });
    const sparks = view.sparks.find((s) => s.index === r.index);
    if (sparks) {
      rate.append(sparkline(sparks.rate, `${r.cells.name.text} ${sparks.rateUnit}`));
      cpu.append(sparkline(sparks.cpu, `${r.cells.name.text} CPU`));
    }
    // Each copy of a stage with workers right under it, whatever the sort: its step and node, its own numbers.
    const copies = (r.workers ?? []).map(
      (w) =>
        tableRow(w.cells, {
          'data-key': `row-${r.index}-worker-${w.worker}`,
          class: `worker status-${w.status}`,
          'aria-label': `${r.cells.name.text}, ${w.cells.name.text}`,
        }).tr,
    );
    for (const row of [tr, ...copies]) activate(row, () => post({ type: 'reveal', index: r.index }));
    return [tr, ...copies];
  });
  $('table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
}

function renderHistory(view: PanelView): void {
  const items = view.history.map((h) => {
    const b = el(
      'button',
      { 'data-key': `run-${h.id}`, class: `outcome-${h.outcome}${h.current ? ' current' : ''}`, 'aria-current': String(h.current) },
      el('span', { class: 'when' }, h.label),
      ' ',
      h.detail,
    );
    activate(b, () => post({ type: 'showRun', runId: h.id }));
    if (h.current) return el('li', {}, b);
    const compare = el('button', { class: 'compare', 'data-key': `compare-${h.id}`, title: `Compare the run shown with the run of ${h.label}` }, 'Compare');
    activate(compare, () => post({ type: 'compare', runId: h.id }));
    return el('li', {}, b, ' ', compare);
  });
  $('history').replaceChildren(...items);
}

// A resized panel may fit the graph the other way round.
new ResizeObserver(() => {
  if (state.view && $('graph').clientWidth !== placedFor) render();
}).observe($('graph'));
activate($('pin'), () => post({ type: 'pin', pinned: !(state.view?.pinned ?? false) }));
activate($('stop'), () => post({ type: 'stop' }));
activate($('records'), () => post({ type: 'records' }));
activate($('trace'), () => post({ type: 'exportTrace' }));
activate($('compare'), () => post({ type: 'compare' }));
render();
post({ type: 'ready' });
