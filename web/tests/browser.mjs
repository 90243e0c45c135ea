// Browser tests of the newsdb web UI (part of `make check`): Playwright (playwright-core, no
// browser download) drives Debian's /usr/bin/chromium, headless, against a real
// `newsdb serve` on 127.0.0.1 started here on an archive built here (tools/gen_corpus +
// `newsdb add`). Each test checks the page against the JSON API (the API itself is checked
// against the library by tests/server/test_http.c) and saves a screenshot of the page to
// $NEWSDB_ARTIFACTS (default build/artifacts/). Prints one line per test and a last line
// "browser: N passed, N failed" (tools/run_tests.sh adds it to the summary); exit 1 on any
// failure.
//
// Env: NEWSDB_BIN (required; bin/gen_corpus next to it), CHROMIUM (default /usr/bin/chromium),
// NEWSDB_ARTIFACTS, NEWSDB_DB (use an existing archive instead of building one).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.NEWSDB_BIN;
if (!bin || !existsSync(bin)) {
  console.log('browser: NEWSDB_BIN is not set or missing: browser tests skipped');
  console.log('browser: 0 passed, 0 failed, 1 skipped');
  process.exit(0);
}
const chromePath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = resolve(process.env.NEWSDB_ARTIFACTS || join(here, '..', '..', 'build', 'artifacts'));
mkdirSync(artifacts, { recursive: true });

// ---------------------------------------------------------------- archive and server
const work = mkdtempSync(join(tmpdir(), 'ndb-browser-'));
let db = process.env.NEWSDB_DB;
if (!db) {
  db = join(work, 'db');
  const gen = join(dirname(bin), 'gen_corpus');
  execFileSync(gen, ['--n', '3000', '--seed', '11', '--out', join(work, 'corpus')], { stdio: 'ignore' });
  // plant near-duplicates: five articles again under other URLs (same body)
  const files = readdirSync(join(work, 'corpus')).filter((f) => f.endsWith('.txt')).sort().slice(10, 15);
  mkdirSync(join(work, 'copies'));
  files.forEach((f, i) => {
    const text = readFileSync(join(work, 'corpus', f), 'utf8');
    writeFileSync(join(work, 'copies', f), `http://copies.example.com/2019/06/1${i}/copy-${i}` + text.slice(text.indexOf('\n')));
  });
  execFileSync(bin, ['add', '-d', db, join(work, 'corpus'), join(work, 'copies')], { stdio: 'ignore' });
}
const server = spawn(bin, ['serve', '-d', db, '--listen', '127.0.0.1:0', '--threads', '4'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const base = await new Promise((res, rej) => {
  let buf = '';
  server.stdout.on('data', (d) => {
    buf += d;
    const m = buf.match(/http:\/\/127\.0\.0\.1:\d+\//);
    if (m) res(m[0].replace(/\/$/, ''));
  });
  server.on('exit', (c) => rej(new Error(`newsdb serve exited with ${c}: ${buf}`)));
  setTimeout(() => rej(new Error('newsdb serve did not print its URL')), 10000);
});
const apiGet = async (path) => {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.json() };
};

// A query word that surely matches: the most frequent term of the archive.
const stats = (await apiGet('/api/stats')).body;
const anyTerms = (await apiGet('/api/terms?q=' + encodeURIComponent('date:1900..2100') + '&top=5')).body.rows;
const W1 = anyTerms[0].term, W2 = anyTerms[1].term;
const outletsAll = (await apiGet('/api/outlets?q=' + W1 + '&top=2')).body.rows;

// ---------------------------------------------------------------- harness
const browser = await chromium.launch({ executablePath: chromePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ viewport: { width: 1366, height: 860 }, deviceScaleFactor: 1 });
const external = [];
const consoleErrors = [];
context.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) external.push(r.url()); });
const results = [];

async function test(name, fn) {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${name}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${name}: ${e.message}`));
  const t0 = Date.now();
  try {
    await fn(page);
    results.push([name, true]);
    console.log(`  ok    ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`  FAIL  ${name}: ${e.message.split('\n').slice(0, 6).join('\n        ')}`);
    await page.screenshot({ path: join(artifacts, `FAILED-${name}.png`), fullPage: true }).catch(() => {});
  }
  await page.close();
}
const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const num = (s) => Number(String(s).replace(/[^0-9]/g, ''));

