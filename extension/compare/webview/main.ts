// The Compare view inside its webview: draws what the extension sends (two runs' stages and edges
// side by side with the changes, the records diff with its examples) and sends back what the user
// asks: a key for the records, an example to open, the runs swapped.
import { $, activate, connect, el } from '../../webview/browser/page';
import type { ChangedExample, RecordExample, RecordsComparison } from '../../../engine/compare/records-diff';
import { metrics } from '../../../engine/compare/stats-diff';
import { metricTitles, type Cell, type CompareView, type StatsPart } from '../model';
import type { CompareState, FromCompare, ToCompare } from '../protocol';

const page = connect<CompareState, FromCompare, ToCompare>((m) => {
  if (m.type === 'view') page.state.view = m.view;
  else {
    delete page.state.view;
    $('empty').textContent = m.message;
  }
  page.save();
  render();
});

/** A figure of both runs; the change is its own span, coloured by kind. */
function cellOf(c: Cell, numeric = true): HTMLTableCellElement {
  const td = el('td', { class: `${numeric ? 'num' : ''}${c.changed ? ' changed' : ''}${c.regression ? ' regression' : ''}` });
  const arrow = c.text.indexOf(' (');
  td.append(arrow >= 0 ? c.text.slice(0, arrow) : c.text);
  if (c.changed && c.change !== '—') {
    const kind = c.regression ? 'regression' : c.change.startsWith('−') || c.change.startsWith('×0') ? 'down' : 'up';
    td.append(' ', el('span', { class: `change ${kind}`, title: c.regression ? 'a regression' : 'changed' }, c.change));
  }
  return td;
}

function renderStats(stats: StatsPart, view: CompareView): void {
  $('stats-why').hidden = stats.ok;
  $('edges-section').hidden = !stats.ok || stats.edges.length === 0;
  if (!stats.ok) {
    $('stats-why').textContent = stats.why;
    $('headline').replaceChildren();
    $('stages').replaceChildren();
    return;
  }
  $('headline').replaceChildren(...stats.headline.map((h) => el('li', {}, h)), ...stats.regressions.map((r) => el('li', { class: 'regression' }, r)));
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'Stage'),
    el('th', { scope: 'col' }, 'Status'),
    ...metrics.map((m) => el('th', { scope: 'col', class: 'num' }, metricTitles[m])),
  );
  const rows = stats.stages.map((s) => {
    const tr = el('tr', { 'data-stage': s.name, class: `presence-${s.presence}${s.countsChanged ? ' counts-changed' : ''}` });
    tr.append(el('th', { scope: 'row', title: s.regressions.join('\n') }, s.name), el('td', {}, s.status), ...metrics.map((m) => cellOf(s.cells[m])));
    return tr;
  });
  const total = el('tr', { class: 'total' }, el('th', { scope: 'row' }, 'the run'), el('td', {}, `${view.a.state} → ${view.b.state}`));
  for (const m of metrics) total.append(m === 'recordsOut' ? cellOf(stats.run.records) : m === 'durationMs' ? cellOf(stats.run.durationMs) : el('td'));
  $('stages').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows, total));
  const edgeHead = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'Edge'),
    el('th', { scope: 'col', class: 'num' }, 'Records'),
    el('th', { scope: 'col', class: 'num' }, 'Rec/s of the run'),
  );
  const edgeRows = stats.edges.map((e) => el('tr', { 'data-edge': e.label }, el('th', { scope: 'row' }, e.label), cellOf(e.records), cellOf(e.rate)));
  $('edges').replaceChildren(el('thead', {}, edgeHead), el('tbody', {}, ...edgeRows));
}

function example(run: 'a' | 'b', e: RecordExample, mark: string): HTMLElement {
  const b = el(
    'button',
    { class: `example ${run}`, 'data-key': `open-${run}-${e.n}`, title: `Open record ${e.n} in the records view` },
    el('span', { class: 'mark' }, mark),
    `#${e.n}`,
  );
  activate(b, () => page.post({ type: 'openRecord', run, n: e.n }));
  return el('li', {}, b, el('code', {}, e.line));
}

