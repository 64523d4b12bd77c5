// The user's page: reads an inclusion file and a manifest (chosen, dropped, or named by
// ?proof=URL&manifest=URL on this page's own origin), runs the verifier's inclusion check
// compiled to WebAssembly, and shows its verdict. Untrusted text is only ever set as
// textContent, never as markup.
import init, { verifyInclusion } from './pkg/marginproof_web.js';

const ready = init();
const inputs = { proof: null, manifest: null };
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

function show(verdictText, proofText) {
  const verdict = JSON.parse(verdictText);
  $('outcome').hidden = false;
  $('result').textContent = verdictText;
  $('verdict').textContent = verdict.valid ? 'valid' : 'invalid';
  $('verdict').className = verdict.valid ? 'valid' : 'invalid';
  $('reason').textContent = verdict.valid ? '' : String(verdict.reason);
  const account = $('account');
  account.replaceChildren();
  if (!verdict.valid) return;
  let proof = {};
  try { proof = JSON.parse(proofText); } catch (_) { /* verified above, so it parses */ }
  account.appendChild(element('p', `Account ${verdict.account_id}: every margin unit below is under the published root.`));
  (verdict.units || []).forEach((unit, i) => {
    const box = element('div', undefined, 'unit');
    const label = unit.margin_unit === '' ? 'cross margin unit' : `isolated margin unit ${unit.margin_unit}`;
    box.appendChild(element('h3', label));
    box.appendChild(table([
      ['status', unit.status],
      ['equity (USD)', unit.equity_usd],
      ['adjusted equity (USD)', unit.adjusted_equity_usd],
      ['maintenance requirement (USD)', unit.maintenance_usd],
      ['margin ratio', unit.margin_ratio === null ? 'none (no requirement)' : unit.margin_ratio],
      ['leaf index', unit.leaf_index],
    ]));
    box.querySelector('td').className = `status-${unit.status}`;
    const units = Array.isArray(proof.units) ? proof.units : [];
    box.appendChild(holdings(units[i] && units[i].record));
    account.appendChild(box);
  });
  const o = verdict.owner || {};
  account.appendChild(element('h3', 'All units taken together'));
  account.appendChild(table([
    ['statuses', `${o.healthy} healthy, ${o.liquidatable} liquidatable, ${o.bankrupt} bankrupt`],
    ['equity owed to you (USD)', o.equity_owed_usd],
    ['bad debt (USD)', o.bad_debt_usd],
  ]));
}

async function check() {
  if (!inputs.proof || !inputs.manifest) {
    setStatus(`Waiting for the ${inputs.proof ? 'manifest' : 'inclusion file'}.`);
    return;
  }
  try {
    await ready;
    show(verifyInclusion(inputs.proof, inputs.manifest), inputs.proof);
    setStatus('Checked.');
  } catch (e) {
    setStatus(`Could not check these files: ${e}`, true);
  }
}

// Which of the two a dropped file is: a manifest has `batches`, an inclusion file `units`.
function classify(text) {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && 'batches' in v) return 'manifest';
  } catch (_) { /* not JSON: the check will say so */ }
  return 'proof';
}

async function readFile(file, kind) {
  try {
    const text = await file.text();
    inputs[kind || classify(text)] = text;
  } catch (e) {
    setStatus(`Could not read ${file.name}: ${e}`, true);
    return;
  }
  await check();
}

$('proof-file').addEventListener('change', (e) => e.target.files[0] && readFile(e.target.files[0], 'proof'));
$('manifest-file').addEventListener('change', (e) => e.target.files[0] && readFile(e.target.files[0], 'manifest'));
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  for (const file of e.dataTransfer.files) await readFile(file);
});

// ?proof=URL&manifest=URL: both on this page's origin, fetched once.
async function fromQuery() {
  const query = new URLSearchParams(location.search);
  const urls = { proof: query.get('proof'), manifest: query.get('manifest') };
  if (!urls.proof && !urls.manifest) return;
  for (const [kind, url] of Object.entries(urls)) {
    if (!url) continue;
    const target = new URL(url, location.href);
    if (target.origin !== location.origin) {
      setStatus(`Refusing to load ${kind} from another origin (${target.origin}).`, true);
      return;
    }
    try {
      const response = await fetch(target, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      inputs[kind] = await response.text();
    } catch (e) {
      setStatus(`Could not load the ${kind} (${url}): ${e.message || e}`, true);
      return;
    }
  }
  await check();
}
fromQuery();
