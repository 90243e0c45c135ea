// newsdb web UI: a small single-page app over the JSON API of `newsdb serve`.
//
// Views: search, timeline, outlets, terms, compare, article. Every view's state is in its
// URL (path + query string), so any view can be bookmarked, shared and reloaded; forms
// navigate (pushState) and the back button restores. No framework: plain DOM through h().
import './style.css';
import { lineChart, palette, Series } from './chart';
import { api, ApiError, dayToSec, h, n, narrow, pct, quoteValue, snippet } from './util';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;

const VIEWS: [string, string][] = [
  ['/search', 'Search'],
  ['/timeline', 'Timeline'],
  ['/outlets', 'Outlets'],
  ['/terms', 'Terms'],
  ['/compare', 'Compare'],
];

let renderSeq = 0;

function go(url: string, replace = false) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render();
}

function link(path: string, params: Record<string, string | number | undefined>, ...text: (Node | string)[]) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return h('a', { href: s ? `${path}?${s}` : path, 'data-nav': true }, ...text);
}

function url(path: string, params: Record<string, string | number | undefined>) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/* ------------------------------------------------------------------ shared pieces */

function errorBox(e: unknown, query?: string): HTMLElement {
  const err = e instanceof ApiError ? e : new ApiError(0, 'error', String(e));
  const box = h('div', { class: 'error', role: 'alert' },
    h('strong', {}, err.status === 503 && err.code === 'timeout' ? 'Query took too long' :
      err.status >= 500 ? 'Server error' : err.code === 'network' ? 'No connection' : 'Cannot run this query'),
    h('p', { class: 'error-msg' }, err.message));
  if (err.column && query) {
    const col = err.column;
    box.append(h('pre', { class: 'caret', 'aria-label': `error at column ${col}` },
      query + '\n' + ' '.repeat(Math.max(0, col - 1)) + '^'));
  }
  return box;
}

function loading(): HTMLElement {
  return h('div', { class: 'loading', 'aria-busy': 'true' }, h('span', { class: 'spinner' }), 'Loading…');
}

function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'label' }, label), input, hint ? h('span', { class: 'hint' }, hint) : null);
}

function queryInput(name: string, value: string, placeholder: string, autofocus = false): HTMLInputElement {
  return h('input', {
    type: 'search', name, value, placeholder, autocomplete: 'off', spellcheck: 'false',
    class: 'q', 'aria-label': placeholder, autofocus,
  });
}

function select(name: string, value: string, options: [string, string][]): HTMLSelectElement {
  const s = h('select', { name });
  for (const [v, label] of options) s.append(h('option', { value: v, selected: v === value }, label));
  return s;
}

/** A form whose submit navigates to path with its fields (empty ones left out). */
function form(path: string, children: HTMLElement[], extra?: (fd: FormData) => void): HTMLFormElement {
  const f = h('form', { class: 'query-form', role: 'search' }, ...children);
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(f);
    extra?.(fd);
    const p: Record<string, string> = {};
    fd.forEach((v, k) => { if (typeof v === 'string' && v.trim() !== '') p[k] = v.trim(); });
    go(url(path, p));
  });
  return f;
}

const BY: [string, string][] = [['day', 'Day'], ['week', 'Week'], ['month', 'Month'], ['year', 'Year']];

function heading(title: string, sub?: string | Node): HTMLElement {
  return h('div', { class: 'view-head' }, h('h1', {}, title), sub ? h('p', { class: 'sub' }, sub) : null);
}

function empty(text: string): HTMLElement {
  return h('p', { class: 'empty' }, text);
}

/* ------------------------------------------------------------------ search */

interface Hit { id: number; score: number; url: string; outlet: string; title: string; date: string | null; snippet: string; copies?: number }
interface SearchRes {
  query: string; total: number; unique?: number; offset: number; limit: number; sort: string; hits: Hit[];
  facets?: { outlet?: { key: string; count: number }[]; date?: { key: string | null; count: number }[] };
}

