// The records view inside its webview: a table of the records the extension sends, with columns
// and types inferred from them, search, sort and copy as JSON. Only the rows in sight are in the
// DOM (fixed row height), so thousands of kept records scroll smoothly.
import { $, activate, connect, el } from '../../webview/browser/page';
import type { Selection } from '../keeper';
import { cellText, filterRows, inferColumns, isExpression, parseRecord, rowJson, sortRows, typeOf, type Column, type RecordRow } from '../model';
import type { FromRecords, RecordsState, RecordsView, ToRecords } from '../protocol';

const rowHeight = 24;
const overscan = 10;

const page = connect<RecordsState, FromRecords, ToRecords>((m) => {
  if (m.type === 'view') page.state.view = m.view;
  else {
    delete page.state.view;
    $('empty').textContent = m.message;
  }
  page.save();
  derive();
  render();
});

/** Parsed once per view; filtered and sorted on search and sort. */
let parsed: { view: RecordsView; rows: RecordRow[]; columns: Column[] } | undefined;
let shown: RecordRow[] = [];

function derive(): void {
  const view = page.state.view;
  if (!view) {
    parsed = undefined;
    shown = [];
    return;
  }
  if (parsed?.view !== view) {
    const rows = view.lines.map((l) => parseRecord(l.line, l.n));
    parsed = { view, rows, columns: inferColumns(rows) };
  }
  const kept = filtered(parsed.rows, view);
  const sort = page.state.sort;
  shown = sort && parsed.columns.some((c) => c.key === sort.key) ? sortRows(kept, sort.key, sort.descending) : kept;
}

/** The query as typed, trimmed: what the host's filter result is for. */
const query = () => (page.state.query ?? '').trim();

/**
 * The rows the search box keeps: words are matched here; an expression by the host (it runs
 * code, which this page may not), so until its answer for this query arrives, and while the
 * expression is not valid, every row shows.
 */
function filtered(rows: RecordRow[], view: RecordsView): RecordRow[] {
  const q = query();
  if (!isExpression(q)) return filterRows(rows, q);
  const f = view.filter;
  if (f?.query !== q || f.kind !== 'expression') return rows;
  const keep = new Set(f.matches);
  return rows.filter((r) => keep.has(r.n));
}

/** What the count and the line under the box say about the filter. */
function renderFilter(view: RecordsView, kept: number): void {
  const q = query();
  const f = view.filter?.query === q ? view.filter : undefined;
  const error = $('filter-error');
  error.hidden = f?.kind !== 'invalid';
  error.textContent = f?.kind === 'invalid' ? f.why : '';
  $('search').setAttribute('aria-invalid', String(f?.kind === 'invalid'));
  const pending = isExpression(q) && f === undefined;
  const threw = f?.kind === 'expression' && f.threw > 0 ? ` (${f.threw} not JSON or made the expression throw)` : '';
  $('count').textContent =
    q === ''
      ? `${kept} kept record${kept === 1 ? '' : 's'}`
      : pending
        ? 'Checking the expression…'
        : f?.kind === 'invalid'
          ? ''
          : `${shown.length} of ${kept} kept records match${threw}`;
  const save = $('save') as HTMLButtonElement;
  save.textContent = q !== '' && f?.kind !== 'invalid' ? 'Save matching records…' : 'Save all records…';
  if (f?.kind === 'invalid') {
    save.disabled = true;
    save.title = 'Fix the filter first';
  }
}

function render(): void {
  const view = page.state.view;
  $('empty').hidden = view !== undefined;
  $('records').hidden = view === undefined;
  if (!view || !parsed) return;
  $('title').textContent = view.title;
  const badge = $('state');
  badge.textContent = view.state;
  badge.className = `badge state-${view.state}`;
  $('summary').textContent = view.summary;
  $('note').textContent = view.note;
  $('latest').hidden = !view.newer;
  const save = $('save') as HTMLButtonElement;
  save.disabled = !view.save.ok;
  save.title = view.save.ok ? 'Save every record of this run to a file (NDJSON or CSV), streamed from disk' : view.save.why;
  renderSelection(view);
  renderFilter(view, parsed.rows.length);
  renderHead(parsed.columns);
  scrollToFocus(view);
  renderRows();
}

/** The record the view was opened on (from Compare) in sight, once per record asked for. */
let scrolledTo: string | undefined;
function scrollToFocus(view: RecordsView): void {
  const target = view.focus === undefined ? undefined : `${view.runId}:${view.focus}`;
  if (target === scrolledTo) return;
  scrolledTo = target;
  const at = shown.findIndex((r) => r.n === view.focus);
  if (at >= 0) $('scroller').scrollTop = Math.max(0, (at - 3) * rowHeight);
}

