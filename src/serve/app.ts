import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context as HonoContext } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Clock } from '../clock.js';
import { messageOf } from '../errors.js';
import { forHtml } from '../untrusted.js';
import { CSS, ICON, SCRIPT } from './assets.js';
import { caseSignature, loadCase, rawEvent, servedCases, type CaseSource } from './case-data.js';
import { CASE_PAGES } from './pages.js';

/**
 * Scripts, styles, images and fetches from this origin only; no inline code, no frames, no
 * forms. Case data is attacker-controlled and is escaped everywhere; this is the second wall.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface DashboardOptions {
  source: CaseSource;
  token: string;
  clock: Clock;
  /** Host names a request may name (DNS rebinding: a page elsewhere must not reach this server). */
  hosts: string[];
  /** How often the live stream looks at the case's files (ms). */
  pollMs?: number;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function layout(title: string, nav: string, body: string, live?: string): string {
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${forHtml(title)} · Tourniquet</title>`,
    '<link rel="icon" href="STATIC/icon.svg"><link rel="stylesheet" href="STATIC/app.css"><script src="STATIC/app.js" defer></script>',
    `</head><body${live ? ` data-live="${forHtml(live)}"` : ''}>`,
    `<header><a class="brand" href="ROOT">Tourniquet</a>${nav}<span class="live" id="live" role="status">${live ? 'connecting…' : ''}</span></header>`,
    `<main id="main">${body}</main>`,
    '</body></html>',
  ].join('\n');
}

/** The dashboard as a Hono app: every route under `/<token>/`, GET only, read-only. */
export function dashboardApp(options: DashboardOptions): Hono {
  const app = new Hono();
  const base = `/${options.token}`;
  app.use('*', async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (!options.hosts.includes(host))
      return c.text('421: this dashboard answers only on its own address.\n', 421);
    const [, first = ''] = new URL(c.req.url).pathname.split('/');
    if (!sameToken(first, options.token))
      return c.text(
        '401: the dashboard needs the URL with its token, as `tourniquet serve` printed it.\n',
        401,
      );
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD')
      return c.text('405: the dashboard is read-only.\n', 405);
    await next();
    c.header('Content-Security-Policy', DASHBOARD_CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cache-Control', 'no-store');
    return undefined;
  });

  const page = (c: HonoContext, title: string, nav: string, body: string, depth: number, live?: string) => {
    const up = depth === 0 ? './' : '../'.repeat(depth);
    if (c.req.header('x-fragment')) return c.html(body);
    return c.html(
      layout(title, nav, body, live)
        .replaceAll('STATIC/', `${up}static/`)
        .replace('href="ROOT"', `href="${up}"`),
    );
  };

  app.get(`${base}/static/app.css`, (c) => c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get(`${base}/static/icon.svg`, (c) => c.body(ICON, 200, { 'Content-Type': 'image/svg+xml' }));
  app.get(`${base}/static/app.js`, (c) =>
    c.body(SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );

  app.get(`${base}/`, (c) => {
    const rows = servedCases(options.source).map((s) => {
      if (!s.case)
        return `<tr><td colspan="5">${forHtml(s.dir)}: ${forHtml(s.problem ?? 'unreadable')}</td></tr>`;
      const k = s.case;
      return `<tr><td><a href="case/${encodeURIComponent(k.id)}/">${forHtml(k.id)}</a></td><td>${forHtml(k.subject?.input ?? '')}</td><td>${forHtml(k.status)}</td><td>${forHtml(k.created)}</td><td>${forHtml(s.dir)}</td></tr>`;
    });
    const body = rows.length
      ? `<h1>Cases</h1><table><thead><tr><th scope="col">Case</th><th scope="col">Subject</th><th scope="col">Status</th><th scope="col">Opened</th><th scope="col">Folder</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<h1>Cases</h1><p class="empty">No case folder here yet.</p>';
    return page(
      c,
      'Cases',
      '<nav aria-label="Site"><ul><li><a href="./" aria-current="page">Cases</a></li></ul></nav>',
      body,
      0,
    );
  });

  const dirOf = (id: string) => servedCases(options.source).find((s) => s.case?.id === id)?.dir;

  app.get(`${base}/case/:id/event/:eventId`, async (c) => {
    const dir = dirOf(c.req.param('id'));
    if (!dir) return c.json({ error: 'no such case' }, 404);
    return c.json(await rawEvent(dir, c.req.param('eventId')));
  });

  app.get(`${base}/case/:id/live`, (c) => {
    const dir = dirOf(c.req.param('id'));
    if (!dir) return c.text('no such case', 404);
    return streamSSE(c, async (stream) => {
      let last = caseSignature(dir);
      let open = true;
      stream.onAbort(() => void (open = false));
      await stream.writeSSE({ event: 'hello', data: last });
      while (open) {
        await stream.sleep(options.pollMs ?? 1000);
        const now = caseSignature(dir);
        if (now !== last) {
          last = now;
          await stream.writeSSE({ event: 'change', data: now });
        }
      }
    });
  });

  for (const p of CASE_PAGES) {
    app.get(`${base}/case/:id/${p.path}`, async (c) => {
      const id = c.req.param('id');
      const dir = dirOf(id);
      if (!dir) return c.text(`404: no case ${id} here.\n`, 404);
      // Every case page sits in /<token>/case/<id>/, so links are relative to that folder.
      const depth = 2;
      const prefix = './';
      const nav = `<nav aria-label="Case"><ul><li><a href="${'../'.repeat(depth)}">Cases</a></li>${CASE_PAGES.map(
        (q) =>
          `<li><a href="${prefix}${q.path}"${q === p ? ' aria-current="page"' : ''}>${forHtml(q.name)}</a></li>`,
      ).join('')}</ul></nav>`;
      let body: string;
      try {
        body = p.render(await loadCase(dir, options.clock.now()), new URL(c.req.url).searchParams);
      } catch (error) {
        body = `<h1>${forHtml(p.name)}</h1><p class="bad">This case cannot be read now: ${forHtml(messageOf(error))}</p>`;
      }
      return page(c, `${p.name} · ${id}`, nav, body, depth, `${prefix}live`);
    });
  }
  app.notFound((c) => c.text('404: no such page.\n', 404));
  return app;
}