const PAGE = 20;

async function viewSearch(p: URLSearchParams, seq: number) {
  const q = p.get('q') ?? '';
  const sort = p.get('sort') ?? 'score';
  const page = Math.max(1, Number(p.get('page') ?? '1') || 1);
  const collapse = p.get('collapse') === '1';
  main.replaceChildren(
    heading('Search', 'Exact full-text search: boolean operators, "phrases", prefix*, outlet: and date: filters.'),
    form('/search', [
      h('div', { class: 'row' },
        queryInput('q', q, 'Search the archive, e.g. climate AND (policy OR law) date:2019', true),
        select('sort', sort, [['score', 'Relevance'], ['date', 'Newest first'], ['date_asc', 'Oldest first']]),
        h('button', { type: 'submit', class: 'primary' }, 'Search')),
      h('div', { class: 'row' }, h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'collapse', value: '1', checked: collapse }), 'Collapse near-duplicates (one hit per story)')),
    ]),
  );
  if (!q) {
    main.append(examples());
    return;
  }
  const out = h('div', { class: 'results' }, loading());
  main.append(out);
  try {
    const offset = (page - 1) * PAGE;
    const r = await api<SearchRes>('search', { q, sort, limit: PAGE, offset, facets: 'outlet,date', collapse });
    if (seq !== renderSeq) return;
    out.replaceChildren();
    const shown = collapse && r.unique !== undefined ? r.unique : r.total;
    const pages = Math.max(1, Math.ceil(Math.min(shown, 10000) / PAGE));
    out.append(h('div', { class: 'summary' },
      h('span', { class: 'total', 'data-testid': 'total' }, n(r.total)), ` ${r.total === 1 ? 'article matches' : 'articles match'}`,
      collapse && r.unique !== undefined ? h('span', { 'data-testid': 'unique' }, `· ${n(r.unique)} unique stories`) : null,
      r.total > 0 ? h('span', { class: 'muted' }, ` · showing ${n(offset + 1)}–${n(offset + r.hits.length)}`) : null,
      h('span', { class: 'actions' },
        link('/timeline', { q }, 'Timeline'), link('/outlets', { q }, 'Outlets'), link('/terms', { q }, 'Terms'),
        h('a', { href: url('/api/export', { q, format: 'csv' }), download: 'newsdb-export.csv' }, 'Export CSV'))));
    if (r.total === 0) {
      out.append(empty('No article matches this query. Try fewer words, OR, or a prefix*.'));
      return;
    }
    const list = h('ol', { class: 'hits', start: offset + 1 });
    for (const hit of r.hits) {
      list.append(h('li', { class: 'hit' },
        h('h2', { class: hit.title ? '' : 'untitled' }, link(`/article/${hit.id}`, {}, hit.title || hit.url)),
        h('div', { class: 'meta' },
          hit.outlet ? link('/search', { q: narrow(q, `outlet:${quoteValue(hit.outlet)}`) }, hit.outlet) : null,
          hit.date ? h('span', {}, hit.date) : h('span', { class: 'muted' }, 'undated'),
          sort === 'score' ? h('span', { class: 'muted', title: 'BM25 score' }, hit.score.toFixed(2)) : null,
          hit.copies && hit.copies > 1 ? h('span', { class: 'badge blue' }, `+${n(hit.copies - 1)} near-duplicate${hit.copies > 2 ? 's' : ''}`) : null),
        hit.snippet ? h('p', { class: 'snippet' }, ...snippet(hit.snippet)) : null,
        hit.title ? h('div', { class: 'url' }, hit.url) : null));
    }
    const facets = h('aside', { class: 'facets', 'aria-label': 'Breakdowns of all matches' });
    if (r.facets?.outlet?.length) {
      const max = Math.max(...r.facets.outlet.map((f) => f.count));
      facets.append(h('h3', {}, 'Outlets'), h('ul', {}, ...r.facets.outlet.map((f) =>
        h('li', {}, link('/search', { q: narrow(q, `outlet:${quoteValue(f.key || '""')}`), sort }, f.key || '(none)'),
          h('span', { class: 'fbar', style: `width:${(f.count / max) * 100}%` }), h('span', { class: 'fcount' }, n(f.count))))));
    }
    if (r.facets?.date?.length) {
      const max = Math.max(...r.facets.date.map((f) => f.count));
      facets.append(h('h3', {}, 'Years'), h('ul', {}, ...r.facets.date.map((f) =>
        h('li', {}, f.key ? link('/search', { q: narrow(q, `date:${f.key}`), sort }, f.key) : h('span', { class: 'muted' }, 'undated'),
          h('span', { class: 'fbar', style: `width:${(f.count / max) * 100}%` }), h('span', { class: 'fcount' }, n(f.count))))));
    }
    const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
      page > 1 ? link('/search', { q, sort: sort === 'score' ? undefined : sort, collapse: collapse ? 1 : undefined, page: page - 1 }, '← Previous') : h('span', { class: 'muted' }, '← Previous'),
      h('span', {}, `Page ${n(page)} of ${n(pages)}`),
      page < pages ? link('/search', { q, sort: sort === 'score' ? undefined : sort, collapse: collapse ? 1 : undefined, page: page + 1 }, 'Next →') : h('span', { class: 'muted' }, 'Next →'));
    out.append(h('div', { class: 'two-col' }, h('div', {}, list, pager), facets));
  } catch (e) {
    if (seq === renderSeq) out.replaceChildren(errorBox(e, q));
  }
}