// ---------------------------------------------------------------- tests
await test('search_by_url', async (page) => {
  const q = `${W1} ${W2}`;
  await page.goto(`${base}/search?q=${encodeURIComponent(q)}`);
  const total = await page.locator('[data-testid=total]').textContent({ timeout: 10000 });
  const api = (await apiGet(`/api/count?q=${encodeURIComponent(q)}`)).body.total;
  assert.equal(num(total), api, 'shown total equals /api/count');
  assert.ok(api > 0);
  const hits = await page.locator('li.hit').count();
  assert.equal(hits, Math.min(20, api), 'a page of 20 hits');
  assert.ok((await page.locator('li.hit mark').count()) > 0, 'snippets highlight matches');
  const facetOutlets = await page.locator('aside.facets li').count();
  assert.ok(facetOutlets > 0, 'facets shown');
  assert.equal(await page.locator('input[name=q]').inputValue(), q, 'the query box shows the URL query');
  await shot(page, 'search');
});

await test('search_by_keyboard_and_paging', async (page) => {
  await page.goto(`${base}/`);
  await page.locator('.examples').waitFor();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'q', '"/" focuses the query');
  await page.keyboard.type(W1);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/search\?q=/);
  await page.locator('[data-testid=total]').waitFor();
  const firstPage = await page.locator('li.hit h2').first().textContent();
  const total = (await apiGet(`/api/count?q=${W1}`)).body.total;
  if (total > 20) {
    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/page=2/);
    await page.locator('li.hit').first().waitFor();
    const second = await page.locator('li.hit h2').first().textContent();
    assert.notEqual(second, firstPage, 'page 2 shows other hits');
    const api = (await apiGet(`/api/search?q=${W1}&offset=20&limit=1&snippets=0`)).body.hits[0];
    assert.equal(second, api.title || api.url, 'page 2 starts at hit 21');
    await page.goBack();
    await page.waitForURL((u) => !u.search.includes('page=2'));
    await page.locator('li.hit').first().waitFor();
    assert.equal(await page.locator('li.hit h2').first().textContent(), firstPage, 'back restores page 1');
  }
});

await test('timeline_chart', async (page) => {
  await page.goto(`${base}/timeline?q=${W1}&q2=${W2}&by=month`);
  const canvas = page.locator('.chart canvas');
  await canvas.waitFor({ timeout: 10000 });
  const series = await page.locator('.u-legend .u-series').count();
  assert.equal(series, 3, 'legend: period + 2 series');
  const painted = await page.evaluate(() => {
    const c = document.querySelector('.chart canvas');
    const ctx = c.getContext('2d');
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let blue = 0, red = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 200 && d[i + 2] > 180 && d[i] < 90) blue++;
      if (d[i + 3] > 200 && d[i] > 180 && d[i + 2] < 90 && d[i + 1] < 90) red++;
    }
    return { blue, red };
  });
  assert.ok(painted.blue > 100 && painted.red > 100, `both lines drawn (${JSON.stringify(painted)})`);
  const tl = (await apiGet(`/api/timeline?q=${W1}&by=month`)).body;
  const summary = await page.locator('.tl-item').first().textContent();
  assert.ok(summary.includes(tl.matched.toLocaleString('en-US')), `summary shows ${tl.matched}: ${summary}`);
  await shot(page, 'timeline');
});

await test('timeline_normalized_and_form', async (page) => {
  await page.goto(`${base}/timeline?q=${W2}&by=year&norm=1`);
  await page.locator('.chart canvas').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('input[name=norm]').isChecked(), true);
  const ylabels = await page.evaluate(() => {
    // uPlot draws axis labels on the canvas; the legend value shows the hovered share
    return document.querySelector('.u-legend .u-series:nth-child(2) .u-value')?.textContent ?? '';
  });
  assert.ok(ylabels === '—' || ylabels.includes('%'), `share values are percentages (${ylabels})`);
  // change the period through the form: the URL carries the new state
  await page.selectOption('select[name=by]', 'month');
  await page.getByRole('button', { name: 'Chart' }).click();
  await page.waitForURL(/by=month/);
  assert.ok(page.url().includes('norm=1'));
  await page.locator('.chart canvas').waitFor();
  await shot(page, 'timeline-normalized');
});

