import { timelineChart, timelineSegments } from '../report/chart-timeline.js';
import type { TimelineEntry } from '../report/facts.js';
import { factText, isUnknown, unknown, type Fact } from '../report/unknown.js';
import { utc } from '../report/words.js';
import { forHtml as esc } from '../untrusted.js';
import type { CaseData } from './case-data.js';
import { table } from './html.js';

/** The stretch of time the page shows (`?from=…&to=…`), or why the one asked for is refused. */
export function timeWindow(query: URLSearchParams): { from: number; to: number } | string | undefined {
  const from = query.get('from');
  const to = query.get('to');
  if (from === null && to === null) return undefined;
  const a = Date.parse(from ?? '');
  const b = Date.parse(to ?? '');
  if (!Number.isFinite(a) || !Number.isFinite(b))
    return 'The window needs two times in ISO 8601 (e.g. 2026-03-02T09:00:00Z); showing the whole attack.';
  if (a >= b) return 'The window must start before it ends; showing the whole attack.';
  return { from: a, to: b };
}

function options(name: string, label: string, values: string[]): string {
  const id = `filter-${name}`;
  return `<label for="${id}">${esc(label)}<select id="${id}" data-filter="${name}"><option value="">all</option>${values
    .map((v) => `<option value="${esc(v)}">${esc(v)}</option>`)
    .join('')}</select></label>`;
}

/** Whose calls the timeline shows (`?who=`): the attacker's (the default), the owner's, or both. */
export const WHO = ['attacker', 'owner', 'both'] as const;
export type Who = (typeof WHO)[number];

const WHO_LABEL: Record<Who, string> = {
  attacker: 'Attacker’s calls',
  owner: 'Owner’s own calls',
  both: 'Both',
};

/** The `who` the page was asked for, or why the one asked for is refused. */
export function whoOf(query: URLSearchParams): { who: Who; refused?: string } {
  const asked = query.get('who');
  if (asked === null) return { who: 'attacker' };
  if ((WHO as readonly string[]).includes(asked)) return { who: asked as Who };
  return { who: 'attacker', refused: `?who= takes attacker, owner or both; showing the attacker’s calls.` };
}

