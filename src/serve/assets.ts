/**
 * The dashboard's only stylesheet and script, served from its own origin (the CSP allows
 * `'self'` and nothing else). The script never builds HTML from data: it filters rows, shows a
 * raw event as text, copies text, counts deadlines down and swaps in a page the server rendered
 * (and escaped) when the case changes.
 */
export const CSS = `
:root{--ink:#1d2330;--muted:#4f5768;--line:#d5d9e0;--soft:#f1f3f7;--accent:#2f4b7c;--bad:#a93226;--good:#1e6b3a}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0}
header{background:var(--ink);color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header .brand{font-weight:700;margin-right:1rem}
nav ul{list-style:none;display:flex;gap:.2rem;margin:0;padding:0;flex-wrap:wrap}
nav a{display:inline-block;padding:.25rem .6rem;border-radius:4px;text-decoration:none}
nav a[aria-current=page]{background:#fff;color:var(--ink)}
main{max-width:1200px;margin:1rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin:.4rem 0}h2{font-size:1.2rem;border-bottom:1px solid var(--line);margin-top:1.6rem}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:var(--soft);overflow-wrap:break-word}.nowrap{white-space:nowrap}code,pre{font:.85em ui-monospace,SFMono-Regular,Menlo,monospace}
code{background:var(--soft);padding:0 .2em;border-radius:3px}
pre{background:var(--soft);padding:.6rem;overflow:auto;white-space:pre-wrap;max-height:32rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
figure{margin:1rem 0;overflow-x:auto}figcaption{color:var(--muted);font-size:.85rem}svg{max-width:100%;height:auto;background:#fff}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.8rem}
.card{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem}.card h2{margin:0;border:0;font-size:1rem}
.big{font-size:1.4rem;font-weight:700}.bad{color:var(--bad)}.good{color:var(--good)}.muted{color:var(--muted)}
.filters{display:flex;gap:1rem;flex-wrap:wrap;align-items:end;margin:.6rem 0}
.filters label{display:flex;flex-direction:column;font-size:.85rem}
select,button{font:inherit;padding:.2rem .4rem}
button{border:1px solid var(--accent);background:#fff;color:var(--accent);border-radius:4px;cursor:pointer}
:focus-visible{outline:3px solid #d35400;outline-offset:2px}
tr[hidden]{display:none}
.live{font-size:.85rem;margin-left:auto}.empty{color:var(--muted);font-style:italic}
details{margin:.6rem 0}summary{cursor:pointer;color:var(--accent);font-weight:600}
input{font:inherit;padding:.2rem .4rem}
.who a{display:inline-block;padding:.2rem .6rem;border:1px solid var(--accent);border-radius:4px;text-decoration:none;color:var(--accent)}
.who a[aria-current]{background:var(--accent);color:#fff}.who span{align-self:center}
.brush{position:relative;cursor:crosshair;user-select:none;touch-action:none}
.brush-box{position:absolute;background:rgba(47,75,124,.18);border:1px solid var(--accent);pointer-events:none}
`.trim();