function examples(): HTMLElement {
  const ex = ['police AND protest', '"climate change" date:2019..2020', 'elect* -trump', 'outlet:bbc.com syria'];
  return h('div', { class: 'examples' }, h('h3', {}, 'Try'),
    h('ul', {}, ...ex.map((q) => h('li', {}, link('/search', { q }, h('code', {}, q))))),
    h('p', { class: 'muted' }, 'Syntax: AND (or a space), OR, NOT or -word, "exact phrase", "near words"~5, prefix*, outlet:domain, date:2016, date:2016-01..2016-06.'));
}

/* ------------------------------------------------------------------ timeline */

interface TLRow { period: string | null; start: string | null; count: number; total: number; share: number | null }
interface TLRes { query: string; by: string; matched: number; in_range: number; rows: TLRow[] }

const QKEYS = ['q', 'q2', 'q3', 'q4', 'q5', 'q6'];

async function viewTimeline(p: URLSearchParams, seq: number) {
  const qs = QKEYS.map((k) => p.get(k) ?? '').filter((q) => q.trim() !== '');
  const by = p.get('by') ?? 'month';
  const norm = p.get('norm') === '1';
  const from = p.get('from') ?? '', to = p.get('to') ?? '';
  const inputs = h('div', { class: 'qlist' });
  const addInput = (v: string, i: number) => inputs.append(h('div', { class: 'qline' },
    h('span', { class: 'swatch', style: `background:${palette[i % palette.length]}` }),
    queryInput(QKEYS[i], v, i === 0 ? 'A query, e.g. syria' : `Query ${i + 1} to overlay (optional)`, i === 0)));
  (qs.length ? qs : ['']).forEach(addInput);
  const more = h('button', { type: 'button', class: 'ghost' }, '+ Add a query');
  more.addEventListener('click', () => {
    const k = inputs.children.length;
    if (k < QKEYS.length) addInput('', k);
    (inputs.lastElementChild?.querySelector('input') as HTMLInputElement | null)?.focus();
    if (inputs.children.length >= QKEYS.length) more.remove();
  });
  const normBox = h('input', { type: 'checkbox', name: 'norm', value: '1', checked: norm });
  main.replaceChildren(
    heading('Attention over time', 'Matching articles per period, or their share of everything published in that period. Overlay up to six queries.'),
    form('/timeline', [
      inputs,
      h('div', { class: 'row controls' },
        qs.length < QKEYS.length ? more : null,
        field('Period', select('by', by, BY)),
        field('From', h('input', { type: 'date', name: 'from', value: from })),
        field('To', h('input', { type: 'date', name: 'to', value: to })),
        h('label', { class: 'check' }, normBox, 'Share of all articles'),
        h('button', { type: 'submit', class: 'primary' }, 'Chart')),
    ]),
  );
  if (!qs.length) {
    main.append(empty('Enter a query to chart how much coverage it received over time.'));
    return;
  }
  const out = h('div', { class: 'results' }, loading());
  main.append(out);
  try {
    const res = await Promise.all(qs.map((q) => api<TLRes>('timeline', { q, by, from, to })));
    if (seq !== renderSeq) return;
    const starts = new Set<string>();
    for (const r of res) for (const row of r.rows) if (row.start) starts.add(row.start);
    const xsStr = [...starts].sort();
    const xs = xsStr.map(dayToSec);
    const series: Series[] = res.map((r, i) => {
      const m = new Map(r.rows.filter((x) => x.start).map((x) => [x.start!, x]));
      return {
        label: qs[i],
        values: xsStr.map((s) => { const row = m.get(s); return row ? (norm ? row.share ?? 0 : row.count) : 0; }),
      };
    });
    out.replaceChildren();
    const legend = h('div', { class: 'tl-summary' }, ...res.map((r, i) => {
      const undated = r.rows.find((x) => !x.start)?.count ?? 0;
      return h('div', { class: 'tl-item' },
        h('span', { class: 'swatch', style: `background:${palette[i % palette.length]}` }),
        link('/search', { q: qs[i] }, h('code', {}, qs[i])),
        h('span', {}, ` ${n(r.matched)} articles`),
        undated ? h('span', { class: 'muted' }, ` (${n(undated)} undated, not drawn)`) : null);
    }));
    out.append(legend);
    if (!xs.length) out.append(empty('No dated article matches.'));
    else out.append(lineChart(xs, series, { share: norm, by, title: `Timeline of ${qs.join(', ')}` }));
    out.append(h('p', { class: 'muted small' },
      norm ? 'Share = matching articles / all articles of the period (exact counts).' : 'Exact counts of matching current articles per period.',
      ' Drag on the chart to zoom, double-click to reset.'));
  } catch (e) {
    if (seq === renderSeq) out.replaceChildren(errorBox(e, qs.join(' | ')));
  }
}