await test('outlets_bars', async (page) => {
  await page.goto(`${base}/outlets?q=${W1}&top=10`);
  await page.locator('[data-testid=outlets] tbody tr').first().waitFor({ timeout: 10000 });
  const api = (await apiGet(`/api/outlets?q=${W1}&top=10`)).body.rows;
  const rows = page.locator('[data-testid=outlets] tbody tr');
  assert.equal(await rows.count(), api.length);
  for (let i = 0; i < api.length; i++) {
    assert.equal(await rows.nth(i).locator('td').first().textContent(), api[i].outlet || '(none)');
    assert.equal(num(await rows.nth(i).locator('td.num').first().textContent()), api[i].count);
  }
  await shot(page, 'outlets');
  // an outlet name links to the search narrowed to it
  await rows.first().locator('a').click();
  await page.waitForURL(/\/search\?q=.*outlet/);
  const total = await page.locator('[data-testid=total]').textContent();
  assert.equal(num(total), api[0].count, 'narrowed search count equals the outlet bar');
});

await test('terms_significant', async (page) => {
  await page.goto(`${base}/terms?q=${W2}&mode=significant&top=15`);
  await page.locator('table.terms tbody tr').first().waitFor({ timeout: 10000 });
  const api = (await apiGet(`/api/terms?q=${W2}&significant=1&top=15`)).body.rows;
  const cells = await page.locator('table.terms tbody tr td:nth-child(2)').allTextContents();
  assert.deepEqual(cells, api.map((r) => r.term));
  await shot(page, 'terms');
  await page.goto(`${base}/terms?q=${W2}&mode=bigrams&top=15`);
  await page.locator('table.terms tbody tr').first().waitFor({ timeout: 10000 });
  const bi = (await apiGet(`/api/terms?q=${W2}&bigrams=1&top=15`)).body.rows;
  assert.deepEqual(await page.locator('table.terms tbody tr td:nth-child(2)').allTextContents(), bi.map((r) => r.term));
});

await test('compare_two_sides', async (page) => {
  const a = `outlet:${outletsAll[0].outlet}`, b = `outlet:${outletsAll[1].outlet}`;
  await page.goto(`${base}/compare?q=${W1}&a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}&by=month`);
  await page.locator('.cmp table').first().waitFor({ timeout: 10000 });
  assert.equal(await page.locator('.cmp table').count(), 2);
  assert.ok(await page.locator('.chart canvas').count() === 1, 'both timelines in one chart');
  const api = (await apiGet(`/api/compare?q=${W1}&a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}&by=month&top=20`)).body;
  assert.deepEqual(await page.locator('.cmp section:first-child tbody td:nth-child(2)').allTextContents(), api.terms.a.map((r) => r.term));
  await shot(page, 'compare');
});

await test('article_view_and_back', async (page) => {
  await page.goto(`${base}/search?q=${W1}`);
  await page.locator('li.hit h2 a').first().waitFor({ timeout: 10000 });
  const title = await page.locator('li.hit h2 a').first().textContent();
  await page.locator('li.hit h2 a').first().click();
  await page.waitForURL(/\/article\/\d+$/);
  const id = page.url().match(/\/article\/(\d+)$/)[1];
  const api = (await apiGet(`/api/article/${id}`)).body;
  await page.locator('.paras p').first().waitFor();
  assert.equal(await page.locator('article h1').textContent(), title);
  assert.equal(await page.locator('.paras p').count(), api.paragraphs.length);
  const p1 = await page.locator('.paras p').first().evaluate((e) => e.lastChild.textContent);
  assert.equal(p1, api.paragraphs[0]);
  await shot(page, 'article');
  await page.goBack();
  await page.waitForURL(/\/search\?q=/);
  await page.locator('li.hit').first().waitFor();
  // a reload of a deep link gives the same view
  await page.goto(`${base}/article/${id}`);
  await page.locator('.paras p').first().waitFor();
  assert.equal(await page.locator('.paras p').count(), api.paragraphs.length);
  const missing = await page.goto(`${base}/article/999999999`);
  assert.equal(missing.status(), 200);
  await page.locator('.error').waitFor();
});

