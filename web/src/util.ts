// DOM and API helpers of the newsdb web UI. Every text from the archive goes into the page
// through textContent (h() children), never innerHTML, so article text cannot inject markup.

export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | null | undefined | ((e: Event) => void)> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const fmt = new Intl.NumberFormat('en-US');
export const n = (x: number) => fmt.format(x);
export const pct = (x: number | null, digits = 1) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`;

/** Snippet text with [[matches]] as <mark> elements. */
export function snippet(s: string): Node[] {
  const out: Node[] = [];
  const re = /\[\[(.*?)\]\]/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m.index > last) out.push(document.createTextNode(s.slice(last, m.index)));
    out.push(h('mark', {}, m[1]));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(document.createTextNode(s.slice(last)));
  return out;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public column?: number,
    public param?: string,
  ) {
    super(message);
  }
}

/** GET /api/<path>?params; JSON or an ApiError with the server's message. */
export async function api<T>(path: string, params: Record<string, string | number | boolean | undefined>): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '' || v === false) continue;
    qs.set(k, v === true ? '1' : String(v));
  }
  const url = `/api/${path}${qs.toString() ? '?' + qs.toString() : ''}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'network', 'The server did not answer (is newsdb serve still running?)');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(res.status, body?.error ?? 'error', body?.message ?? `HTTP ${res.status}`, body?.column);
  }
  return body as T;
}

/** "(q) filter": narrow a query by a filter, whatever operators q holds. */
export function narrow(q: string, filter: string): string {
  return q.trim() ? `(${q.trim()}) ${filter}` : filter;
}

export function quoteValue(v: string): string {
  return /^[A-Za-z0-9._-]+$/.test(v) ? v : `"${v.replace(/"/g, '')}"`;
}

/** UTC seconds of a YYYY-MM-DD date. */
export function dayToSec(d: string): number {
  const [y, m, dd] = d.split('-').map(Number);
  return Date.UTC(y, m - 1, dd) / 1000;
}