/* ------------------------------------------------------------------ outlets */

interface OutRow { outlet: string; count: number; total: number; share: number | null }
interface OutRes { query: string; matched: number; in_range: number; rows: OutRow[] }

async function viewOutlets(p: URLSearchParams, seq: number) {
  const q = p.get('q') ?? '';
  const top = p.get('top') ?? '25';
  const rank = p.get('rank') ?? 'count';
  const from = p.get('from') ?? '', to = p.get('to') ?? '';
  main.replaceChildren(
    heading('Outlets', 'Who covered it: matching articles per outlet, and the share of the outlet’s own output.'),
    form('/outlets', [
      h('div', { class: 'row' }, queryInput('q', q, 'A query, e.g. climate', true),
        h('button', { type: 'submit', class: 'primary' }, 'Show')),
      h('div', { class: 'row controls' },
        field('Top', select('top', top, [['10', '10'], ['25', '25'], ['50', '50'], ['100', '100']])),
        field('Rank by', select('rank', rank, [['count', 'Articles'], ['share', 'Share of output']])),
        field('From', h('input', { type: 'date', name: 'from', value: from })),
        field('To', h('input', { type: 'date', name: 'to', value: to }))),
    ]),
  );
  if (!q) { main.append(empty('Enter a query to see which outlets covered it.')); return; }
  const out = h('div', { class: 'results' }, loading());
  main.append(out);
  try {
    const r = await api<OutRes>('outlets', { q, top: rank === 'share' ? 0 : top, from, to });
    if (seq !== renderSeq) return;
    let rows = r.rows;
    if (rank === 'share') rows = [...rows].sort((a, b) => (b.share ?? 0) - (a.share ?? 0) || b.count - a.count).slice(0, Number(top));
    const max = Math.max(1, ...rows.map((x) => (rank === 'share' ? x.share ?? 0 : x.count)));
    out.replaceChildren(h('div', { class: 'summary' }, h('span', { class: 'total' }, n(r.matched)), ' matching articles',
      h('span', { class: 'muted' }, ` · ${n(r.rows.length)} outlets shown`)));
    if (!rows.length) { out.append(empty('No article matches.')); return; }
    out.append(h('table', { class: 'bars', 'data-testid': 'outlets' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Outlet'), h('th', { class: 'barcol' }, rank === 'share' ? 'Share of its output' : 'Matching articles'),
        h('th', { class: 'num' }, 'Articles'), h('th', { class: 'num' }, 'Of its output'))),
      h('tbody', {}, ...rows.map((x) => h('tr', {},
        h('td', {}, link('/search', { q: narrow(q, `outlet:${quoteValue(x.outlet || '""')}`) }, x.outlet || '(none)')),
        h('td', { class: 'barcol' }, h('div', { class: 'bar', style: `width:${((rank === 'share' ? x.share ?? 0 : x.count) / max) * 100}%` })),
        h('td', { class: 'num' }, n(x.count)),
        h('td', { class: 'num muted' }, `${pct(x.share)} of ${n(x.total)}`))))));
  } catch (e) {
    if (seq === renderSeq) out.replaceChildren(errorBox(e, q));
  }
}

