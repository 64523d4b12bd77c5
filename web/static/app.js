// The user's page: reads inclusion files and manifests (chosen, dropped, or named by
// ?proof=URL&manifest=URL on this page's own origin, repeated for several snapshots), runs the
// verifier's inclusion check compiled to WebAssembly on each pair, and shows the latest snapshot
// in full (its verdict in #verdict and #result, SPEC §11) and every snapshot in #history.
// Untrusted text is only ever set as textContent, never as markup.
import init, { verifyHistory } from './pkg/marginproof_web.js';

const ready = init();
// The files given, by kind: an inclusion file and a manifest per snapshot.
const inputs = { proof: [], manifest: [] };
const $ = (id) => document.getElementById(id);

function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', error);
}

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function table(rows, header) {
  const t = element('table');
  if (header) {
    const tr = element('tr');
    header.forEach((h) => tr.appendChild(element('th', h)));
    t.appendChild(tr);
  }
  rows.forEach((cells) => {
    const tr = element('tr');
    cells.forEach((c, i) => tr.appendChild(element(i === 0 ? 'th' : 'td', c)));
    t.appendChild(tr);
  });
  return t;
}

// The holdings of one unit, from the inclusion file (the check above proved they are the
// committed ones).
function holdings(record) {
  const rows = [];
  const entries = (o) => Object.entries(o && typeof o === 'object' ? o : {});
  entries(record && record.balances).forEach(([s, v]) => rows.push([s, 'balance', v]));
  entries(record && record.debts).forEach(([s, v]) => rows.push([s, 'debt', v]));
  entries(record && record.positions).forEach(([s, p]) =>
    rows.push([s, 'position', `size ${p && p.size}, cost ${p && p.cost} USD`]));
  return rows.length ? table(rows, ['instrument', 'kind', 'amount']) : element('p', 'No holdings.', 'note');
}

const orNone = (v, text = 'none') => (v === null || v === undefined ? text : v);
const pct = (v) => (typeof v === 'string' ? `${v.startsWith('-') ? '' : '+'}${v}%` : '');

// One unit of a verified snapshot: its figures, its stress scenarios, its liquidation prices and
// its holdings.
function unitBox(unit, record) {
  const box = element('div', undefined, 'unit');
  const label = unit.margin_unit === '' ? 'cross margin unit' : `isolated margin unit ${unit.margin_unit}`;
  box.appendChild(element('h3', label));
  box.appendChild(table([
    ['margin mode', unit.margin_mode === 'portfolio' ? 'portfolio margin' : 'standard'],
    ['status', unit.status],
    ['equity (USD)', unit.equity_usd],
    ['adjusted equity (USD)', unit.adjusted_equity_usd],
    ['maintenance requirement (USD)', unit.maintenance_usd],
    ['margin ratio', orNone(unit.margin_ratio, 'none (no requirement)')],
    ['buffer before liquidation, AE − θ·MR (USD)', unit.buffer_usd],
    ['leaf index', unit.leaf_index],
  ]));
  box.querySelectorAll('td')[1].className = `status-${unit.status}`;
  if (unit.margin_mode === 'portfolio') {
    // SPEC §12: the requirement is the worst loss over the published shocks, at least the floor.
    box.appendChild(element('h4', 'Portfolio margin'));
    box.appendChild(element('p', `Worst shock: ${orNone(unit.worst_shock, 'none (no requirement)')}. `
      + 'The requirement is the largest loss below, or the floor (a rate of gross value) if larger.', 'note'));
    const t = table(Object.entries(unit.shock_losses_usd || {}).map(([name, loss]) => [name, loss]),
      ['shock', 'loss (USD)']);
    t.className = 'shocks';
    box.appendChild(t);
  }
  const scenarios = Object.entries(unit.scenarios || {});
  if (scenarios.length) {
    box.appendChild(element('h4', 'Stress scenarios'));
    const t = table(scenarios.map(([name, s]) =>
      [name, s.status, orNone(s.margin_ratio), s.equity_usd]),
    ['scenario', 'status', 'margin ratio', 'equity (USD)']);
    t.className = 'scenarios';
    box.appendChild(t);
  }
  const prices = Object.entries(unit.liquidation_prices || {});
  if (prices.length) {
    box.appendChild(element('h4', 'Liquidation prices'));
    box.appendChild(element('p', 'For each instrument you hold: the price at which this unit would become '
      + 'liquidatable, or bankrupt, every other price as published (none: no price does it).', 'note'));
    const liquidatable = unit.status !== 'healthy' ? 'already' : 'none';
    const bankrupt = unit.status === 'bankrupt' ? 'already' : 'none';
    const t = table(prices.map(([symbol, p]) => [symbol,
      orNone(p.liquidatable, liquidatable), pct(p.liquidatable_move_pct),
      orNone(p.bankrupt, bankrupt), pct(p.bankrupt_move_pct)]),
    ['instrument', 'liquidatable at', 'move', 'bankrupt at', 'move']);
    t.className = 'liquidation';
    box.appendChild(t);
  }
  box.appendChild(holdings(record));
  return box;
}