await test('reuse_panel_and_collapse', async (page) => {
  const d = (await apiGet('/api/dups?limit=1')).body;
  assert.ok(d.nclusters >= 1, 'the planted copies form clusters');
  const id = d.clusters[0].source;
  const reuse = (await apiGet(`/api/reuse/${id}`)).body;
  await page.goto(`${base}/article/${id}`);
  await page.locator('[data-testid=reuse-summary]').waitFor({ timeout: 10000 });
  const withReuse = reuse.paragraphs.filter((p) => p.count > 0).length;
  assert.ok(withReuse > 0);
  assert.equal(await page.locator('[data-testid=reuse]').count(), withReuse, 'one note per reused paragraph');
  const other = d.clusters[0].members[1].id;
  assert.ok((await page.locator(`[data-testid=reuse] a[href="/article/${other}"]`).count()) > 0, 'links to the copy');
  await shot(page, 'article-reuse');
  const c = (await apiGet(`/api/search?q=${W1}&collapse=1&limit=1&snippets=0`)).body;
  await page.goto(`${base}/search?q=${W1}&collapse=1`);
  const u = await page.locator('[data-testid=unique]').textContent({ timeout: 10000 });
  assert.equal(num(u), c.unique, 'unique stories as the API counts them');
  assert.equal(await page.locator('input[name=collapse]').isChecked(), true);
});

await test('error_display', async (page) => {
  const bad = `${W1} AND (${W2}`;
  await page.goto(`${base}/search?q=${encodeURIComponent(bad)}`);
  await page.locator('.error').waitFor({ timeout: 10000 });
  const api = (await apiGet(`/api/search?q=${encodeURIComponent(bad)}`)).body;
  assert.equal(await page.locator('.error-msg').textContent(), api.message, 'the server message, as the CLI prints it');
  const caret = await page.locator('.error pre.caret').textContent();
  const lines = caret.split('\n');
  assert.equal(lines[0], bad);
  assert.equal(lines[1].indexOf('^') + 1, api.column, 'caret under the column');
  await shot(page, 'error');
  await page.goto(`${base}/timeline?q=${W1}&by=decade`);
  await page.locator('.error').waitFor();
  assert.ok((await page.locator('.error-msg').textContent()).includes('bad by'));
});

await test('deep_links_and_nav', async (page) => {
  await page.goto(`${base}/outlets?q=${W2}&top=25&rank=share`);
  await page.locator('[data-testid=outlets] tbody tr').first().waitFor({ timeout: 10000 });
  assert.equal(await page.locator('select[name=rank]').inputValue(), 'share');
  await page.getByRole('link', { name: 'Terms', exact: true }).first().click();
  await page.waitForURL(/\/terms\?q=/);
  assert.equal(await page.locator('input[name=q]').inputValue(), W2, 'the query follows the tab');
  assert.equal(await page.locator('#nav a[aria-current=page]').textContent(), 'Terms');
  const header = await page.locator('#archive').textContent();
  assert.ok(header.includes(stats.articles.toLocaleString('en-US')), `header shows the archive size: ${header}`);
  const resp = await page.goto(`${base}/no/such/page`);
  assert.equal(resp.status(), 404, 'unknown paths are 404, not the app');
});

// ---------------------------------------------------------------- end
const offline = external.length === 0;
results.push(['no_external_requests', offline]);
console.log(offline ? '  ok    no_external_requests' : `  FAIL  no_external_requests: ${external.slice(0, 5).join(', ')}`);
const clean = consoleErrors.filter((e) => !e.includes('Failed to load resource')).length === 0; // 4xx of the error tests
results.push(['no_console_errors', clean]);
console.log(clean ? '  ok    no_console_errors' : `  FAIL  no_console_errors: ${consoleErrors.slice(0, 5).join(' | ')}`);

await browser.close();
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(work, { recursive: true, force: true });
const passed = results.filter((r) => r[1]).length, failed = results.length - passed;
console.log(`browser: ${passed} passed, ${failed} failed (screenshots in ${artifacts})`);
process.exit(failed ? 1 : 0);