function changed(e: ChangedExample): HTMLElement {
  return el(
    'li',
    { class: 'changed-example' },
    el('div', {}, el('code', {}, e.key), ' ', el('span', { class: 'fields' }, e.fields.join(', '))),
    el('ul', {}, example('a', e.a, '−'), example('b', e.b, '+')),
  );
}

function renderDiff(c: RecordsComparison, view: CompareView): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const kinds: [string, number, HTMLElement[]][] = [
    [`Only in run ${view.a.id}`, c.onlyInA, c.examples.onlyInA.map((e) => example('a', e, '−'))],
    [`Only in run ${view.b.id}`, c.onlyInB, c.examples.onlyInB.map((e) => example('b', e, '+'))],
  ];
  if (c.key !== undefined) kinds.push([`Changed (by ${c.key})`, c.changed, c.examples.changed.map(changed)]);
  const fields = c.changedFields.length > 0 ? `; fields: ${c.changedFields.map((f) => `${f.field} (${n(f.records)})`).join(', ')}` : '';
  $('records-status').textContent =
    `${n(c.recordsA)} → ${n(c.recordsB)} records, ${c.key !== undefined ? `matched by ${c.key}` : 'whole lines'}: ` +
    `${n(c.onlyInA)} only in run ${view.a.id}, ${n(c.onlyInB)} only in run ${view.b.id}${c.key !== undefined ? `, ${n(c.changed)} changed` : ''}, ${n(c.same)} the same${fields}.` +
    (c.unkeyed > 0 ? ` ${n(c.unkeyed)} without ${c.key} compared as whole lines.` : '');
  $('records-diff').replaceChildren(
    ...kinds
      .filter(([, count]) => count > 0)
      .map(([title, count, items]) =>
        el(
          'section',
          { class: 'kind', 'data-kind': title },
          el('h3', {}, `${title}: ${n(count)}`, items.length < count ? el('span', { class: 'more' }, ` (the first ${items.length})`) : ''),
          el('ul', {}, ...items),
        ),
      ),
  );
}

function render(): void {
  const view = page.state.view;
  $('empty').hidden = view !== undefined;
  $('compare').hidden = view === undefined;
  if (!view) return;
  $('title').textContent = view.title;
  for (const [id, head] of [
    ['run-a', view.a],
    ['run-b', view.b],
  ] as const) {
    const b = $(id);
    b.className = `run state-${head.state}`;
    b.replaceChildren(el('strong', {}, head.label), ` ${head.state} · ${head.detail}`);
    b.title = `Show run ${head.id} in the run panel`;
  }
  renderStats(view.stats, view);
  const key = $('key') as HTMLInputElement;
  $('keys').replaceChildren(...view.keys.map((k) => el('option', { value: k })));
  const r = view.records;
  ($('key-go') as HTMLButtonElement).disabled = r.state === 'unavailable' || r.state === 'comparing';
  if (document.activeElement !== key) key.value = r.state === 'done' ? (r.comparison.key ?? '') : r.state === 'unavailable' ? '' : (r.key ?? '');
  if (r.state === 'done') renderDiff(r.comparison, view);
  else {
    $('records-status').textContent = r.state === 'comparing' ? 'Comparing the records…' : r.why;
    $('records-status').className = r.state === 'failed' ? 'error' : '';
    $('records-diff').replaceChildren();
  }
}

$('key-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  page.post({ type: 'key', key: ($('key') as HTMLInputElement).value });
});
activate($('swap'), () => page.post({ type: 'swap' }));
activate($('run-a'), () => page.post({ type: 'showRun', run: 'a' }));
activate($('run-b'), () => page.post({ type: 'showRun', run: 'b' }));
render();
page.post({ type: 'ready' });