/* ------------------------------------------------------------------ terms */

interface TermRow { term: string; stem: string; count: number; docs: number; bg_count?: number; z?: number }
interface TermRes { query: string; significant: boolean; matched: number; bg_docs: number; rows: TermRow[] }

function termTable(rows: TermRow[], significant: boolean, q: string, otherLabel = 'Background'): HTMLElement {
  const max = Math.max(1e-9, ...rows.map((r) => (significant ? r.z ?? 0 : r.count)));
  return h('table', { class: 'bars terms' },
    h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'Term'), h('th', { class: 'barcol' }, significant ? 'z-score' : 'Occurrences'),
      significant ? h('th', { class: 'num' }, 'z') : null, h('th', { class: 'num' }, 'Count'),
      significant ? h('th', { class: 'num' }, otherLabel) : h('th', { class: 'num' }, 'Articles'))),
    h('tbody', {}, ...rows.map((r, i) => h('tr', {},
      h('td', { class: 'num muted' }, String(i + 1)),
      h('td', {}, link('/search', { q: narrow(q, r.term.includes(' ') ? `"${r.term}"` : r.term) }, r.term)),
      h('td', { class: 'barcol' }, h('div', { class: 'bar', style: `width:${(Math.max(0, significant ? r.z ?? 0 : r.count) / max) * 100}%` })),
      significant ? h('td', { class: 'num' }, (r.z ?? 0).toFixed(1)) : null,
      h('td', { class: 'num' }, n(r.count)),
      h('td', { class: 'num muted' }, n(significant ? r.bg_count ?? 0 : r.docs))))));
}