export const SCRIPT = `
'use strict';
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  function filterRows() {
    const chosen = $$('select[data-filter]').map((s) => [s.dataset.filter, s.value]);
    let shown = 0;
    for (const row of $$('tr[data-row]')) {
      const keep = chosen.every(([k, v]) => v === '' || row.dataset[k] === v);
      row.hidden = !keep;
      if (keep) shown += 1;
    }
    const count = $('#shown');
    if (count) count.textContent = String(shown);
  }

  async function showEvent(id) {
    const out = $('#raw-event');
    if (!out) return;
    out.textContent = 'Loading ' + id + '…';
    try {
      const res = await fetch('event/' + encodeURIComponent(id), { credentials: 'same-origin' });
      const body = await res.json();
      out.textContent = JSON.stringify(body, null, 2);
    } catch (e) {
      out.textContent = 'Could not read the event: ' + e;
    }
    out.focus();
  }

  function countdowns() {
    const now = Date.now();
    for (const el of $$('[data-deadline]')) {
      const left = Date.parse(el.dataset.deadline) - now;
      const abs = Math.abs(left);
      const h = Math.floor(abs / 3600000);
      const m = Math.floor((abs % 3600000) / 60000);
      el.textContent = (left < 0 ? 'passed ' : 'in ') + h + ' h ' + m + ' min' + (left < 0 ? ' ago' : '');
      el.classList.toggle('bad', left < 0);
    }
  }

  // Zoom and brush. The server draws the chart (Vega-Lite, static SVG) and names the stretches of
  // time it cut its axis into; each stretch is one cell of the chart (every other concat group,
  // breaks between). A drag maps its two ends back to times through the cells' boxes on screen.
  function stretches(brush) {
    const svg = $('svg', brush);
    const spans = JSON.parse(brush.dataset.stretches || '[]');
    return spans.flatMap(([from, to], i) => {
      const cell = svg && svg.querySelector('g.concat_' + 2 * i + '_group > g > path.background');
      if (!cell) return [];
      const r = cell.getBoundingClientRect();
      return [{ left: r.left, right: r.right, from, to }];
    });
  }

  function timeAt(cells, x, end) {
    if (cells.length === 0) return NaN;
    if (x <= cells[0].left) return cells[0].from;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (x <= c.right) {
        // In the break before this cell: a window's start moves to the cell, its end to the one before.
        if (x < c.left) return end ? cells[i - 1].to : c.from;
        return c.from + ((x - c.left) / Math.max(1, c.right - c.left)) * (c.to - c.from);
      }
    }
    return cells[cells.length - 1].to;
  }

  // A new window keeps the page's other choices (whose calls it shows).
  function goToWindow(from, to) {
    const q = new URLSearchParams(location.search);
    q.set('from', from);
    q.set('to', to);
    location.search = '?' + q.toString();
  }

  function showWindow(from, to) {
    if (!(from < to)) return;
    goToWindow(new Date(Math.floor(from)).toISOString(), new Date(Math.ceil(to)).toISOString());
  }

  function wireZoom(root) {
    const brush = $('.brush', root);
    if (!brush) return;
    const box = $('.brush-box', brush);
    let start = null;
    brush.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      start = e.clientX;
      brush.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    brush.addEventListener('pointermove', (e) => {
      if (start === null) return;
      const r = brush.getBoundingClientRect();
      box.hidden = false;
      box.style.left = Math.min(start, e.clientX) - r.left + 'px';
      box.style.width = Math.abs(e.clientX - start) + 'px';
      box.style.top = '0px';
      box.style.height = r.height + 'px';
    });
    brush.addEventListener('pointerup', (e) => {
      if (start === null) return;
      const [a, b] = [Math.min(start, e.clientX), Math.max(start, e.clientX)];
      start = null;
      box.hidden = true;
      if (b - a < 4) return;
      const cells = stretches(brush);
      showWindow(timeAt(cells, a, false), timeAt(cells, b, true));
    });
    const from = Number(brush.dataset.from);
    const to = Number(brush.dataset.to);
    for (const b of $$('button[data-zoom]', root))
      b.addEventListener('click', () => {
        const mid = (from + to) / 2;
        const half = (to - from) / 2;
        if (b.dataset.zoom === 'in') showWindow(mid - half / 2, mid + half / 2);
        else if (b.dataset.zoom === 'out') showWindow(mid - half * 2, mid + half * 2);
        // The server reads the two times and says so when they are not times.
        else goToWindow($('#win-from').value, $('#win-to').value);
      });
  }

  function wire(root) {
    wireZoom(root);
    for (const s of $$('select[data-filter]', root)) s.addEventListener('change', filterRows);
    for (const b of $$('button[data-event]', root)) b.addEventListener('click', () => showEvent(b.dataset.event));
    for (const b of $$('button[data-copy]', root))
      b.addEventListener('click', async () => {
        const source = document.getElementById(b.dataset.copy);
        if (!source) return;
        try {
          await navigator.clipboard.writeText(source.textContent || '');
          b.textContent = 'Copied';
        } catch {
          const range = document.createRange();
          range.selectNodeContents(source);
          const sel = getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          b.textContent = 'Selected: press Ctrl+C';
        }
      });
    countdowns();
  }

  function live() {
    const url = document.body.dataset.live;
    if (!url || !window.EventSource) return;
    const status = $('#live');
    const source = new EventSource(url);
    source.addEventListener('change', async () => {
      const res = await fetch(location.href, { headers: { 'x-fragment': '1' }, credentials: 'same-origin' });
      if (!res.ok) return;
      const main = $('main');
      const focused = document.activeElement && document.activeElement.id;
      const range = document.createRange();
      range.selectNodeContents(main);
      range.deleteContents();
      main.append(range.createContextualFragment(await res.text()));
      wire(main);
      filterRows();
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
      if (status) status.textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
    });
    source.addEventListener('open', () => { if (status) status.textContent = 'live'; });
    source.addEventListener('error', () => { if (status) status.textContent = 'reconnecting…'; });
  }

  wire(document);
  setInterval(countdowns, 30000);
  live();
})();
`.trim();

/** The tab icon (served, so the browser does not ask for /favicon.ico without the token). */
export const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#a93226"/><rect x="3" y="7" width="10" height="2" fill="#fff"/></svg>';