// The latest snapshot: #verdict and #result as SPEC §11 says, and every unit in full.
function showLatest(verdict, proofText) {
  $('outcome').hidden = false;
  $('result').textContent = JSON.stringify(verdict, null, 2);
  $('verdict').textContent = verdict.valid ? 'valid' : 'invalid';
  $('verdict').className = verdict.valid ? 'valid' : 'invalid';
  $('reason').textContent = verdict.valid ? '' : String(verdict.reason);
  const account = $('account');
  account.replaceChildren();
  if (!verdict.valid) return;
  let proof = {};
  try { proof = JSON.parse(proofText); } catch (_) { /* verified above, so it parses */ }
  const records = Array.isArray(proof.units) ? proof.units : [];
  account.appendChild(element('p', `Account ${verdict.account_id}: every margin unit below is under the published root.`));
  (verdict.units || []).forEach((unit, i) => account.appendChild(unitBox(unit, records[i] && records[i].record)));
  const o = verdict.owner || {};
  account.appendChild(element('h3', 'All units taken together'));
  account.appendChild(table([
    ['statuses', `${o.healthy} healthy, ${o.liquidatable} liquidatable, ${o.bankrupt} bankrupt`],
    ['equity owed to you (USD)', o.equity_owed_usd],
    ['bad debt (USD)', o.bad_debt_usd],
  ]));
}

// Every snapshot, oldest first: each unit's status, margin ratio and buffer, or why it is refused.
function showHistory(entries) {
  const history = $('history');
  history.replaceChildren();
  history.hidden = entries.length < 2;
  if (entries.length < 2) return;
  history.appendChild(element('h2', 'Your account over time'));
  const rows = [];
  entries.forEach((e) => {
    const snapshot = orNone(e.snapshot, '?');
    if (!e.verdict.valid) {
      rows.push([snapshot, '', 'refused', '', '', String(e.verdict.reason)]);
      return;
    }
    (e.verdict.units || []).forEach((u) => rows.push([snapshot, u.margin_unit === '' ? 'cross' : u.margin_unit,
      u.status, orNone(u.margin_ratio), u.buffer_usd, '']));
  });
  const t = table(rows, ['snapshot', 'unit', 'status', 'margin ratio', 'buffer (USD)', 'refused because']);
  t.querySelectorAll('tr').forEach((tr, i) => {
    if (i > 0) tr.className = rows[i - 1][2] === 'refused' ? 'refused' : `status-${rows[i - 1][2]}`;
  });
  history.appendChild(t);
}