async function viewTerms(p: URLSearchParams, seq: number) {
  const q = p.get('q') ?? '';
  const mode = p.get('mode') ?? 'frequent';
  const bg = p.get('bg') ?? '';
  const top = p.get('top') ?? '30';
  main.replaceChildren(
    heading('Terms', 'Frequent words and word pairs of the matching articles, or the significant ones (log-odds z-score against a background).'),
    form('/terms', [
      h('div', { class: 'row' }, queryInput('q', q, 'A query, e.g. immigration', true),
        h('button', { type: 'submit', class: 'primary' }, 'Show')),
      h('div', { class: 'row controls' },
        field('Kind', select('mode', mode, [['frequent', 'Frequent terms'], ['significant', 'Significant terms'], ['bigrams', 'Frequent word pairs']])),
        field('Background (significant)', h('input', { type: 'search', name: 'bg', value: bg, placeholder: 'whole archive', class: 'q small' })),
        field('Top', select('top', top, [['15', '15'], ['30', '30'], ['50', '50'], ['100', '100']]))),
    ]),
  );
  if (!q) { main.append(empty('Enter a query to see its vocabulary.')); return; }
  const out = h('div', { class: 'results' }, loading());
  main.append(out);
  try {
    const sig = mode === 'significant';
    const r = await api<TermRes>('terms', { q, top, significant: sig, bigrams: mode === 'bigrams', background: sig ? bg : undefined });
    if (seq !== renderSeq) return;
    out.replaceChildren(h('div', { class: 'summary' }, h('span', { class: 'total' }, n(r.matched)), ' matching articles',
      sig ? h('span', { class: 'muted' }, ` · against ${n(r.bg_docs)} background articles${bg ? ` (${bg})` : ''}`) : null));
    if (!r.rows.length) { out.append(empty('No terms (no article matches, or only stop words).')); return; }
    out.append(termTable(r.rows, sig, q));
  } catch (e) {
    if (seq === renderSeq) out.replaceChildren(errorBox(e, q));
  }
}

/* ------------------------------------------------------------------ compare */

interface CmpRow { period: string | null; start: string | null; a: number; a_total: number; b: number; b_total: number }
interface CmpRes { query: string; a: string; b: string; by: string; a_matched: number; b_matched: number; terms: { a: TermRow[]; b: TermRow[] }; timeline: CmpRow[] }

async function viewCompare(p: URLSearchParams, seq: number) {
  const q = p.get('q') ?? '', a = p.get('a') ?? '', b = p.get('b') ?? '';
  const by = p.get('by') ?? 'year';
  const norm = p.get('norm') === '1';
  main.replaceChildren(
    heading('Compare two sides', 'How two outlets (or periods, or any two filters) frame the same topic: the words distinctive of each side, and both timelines.'),
    form('/compare', [
      h('div', { class: 'row' }, queryInput('q', q, 'Topic, e.g. immigration', true)),
      h('div', { class: 'row' },
        h('span', { class: 'swatch', style: `background:${palette[0]}` }), queryInput('a', a, 'Side A, e.g. outlet:foxnews.com'),
        h('span', { class: 'swatch', style: `background:${palette[1]}` }), queryInput('b', b, 'Side B, e.g. outlet:cnn.com')),
      h('div', { class: 'row controls' },
        field('Period', select('by', by, BY)),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'norm', value: '1', checked: norm }), 'Share of each side’s output'),
        h('button', { type: 'submit', class: 'primary' }, 'Compare')),
    ]),
  );
  if (!q || !a || !b) { main.append(empty('Enter a topic and two sides (any filters: outlet:…, date:…, words).')); return; }
  const out = h('div', { class: 'results' }, loading());
  main.append(out);
  try {
    const r = await api<CmpRes>('compare', { q, a, b, by, top: 20 });
    if (seq !== renderSeq) return;
    const rows = r.timeline.filter((x) => x.start);
    out.replaceChildren(
      h('div', { class: 'summary' }, 'A: ', h('span', { class: 'total' }, n(r.a_matched)), ' articles · B: ', h('span', { class: 'total' }, n(r.b_matched)), ' articles'),
      rows.length ? lineChart(rows.map((x) => dayToSec(x.start!)), [
        { label: `A: ${a}`, values: rows.map((x) => (norm ? (x.a_total ? x.a / x.a_total : 0) : x.a)) },
        { label: `B: ${b}`, values: rows.map((x) => (norm ? (x.b_total ? x.b / x.b_total : 0) : x.b)) },
      ], { share: norm, by, title: `Compare ${a} and ${b}` }) : empty('No dated matches on either side.'),
      h('div', { class: 'cmp' },
        h('section', {}, h('h3', {}, h('span', { class: 'swatch', style: `background:${palette[0]}` }), `Distinctive of A: ${a}`), termTable(r.terms.a, true, narrow(q, a), 'On B')),
        h('section', {}, h('h3', {}, h('span', { class: 'swatch', style: `background:${palette[1]}` }), `Distinctive of B: ${b}`), termTable(r.terms.b, true, narrow(q, b), 'On A'))));
  } catch (e) {
    if (seq === renderSeq) out.replaceChildren(errorBox(e, q));
  }
}