function renderSelection(view: RecordsView): void {
  const choices: [Selection, string][] = [
    ['first', `First ${view.max}`],
    ['last', `Last ${view.max}`],
    ['sample', `Sample of ${view.max}`],
  ];
  const buttons =
    view.stage !== undefined
      ? []
      : choices.map(([key, label]) => {
          const b = el('button', { role: 'radio', 'aria-checked': String(view.selection === key), 'data-key': `select-${key}` }, label);
          activate(b, () => page.post({ type: 'select', selection: key }));
          return b;
        });
  $('selection').replaceChildren(...buttons);
}

function renderHead(columns: Column[]): void {
  const sort = page.state.sort;
  const head = el('tr', {}, el('th', { scope: 'col', class: 'num' }, '#'), el('th', { scope: 'col' }, el('span', { class: 'sr-only' }, 'Copy')));
  for (const c of columns) {
    const ariaSort = sort?.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none';
    const arrow = sort?.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : '';
    const button = el(
      'button',
      { 'data-key': `sort-${c.key}`, title: `${c.key} (${c.type}): sort by it` },
      el('span', { class: 'col-name' }, c.key),
      el('span', { class: 'col-type' }, c.type),
      arrow,
    );
    activate(button, () => {
      page.state.sort = { key: c.key, descending: sort?.key === c.key ? !sort.descending : c.type === 'number' };
      page.save();
      derive();
      render();
    });
    head.append(el('th', { scope: 'col', 'aria-sort': ariaSort, 'data-col': c.key, class: c.type === 'number' ? 'num' : '' }, button));
  }
  $('table').querySelector('thead')!.replaceChildren(head);
}

function spacer(height: number, span: number): HTMLTableRowElement {
  const td = el('td', { colspan: String(span), class: 'spacer' });
  const tr = el('tr', { 'aria-hidden': 'true' }, td);
  td.style.height = `${height}px`; // CSSOM, allowed by the page's CSP (style attributes are not)
  return tr;
}

function rowOf(r: RecordRow, columns: Column[]): HTMLTableRowElement {
  // The copy button next to the number: in sight however wide the record.
  const copy = el('button', { class: 'copy', 'aria-label': `Copy record ${r.n} as JSON`, title: 'Copy as JSON', 'data-key': `copy-${r.n}` }, '{ }');
  activate(copy, () => page.post({ type: 'copy', text: rowJson(r) }));
  const tr = el(
    'tr',
    { 'data-n': String(r.n), ...(r.n === page.state.view?.focus ? { class: 'focused', 'aria-current': 'true' } : {}) },
    el('th', { scope: 'row', class: 'num' }, String(r.n)),
    el('td', {}, copy),
  );
  for (const c of columns) {
    const v = r.cells[c.key];
    const text = cellText(v);
    const kind = v === undefined ? 'missing' : typeOf(v);
    tr.append(el('td', { class: `t-${kind}${c.type === 'number' ? ' num' : ''}`, title: text }, text));
  }
  return tr;
}

/** Only the rows in sight (and a few around them) are in the table; spacers stand for the rest. */
function renderRows(): void {
  if (!parsed) return;
  const scroller = $('scroller');
  const span = parsed.columns.length + 2;
  const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - overscan);
  const count = Math.ceil((scroller.clientHeight || 600) / rowHeight) + 2 * overscan;
  const last = Math.min(shown.length, first + count);
  const rows = shown.slice(first, last).map((r) => rowOf(r, parsed!.columns));
  $('table')
    .querySelector('tbody')!
    .replaceChildren(spacer(first * rowHeight, span), ...rows, spacer((shown.length - last) * rowHeight, span));
}

let pending = false;
$('scroller').addEventListener('scroll', () => {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    renderRows();
  });
});
new ResizeObserver(() => renderRows()).observe($('scroller'));
const search = $('search') as HTMLInputElement;
search.value = page.state.query ?? '';
search.addEventListener('input', () => {
  page.state.query = search.value;
  page.save();
  page.post({ type: 'filter', query: search.value });
  derive();
  $('scroller').scrollTop = 0;
  render();
});
activate($('save'), () => page.post({ type: 'saveAll' }));
activate($('latest'), () => page.post({ type: 'showLatest' }));
derive();
render();
page.post({ type: 'filter', query: search.value });
page.post({ type: 'ready' });