// Pairs each inclusion file with the manifest of its snapshot (one of each: with each other).
function pairFiles() {
  const { proof, manifest } = inputs;
  if (proof.length === 1 && manifest.length === 1) return { given: [[proof[0], manifest[0]]], missing: 0 };
  const snapshot = (text, get) => { try { return get(JSON.parse(text)); } catch (_) { return undefined; } };
  const byId = new Map(manifest.map((m) => [snapshot(m, (v) => v.config.snapshot.id), m]));
  const given = [];
  let missing = 0;
  proof.forEach((p) => {
    const m = byId.get(snapshot(p, (v) => v.snapshot_id));
    if (m === undefined) missing += 1; else given.push([p, m]);
  });
  return { given, missing };
}

// Checks each [proof, manifest] pair on its own and shows them all, the latest in full.
async function checkPairs(given, missing = 0) {
  try {
    await ready;
    const start = performance.now();
    const entries = JSON.parse(verifyHistory(JSON.stringify(given)));
    document.body.dataset.verifyMs = (performance.now() - start).toFixed(1);
    const latest = entries[entries.length - 1];
    showLatest(latest.verdict, given[latest.pair][0]);
    showHistory(entries);
    const ms = performance.now() - start;
    document.body.dataset.checkMs = ms.toFixed(1);
    const left = missing ? ` (${missing} inclusion file(s) without the manifest of their snapshot left out)` : '';
    setStatus(`Checked ${entries.length} snapshot${entries.length > 1 ? 's' : ''} in ${ms.toFixed(0)} ms${left}.`);
  } catch (e) {
    setStatus(`Could not check these files: ${e}`, true);
  }
}

async function check() {
  if (!inputs.proof.length || !inputs.manifest.length) {
    setStatus(`Waiting for the ${inputs.proof.length ? 'manifest' : 'inclusion file'}.`);
    return;
  }
  const { given, missing } = pairFiles();
  if (!given.length) {
    setStatus('No inclusion file has the manifest of its snapshot.', true);
    return;
  }
  await checkPairs(given, missing);
}

// Which of the two a dropped file is: a manifest has `batches`, an inclusion file `units`.
function classify(text) {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && 'batches' in v) return 'manifest';
  } catch (_) { /* not JSON: the check will say so */ }
  return 'proof';
}

// Reads files of one kind (dropped: of either kind, told apart by content); the files read
// replace those of their kind.
async function readFiles(files, kind) {
  const read = { proof: [], manifest: [] };
  try {
    for (const file of files) {
      const text = await file.text();
      read[kind || classify(text)].push(text);
    }
  } catch (e) {
    setStatus(`Could not read a file: ${e}`, true);
    return;
  }
  for (const k of Object.keys(read)) if (read[k].length) inputs[k] = read[k];
  await check();
}

$('proof-file').addEventListener('change', (e) => e.target.files.length && readFiles(e.target.files, 'proof'));
$('manifest-file').addEventListener('change', (e) => e.target.files.length && readFiles(e.target.files, 'manifest'));
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  await readFiles(e.dataTransfer.files);
});

// ?proof=URL&manifest=URL, repeated for several snapshots and paired in order: all on this
// page's origin, each fetched once.
async function fromQuery() {
  const query = new URLSearchParams(location.search);
  const urls = { proof: query.getAll('proof'), manifest: query.getAll('manifest') };
  if (!urls.proof.length && !urls.manifest.length) return;
  for (const [kind, list] of Object.entries(urls)) {
    const texts = [];
    for (const url of list) {
      const target = new URL(url, location.href);
      if (target.origin !== location.origin) {
        setStatus(`Refusing to load ${kind} from another origin (${target.origin}).`, true);
        return;
      }
      try {
        const response = await fetch(target, { credentials: 'same-origin' });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        texts.push(await response.text());
      } catch (e) {
        setStatus(`Could not load the ${kind} (${url}): ${e.message || e}`, true);
        return;
      }
    }
    inputs[kind] = texts;
  }
  if (urls.proof.length > 1 && urls.proof.length === urls.manifest.length) {
    // Paired as given, whatever snapshot each names (the check says when they do not match).
    await checkPairs(urls.proof.map((_, i) => [inputs.proof[i], inputs.manifest[i]]));
  } else {
    await check();
  }
}
fromQuery();