/* ------------------------------------------------------------------ article */

interface Version { id: number; version: number; date: string | null; live: boolean; bytes: number }
interface Article {
  id: number; url: string; outlet: string; date: string | null; title: string; lang: string; source: string;
  version: number; live: boolean; paragraphs: string[]; versions: Version[];
}

interface Member { id: number; date: string | null; outlet: string }
interface ReusePara { para: number; fingerprinted: boolean; earliest: number; count: number; others: Member[] }
interface Reuse { id: number; cluster: number; reused: number; copied: number; paragraphs: ReusePara[] }

function reuseNote(a: Article, r: ReusePara): HTMLElement | null {
  if (!r.count) return null;
  const first = r.earliest !== a.id ? r.others.find((m) => m.id === r.earliest) : undefined;
  const shown = r.others.slice(0, 6);
  return h('div', { class: 'reuse', 'data-testid': 'reuse' },
    first ? h('span', { class: 'badge amber' }, 'copied') : h('span', { class: 'badge green' }, 'first here'),
    ` Also in ${n(r.count)} other article${r.count > 1 ? 's' : ''}: `,
    ...shown.map((m, i) => h('span', {}, i ? ', ' : '', link(`/article/${m.id}`, {}, `${m.outlet || 'article'} ${m.date ?? ''}`.trim()))),
    r.count > shown.length ? h('span', { class: 'muted' }, ` and ${n(r.count - shown.length)} more`) : null);
}

