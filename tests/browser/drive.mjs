// Drives the user's page (web/dist) and the auditor's report in Debian's headless chromium with
// playwright-core. Called by tests/tests/browser.rs with a directory to serve and a spec file:
//   node drive.mjs page SITE SPEC     # SITE = web/dist plus files/ (inclusion files, manifests)
//   node drive.mjs report SITE SPEC   # SITE holds report.html
// Prints one line per check and exits 1 if any fails. Every request the browser makes is
// recorded; only the page's own files and the named inputs may appear.
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const [mode, siteArg, specPath] = process.argv.slice(2);
const site = path.resolve(siteArg);
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const failures = [];
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : `: ${detail}`}`);
  if (!ok) failures.push(what);
}

const types = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
};
const server = http.createServer((req, res) => {
  const file = path.join(site, decodeURIComponent(new URL(req.url, 'http://localhost').pathname));
  if (!file.startsWith(site + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});

async function open(url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = { requests: [], failed: [], errors: [] };
  page.on('request', (r) => seen.requests.push(new URL(r.url()).pathname + new URL(r.url()).search));
  page.on('requestfailed', (r) => seen.failed.push(r.url()));
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(`${m.text()} (${m.location().url})`); });
  await page.goto(base + url);
  return { context, page, seen };
}

function onlyRequests(seen, allowed, what) {
  const extra = seen.requests.filter((r) => !allowed.includes(r));
  check(extra.length === 0, `${what}: no request but ${allowed.join(', ')}`, extra.join(', '));
  check(seen.failed.length === 0, `${what}: no failed request`, seen.failed.join(', '));
}

// Not blank: the screenshot has many colours (decoded in a blank page's canvas).
async function notBlank(png, what) {
  const page = await browser.newPage();
  const colours = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  }, png.toString('base64'));
  await page.close();
  check(colours > 20, `${what}: the screenshot is not blank`, `${colours} colours`);
}

async function verdict(page) {
  await page.waitForFunction(() => document.getElementById('verdict').textContent !== ''
    || document.getElementById('status').classList.contains('error'), null, { timeout: 60000 });
  return {
    verdict: await page.textContent('#verdict'),
    reason: await page.textContent('#reason'),
    result: await page.textContent('#result'),
    status: await page.textContent('#status'),
  };
}

const pageFiles = ['/index.html', '/app.js', '/style.css', '/favicon.svg', '/pkg/marginproof_web.js', '/pkg/marginproof_web_bg.wasm'];

if (mode === 'page') {
  // 1. A valid inclusion proof: #result is `verify-inclusion --json`, field for field.
  const query = '?proof=files/valid.json&manifest=files/manifest.json';
  const valid = await open(`/index.html${query}`);
  let v = await verdict(valid.page);
  check(v.verdict === 'valid', 'valid proof: #verdict reads valid', v.verdict + ' ' + v.reason + ' ' + v.status);
  let result = null;
  try { result = JSON.parse(v.result); } catch (e) { check(false, '#result is JSON', String(e)); }
  check(isDeepStrictEqual(result, spec.expected), 'valid proof: #result equals verify-inclusion --json',
    JSON.stringify(result));
  const shown = await valid.page.textContent('#account');
  for (const text of spec.shown) check(shown.includes(text), `valid proof: the page shows ${text}`);
  onlyRequests(valid.seen, [`/index.html${query}`, ...pageFiles.slice(1), '/files/valid.json', '/files/manifest.json'], 'valid proof');
  check(valid.seen.errors.length === 0, 'valid proof: no script error', valid.seen.errors.join('; '));
  if (spec.screenshot) {
    const png = await valid.page.screenshot({ fullPage: true, path: spec.screenshot });
    await notBlank(png, 'page');
  }
  // 2. Offline once loaded: the two files chosen by hand are checked with no network.
  await valid.context.setOffline(true);
  await valid.page.evaluate(() => { document.getElementById('verdict').textContent = ''; });
  await valid.page.setInputFiles('#proof-file', path.join(site, 'files/changed.json'));
  v = await verdict(valid.page);
  check(v.verdict === 'invalid' && v.reason.includes(spec.changed_reason),
    'offline, changed balance: invalid with the reason', `${v.verdict}: ${v.reason}`);
  await valid.context.close();

  // 3. A wrong root (the manifest's root changed).
  const rootQuery = '?proof=files/valid.json&manifest=files/wrong-root.json';
  const root = await open(`/index.html${rootQuery}`);
  v = await verdict(root.page);
  check(v.verdict === 'invalid' && v.reason.includes(spec.root_reason),
    'wrong root: invalid with the reason', `${v.verdict}: ${v.reason}`);
  onlyRequests(root.seen, [`/index.html${rootQuery}`, ...pageFiles.slice(1), '/files/valid.json', '/files/wrong-root.json'], 'wrong root');
  await root.context.close();

  // 4. A malformed file shows an error, and the page keeps working.
  const hand = await open('/index.html');
  await hand.page.setInputFiles('#manifest-file', path.join(site, 'files/manifest.json'));
  await hand.page.setInputFiles('#proof-file', path.join(site, 'files/malformed.json'));
  v = await verdict(hand.page);
  check(v.verdict === 'invalid' && v.reason.includes(spec.malformed_reason),
    'malformed file: an error is shown', `${v.verdict}: ${v.reason}`);
  await hand.page.evaluate(() => { document.getElementById('verdict').textContent = ''; });
  await hand.page.setInputFiles('#proof-file', path.join(site, 'files/valid.json'));
  v = await verdict(hand.page);
  check(v.verdict === 'valid', 'malformed file: the page keeps working (a valid file after it verifies)', v.reason);
  check(isDeepStrictEqual(JSON.parse(v.result), spec.expected), 'by hand: #result equals verify-inclusion --json');
  check(hand.seen.errors.length === 0, 'by hand: no script error', hand.seen.errors.join('; '));
  onlyRequests(hand.seen, pageFiles, 'by hand');
  await hand.context.close();
} else if (mode === 'health') {
  // Issue 32: three snapshots given out of order, the second tampered; the latest in full.
  const files = (list) => list.map(([p, m]) => `proof=files/${p}&manifest=files/${m}`).join('&');
  const query = `?${files(spec.pairs)}`;
  const history = await open(`/index.html${query}`);
  const v = await verdict(history.page);
  check(v.verdict === 'valid', 'history: #verdict is the latest snapshot\'s (valid)', `${v.verdict} ${v.reason} ${v.status}`);
  check(isDeepStrictEqual(JSON.parse(v.result), spec.history[spec.history.length - 1]),
    'history: #result is the latest snapshot\'s verify-inclusion --json');
  const rows = await history.page.$$eval('#history tr', (all) =>
    all.slice(1).map((tr) => [...tr.children].map((c) => c.textContent)));
  const expectedRows = [];
  spec.history.forEach((doc, i) => {
    if (!doc.valid) {
      expectedRows.push([spec.snapshots[i], '', 'refused', '', '', doc.reason]);
      return;
    }
    doc.units.forEach((u) => expectedRows.push([spec.snapshots[i], u.margin_unit === '' ? 'cross' : u.margin_unit,
      u.status, u.margin_ratio === null ? 'none' : u.margin_ratio, u.buffer_usd, '']));
  });
  // The CLI names the refused file in front of the reason; the page, given text, does not.
  const same = rows.length === expectedRows.length && rows.every((row, i) => row.every((cell, j) =>
    (j === 5 && expectedRows[i][2] === 'refused' ? cell !== '' && expectedRows[i][5].endsWith(cell) : cell === expectedRows[i][j])));
  check(same, 'history: #history shows every snapshot in order, the tampered one refused with its reason',
    JSON.stringify(rows));
  // The scenario and liquidation tables of every unit equal the CLI's JSON.
  const latest = spec.history[spec.history.length - 1];
  const tables = await history.page.$$eval('#account .unit', (boxes) => boxes.map((box) => {
    const read = (cls) => {
      const t = box.querySelector(`table.${cls}`);
      return t ? [...t.querySelectorAll('tr')].slice(1).map((tr) => [...tr.children].map((c) => c.textContent)) : [];
    };
    return { scenarios: read('scenarios'), liquidation: read('liquidation') };
  }));
  const orNone = (x, text = 'none') => (x === null ? text : x);
  const pct = (x) => (x === null ? '' : `${x.startsWith('-') ? '' : '+'}${x}%`);
  const expectedTables = latest.units.map((u) => ({
    scenarios: Object.entries(u.scenarios || {}).map(([name, s]) => [name, s.status, orNone(s.margin_ratio), s.equity_usd]),
    liquidation: Object.entries(u.liquidation_prices).map(([sym, p]) =>
      [sym, orNone(p.liquidatable, u.status !== 'healthy' ? 'already' : 'none'), pct(p.liquidatable_move_pct),
        orNone(p.bankrupt, u.status === 'bankrupt' ? 'already' : 'none'), pct(p.bankrupt_move_pct)]),
  }));
  check(isDeepStrictEqual(tables, expectedTables), 'history: the scenario and liquidation tables equal verify-inclusion --json',
    JSON.stringify(tables));
  check(expectedTables.some((t) => t.scenarios.length > 0) && expectedTables.some((t) => t.liquidation.some((r) => r[1] !== 'none')),
    'history: the latest snapshot has scenarios and a liquidation price to show');
  check(history.seen.errors.length === 0, 'history: no script error', history.seen.errors.join('; '));
  const inputs = spec.pairs.flatMap(([p, m]) => [`/files/${p}`, `/files/${m}`]);
  onlyRequests(history.seen, [`/index.html${query}`, ...pageFiles.slice(1), ...new Set(inputs)], 'history');
  if (spec.screenshot) {
    const png = await history.page.screenshot({ fullPage: true, path: spec.screenshot });
    await notBlank(png, 'history page');
  }
  await history.context.close();

  // The same files chosen by hand, several at once: each inclusion file is paired with the
  // manifest of its snapshot, whatever the order.
  const hand = await open('/index.html');
  await hand.page.setInputFiles('#manifest-file', spec.pairs.map(([, m]) => path.join(site, 'files', m)).reverse());
  await hand.page.setInputFiles('#proof-file', spec.pairs.map(([p]) => path.join(site, 'files', p)));
  const byHand = await verdict(hand.page);
  check(byHand.verdict === 'valid' && isDeepStrictEqual(JSON.parse(byHand.result), latest),
    'files chosen by hand: #result is the latest snapshot\'s', `${byHand.verdict} ${byHand.status}`);
  const handRows = await hand.page.$$eval('#history tr', (all) =>
    all.slice(1).map((tr) => [...tr.children].map((c) => c.textContent)));
  check(isDeepStrictEqual(handRows, rows), 'files chosen by hand: the same #history', JSON.stringify(handRows));
  await hand.context.close();

  // A user with ten units: the check with everything shown, timed by the page (best of three).
  const times = [];
  const verifying = [];
  for (let run = 0; run < 3; run += 1) {
    const ten = await open(`/index.html?${files([spec.ten])}`);
    const t = await verdict(ten.page);
    check(t.verdict === 'valid', `ten units (run ${run + 1}): valid`, t.reason);
    check(isDeepStrictEqual(JSON.parse(t.result), spec.ten_expected), `ten units (run ${run + 1}): #result equals verify-inclusion --json`);
    const boxes = await ten.page.$$eval('#account .unit', (all) => all.length);
    check(boxes === 10, `ten units (run ${run + 1}): ten units shown`, `${boxes}`);
    times.push(Number(await ten.page.evaluate(() => document.body.dataset.checkMs)));
    verifying.push(Number(await ten.page.evaluate(() => document.body.dataset.verifyMs)));
    await ten.context.close();
  }
  const best = Math.min(...times);
  console.log(`ten units: check and display took ${times.join(', ')} ms (the check alone ${verifying.join(', ')} ms)`);
  check(best < 100, 'ten units: checked and shown in under 100 ms', `${best} ms`);
} else if (mode === 'report') {
  const report = await open('/report.html');
  await report.page.waitForLoadState('load');
  onlyRequests(report.seen, ['/report.html'], 'report');
  check(report.seen.errors.length === 0, 'report: no error', report.seen.errors.join('; '));
  const cells = await report.page.$$eval('[data-total]', (all) =>
    Object.fromEntries(all.map((c) => [c.dataset.total, c.textContent])));
  for (const [key, value] of Object.entries(spec.totals)) {
    check(cells[key] === value, `report: ${key} = ${value}`, `the page shows ${cells[key]}`);
  }
  const verdictText = await report.page.textContent('#verdict');
  check(verdictText === 'valid', 'report: the verdict reads valid', verdictText);
  const charts = await report.page.$$eval('figure svg', (all) => all.length);
  check(charts >= spec.charts, `report: ${spec.charts} charts or more`, `${charts}`);
  const png = await report.page.screenshot({ fullPage: true, ...(spec.screenshot ? { path: spec.screenshot } : {}) });
  await notBlank(png, 'report');
  await report.context.close();
} else {
  check(false, `mode ${mode}`, 'expected page or report');
}

await browser.close();
server.close();
console.log(failures.length ? `${failures.length} checks failed` : 'all checks passed');
process.exit(failures.length ? 1 : 0);