/** The chart of the calls in view, and the stretches of time it draws (for the brush). */
function chart(
  events: TimelineEntry[],
  owner: TimelineEntry[],
  marks: { awareness: Fact<string>; containment: Fact<string> },
  window: { from: number; to: number } | undefined,
) {
  const inside = (at: Fact<string>): Fact<string> =>
    isUnknown(at) || !window || (Date.parse(at) >= window.from && Date.parse(at) <= window.to)
      ? at
      : unknown('outside the window');
  const shown = { awareness: inside(marks.awareness), containment: inside(marks.containment) };
  // The same inputs timelineChart cuts its axis from: the brush maps pixels back through them.
  const segments = timelineSegments(
    [...events, ...owner].map((e) => Date.parse(e.time)),
    [shown.awareness, shown.containment].flatMap((m) => (isUnknown(m) ? [] : [Date.parse(m)])),
  );
  return { svg: timelineChart(events, shown, owner).svg, segments };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The page's URL with `who` and the window (the default `who` left out). */
function href(who: Who, window?: { from: number; to: number }): string {
  const q = new URLSearchParams();
  if (who !== 'attacker') q.set('who', who);
  if (window) {
    q.set('from', iso(window.from));
    q.set('to', iso(window.to));
  }
  const search = q.toString();
  return search ? `timeline?${search}` : 'timeline';
}

/** The attacker / owner / both choice: links (keyboard, no script needed), the current one marked. */
function whoChoice(who: Who, window: { from: number; to: number } | undefined): string {
  const links = WHO.map((w) =>
    w === who
      ? `<a href="${esc(href(w, window))}" aria-current="true">${esc(WHO_LABEL[w])}</a>`
      : `<a href="${esc(href(w, window))}">${esc(WHO_LABEL[w])}</a>`,
  );
  return `<div class="filters who" role="group" aria-label="Whose calls"><span>Show:</span>${links.join('')}</div>`;
}

/** What the page says about the owner's calls: how many, cut to the latest, or why not known. */
function ownerNote(d: CaseData, who: Who): string {
  if (who === 'attacker') return '';
  if (isUnknown(d.owner)) return `<p class="bad">The owner’s own calls: ${esc(factText(d.owner))}.</p>`;
  const { calls, total } = d.owner;
  const cut = total > calls.length ? ` (the latest ${calls.length} of ${total} are shown)` : '';
  return `<p>The owner’s own calls are the credential’s calls the investigation did not attribute to the attacker: its routine before the incident window and, inside it, the calls from the owner’s established addresses${cut}.</p>`;
}

const HEADING: Record<Who, string> = {
  attacker: 'Timeline of attacker activity',
  owner: 'Timeline of the owner’s own calls',
  both: 'Timeline of the attacker’s and the owner’s calls',
};

/**
 * The timeline page: the chart (Vega-Lite, drawn on the server) of the calls in the window, a
 * brush (drag across the chart) and keyboard controls to zoom, the attacker's calls, the owner's
 * or both (`?who=`, each call marked), filterable by credential, category, region and outcome,
 * and the raw record of any call.
 */
export function timelinePage(d: CaseData, query: URLSearchParams): string {
  const f = d.facts;
  if (isUnknown(f.timeline)) return `<h1>Timeline</h1><p>${esc(factText(f.timeline))}</p>`;
  const { who, refused } = whoOf(query);
  const asked = timeWindow(query);
  const window = typeof asked === 'object' ? asked : undefined;
  const inWindow = (e: TimelineEntry) =>
    !window || (Date.parse(e.time) >= window.from && Date.parse(e.time) <= window.to);
  const attackerAll = who === 'owner' ? [] : f.timeline;
  const ownerAll = who === 'attacker' || isUnknown(d.owner) ? [] : d.owner.calls;
  const attacker = attackerAll.filter(inWindow);
  const owner = ownerAll.filter(inWindow);
  const events = [
    ...attacker.map((e) => ({ e, who: 'attacker' as const })),
    ...owner.map((e) => ({ e, who: 'owner' as const })),
  ].sort((a, b) => a.e.time.localeCompare(b.e.time) || a.e.eventId.localeCompare(b.e.eventId));
  const all = attackerAll.length + ownerAll.length;
  const { svg, segments } = chart(attacker, owner, f.times, window);
  const shownFrom = window?.from ?? segments[0]!.from;
  const shownTo = window?.to ?? segments.at(-1)!.to;
  const whoCalled = (e: TimelineEntry) => e.accessKey ?? e.principal ?? '';
  const distinct = (pick: (e: TimelineEntry) => string) => [...new Set(events.map((x) => pick(x.e)))].sort();
  const rows = events.map(({ e, who: by }) => [
    esc(utc(e.time)),
    by === 'owner' ? '<span class="nowrap">owner</span>' : '<strong class="nowrap">attacker</strong>',
    esc(e.region),
    esc(`${e.eventSource.replace(/\.amazonaws\.com$/, '')}:${e.eventName}`),
    esc(e.categoryFrom === 'finding' ? e.category : `${e.category} (by call)`),
    esc(e.sourceIp ?? ''),
    esc(whoCalled(e)),
    esc(e.error ?? ''),
    `<button type="button" data-event="${esc(e.eventId)}">raw event</button>`,
  ]);
  const attrs = events.map(
    ({ e, who: by }) =>
      ` data-row data-who="${by}" data-time="${esc(e.time)}" data-principal="${esc(whoCalled(e))}" data-category="${esc(e.category)}" data-region="${esc(e.region)}" data-outcome="${e.error ? 'refused' : 'succeeded'}"`,
  );
  const stretches = segments.map((s) => [s.from, s.to]);
  const counted = who === 'both' ? ` (${attacker.length} the attacker’s, ${owner.length} the owner’s)` : '';
  const caption =
    who === 'attacker'
      ? 'Attacker calls per category (upper lanes) and per region (lower lanes) over time, UTC'
      : who === 'owner'
        ? 'The owner’s own calls over time, UTC'
        : 'The owner’s own calls (top lane, grey), then the attacker’s calls per category and per region, over time, UTC';
  return [
    `<h1>${esc(HEADING[who])}</h1>`,
    typeof asked === 'string' ? `<p class="bad">${esc(asked)}</p>` : '',
    refused ? `<p class="bad">${esc(refused)}</p>` : '',
    whoChoice(who, window),
    ownerNote(d, who),
    `<p>${window ? 'Zoomed to' : who === 'attacker' ? 'The whole attack,' : 'All of it,'} ${esc(utc(iso(shownFrom)))} → ${esc(utc(iso(shownTo)))}: ${events.length} of ${all} calls${counted}. Drag across the chart to zoom to a stretch of time; quiet gaps are drawn as breaks.</p>`,
    `<div class="filters" role="group" aria-label="Time window">`,
    `<label for="win-from">From (UTC)<input id="win-from" size="22" spellcheck="false" value="${esc(iso(shownFrom))}"></label>`,
    `<label for="win-to">To (UTC)<input id="win-to" size="22" spellcheck="false" value="${esc(iso(shownTo))}"></label>`,
    '<button type="button" data-zoom="set">Show this window</button>',
    '<button type="button" data-zoom="in">Zoom in</button>',
    '<button type="button" data-zoom="out">Zoom out</button>',
    window ? `<a href="${esc(href(who))}">${who === 'attacker' ? 'Whole attack' : 'Whole timeline'}</a>` : '',
    '</div>',
    `<div class="brush" data-stretches="${esc(JSON.stringify(stretches))}" data-from="${shownFrom}" data-to="${shownTo}">`,
    `<figure>${svg}<figcaption>${esc(caption)}; awareness and containment marked. ${events.length} call(s).</figcaption></figure>`,
    '<div class="brush-box" hidden></div></div>',
    `<h2>${who === 'attacker' ? 'Every attacker call in the window' : 'Every call in the window, each marked the attacker’s or the owner’s'}</h2>`,
    `<div class="filters" role="group" aria-label="Filter the calls">${[
      options('principal', 'Credential', distinct(whoCalled)),
      options(
        'category',
        'Category',
        distinct((e) => e.category),
      ),
      options(
        'region',
        'Region',
        distinct((e) => e.region),
      ),
      options('outcome', 'Outcome', ['succeeded', 'refused']),
    ].join(
      '',
    )}<p aria-live="polite"><span id="shown">${events.length}</span> of ${events.length} calls shown</p></div>`,
    table(
      ['Time', 'Whose', 'Region', 'Call', 'Category', 'Source', 'Credential', 'Error', 'Event'],
      rows,
      window
        ? 'No call in this window.'
        : who === 'attacker'
          ? 'No attacker activity was found.'
          : who === 'owner'
            ? 'No call of the owner’s own was found.'
            : 'No call was found.',
      attrs,
    ),
    '<h2>Raw event</h2>',
    '<pre id="raw-event" tabindex="0" aria-live="polite">Choose "raw event" on a row to see the record as CloudTrail delivered it.</pre>',
  ].join('\n');
}