async function viewArticle(id: string, seq: number) {
  main.replaceChildren(loading());
  try {
    const reuseP = api<Reuse>(`reuse/${encodeURIComponent(id)}`, {}).catch(() => null);
    const a = await api<Article>(`article/${encodeURIComponent(id)}`, {});
    const reuse = await reuseP;
    if (seq !== renderSeq) return;
    document.title = `${a.title || a.url} — newsdb`;
    const meta = h('dl', { class: 'ameta' },
      h('dt', {}, 'Outlet'), h('dd', {}, a.outlet ? link('/search', { q: `outlet:${quoteValue(a.outlet)}` }, a.outlet) : '—'),
      h('dt', {}, 'Date'), h('dd', {}, a.date ?? 'undated'),
      h('dt', {}, 'URL'), h('dd', {}, h('a', { href: a.url, rel: 'noopener noreferrer nofollow', target: '_blank', class: 'ext' }, a.url)),
      h('dt', {}, 'Version'), h('dd', {}, `${a.version} of ${a.versions.length}`, a.live ? '' : h('span', { class: 'badge' }, 'superseded')),
      a.lang ? h('dt', {}, 'Language') : null, a.lang ? h('dd', {}, a.lang) : null,
      h('dt', {}, 'Source'), h('dd', { class: 'muted' }, a.source),
      h('dt', {}, 'Id'), h('dd', {}, String(a.id)));
    const versions = a.versions.length > 1 ? h('div', { class: 'versions' }, h('h3', {}, 'Versions of this URL'),
      h('ol', {}, ...a.versions.map((v) => h('li', {}, v.id === a.id ? h('strong', {}, `#${v.version}`) : link(`/article/${v.id}`, {}, `#${v.version}`),
        ` · ${v.date ?? 'undated'} · ${n(v.bytes)} bytes`, v.live ? ' · current' : '')))) : null;
    main.replaceChildren(h('article', { class: 'article' },
      h('p', { class: 'back' }, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); history.length > 1 ? history.back() : go('/search'); } }, '← Back')),
      h('h1', { class: a.title ? '' : 'untitled' }, a.title || a.url),
      h('div', { class: 'article-grid' },
        h('div', { class: 'paras' }, ...a.paragraphs.flatMap((t, i) => [
          h('p', { id: `p${i + 1}` }, h('a', { class: 'pnum', href: `#p${i + 1}`, 'aria-label': `paragraph ${i + 1}` }, String(i + 1)), t),
          reuse?.paragraphs[i] ? reuseNote(a, reuse.paragraphs[i]) : null,
        ].filter((x): x is HTMLElement => x !== null))),
        h('aside', {}, meta, reuse ? h('div', { class: 'reuse-sum', 'data-testid': 'reuse-summary' }, h('h3', {}, 'Paragraph reuse'),
          reuse.reused ? h('p', {}, `${n(reuse.reused)} of ${n(a.paragraphs.length)} paragraphs also appear in other articles; ${n(reuse.copied)} appeared elsewhere first.`)
            : h('p', { class: 'muted' }, 'No paragraph of this article appears in another one.'),
          reuse.cluster !== a.id ? h('p', {}, 'In the near-duplicate cluster of ', link(`/article/${reuse.cluster}`, {}, `article ${reuse.cluster}`), '.') : null) : null,
          versions))));
  } catch (e) {
    if (seq === renderSeq) main.replaceChildren(errorBox(e));
  }
}

/* ------------------------------------------------------------------ router */

function renderNav(path: string, p: URLSearchParams) {
  const q = p.get('q') ?? '';
  nav.replaceChildren(...VIEWS.map(([v, label]) => {
    const a = link(v, { q: q || undefined }, label);
    if (path === v || (path === '/' && v === '/search')) a.setAttribute('aria-current', 'page');
    return a;
  }));
}

async function render() {
  const seq = ++renderSeq;
  const path = location.pathname;
  const p = new URLSearchParams(location.search);
  renderNav(path, p);
  const title = VIEWS.find(([v]) => v === path)?.[1];
  document.title = title ? `${title}${p.get('q') ? ': ' + p.get('q') : ''} — newsdb` : 'newsdb';
  if (path === '/' || path === '/search') await viewSearch(p, seq);
  else if (path === '/timeline') await viewTimeline(p, seq);
  else if (path === '/outlets') await viewOutlets(p, seq);
  else if (path === '/terms') await viewTerms(p, seq);
  else if (path === '/compare') await viewCompare(p, seq);
  else if (path.startsWith('/article/')) await viewArticle(path.slice(9), seq);
  else main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, link('/search', {}, 'Go to search')));
}

interface Stats { articles: number; outlets: number; date_min: string | null; date_max: string | null; version: string }

async function archiveLine() {
  const el = document.getElementById('archive')!;
  try {
    const s = await api<Stats>('stats', {});
    el.textContent = `${n(s.articles)} articles · ${n(s.outlets)} outlets${s.date_min ? ` · ${s.date_min} – ${s.date_max}` : ''}`;
  } catch {
    el.textContent = '';
  }
}

document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest?.('a[data-nav]') as HTMLAnchorElement | null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  go(a.getAttribute('href')!);
  window.scrollTo(0, 0);
});
window.addEventListener('popstate', () => void render());
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (e.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) {
    const q = main.querySelector('input.q') as HTMLInputElement | null;
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  }
});

void archiveLine();
void render();
