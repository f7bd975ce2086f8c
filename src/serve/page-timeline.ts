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

/** The chart of the calls in view, and the stretches of time it draws (for the brush). */
function chart(
  events: TimelineEntry[],
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
    events.map((e) => Date.parse(e.time)),
    [shown.awareness, shown.containment].flatMap((m) => (isUnknown(m) ? [] : [Date.parse(m)])),
  );
  return { svg: timelineChart(events, shown).svg, segments };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * The timeline page: the chart (Vega-Lite, drawn on the server) of the calls in the window, a
 * brush (drag across the chart) and keyboard controls to zoom, the calls filterable by credential,
 * category, region and outcome, and the raw record of any call.
 */
export function timelinePage(d: CaseData, query: URLSearchParams): string {
  const f = d.facts;
  if (isUnknown(f.timeline)) return `<h1>Timeline</h1><p>${esc(factText(f.timeline))}</p>`;
  const all = f.timeline;
  const asked = timeWindow(query);
  const window = typeof asked === 'object' ? asked : undefined;
  const events = window
    ? all.filter((e) => Date.parse(e.time) >= window.from && Date.parse(e.time) <= window.to)
    : all;
  const { svg, segments } = chart(events, f.times, window);
  const shownFrom = window?.from ?? segments[0]!.from;
  const shownTo = window?.to ?? segments.at(-1)!.to;
  const who = (e: TimelineEntry) => e.accessKey ?? e.principal ?? '';
  const distinct = (pick: (e: TimelineEntry) => string) => [...new Set(events.map(pick))].sort();
  const rows = events.map((e) => [
    esc(utc(e.time)),
    esc(e.region),
    esc(`${e.eventSource.replace(/\.amazonaws\.com$/, '')}:${e.eventName}`),
    esc(e.categoryFrom === 'finding' ? e.category : `${e.category} (by call)`),
    esc(e.sourceIp ?? ''),
    esc(who(e)),
    esc(e.error ?? ''),
    `<button type="button" data-event="${esc(e.eventId)}">raw event</button>`,
  ]);
  const attrs = events.map(
    (e) =>
      ` data-row data-time="${esc(e.time)}" data-principal="${esc(who(e))}" data-category="${esc(e.category)}" data-region="${esc(e.region)}" data-outcome="${e.error ? 'refused' : 'succeeded'}"`,
  );
  const stretches = segments.map((s) => [s.from, s.to]);
  return [
    '<h1>Timeline of attacker activity</h1>',
    typeof asked === 'string' ? `<p class="bad">${esc(asked)}</p>` : '',
    `<p>${window ? 'Zoomed to' : 'The whole attack,'} ${esc(utc(iso(shownFrom)))} → ${esc(utc(iso(shownTo)))}: ${events.length} of ${all.length} calls. Drag across the chart to zoom to a stretch of time; quiet gaps are drawn as breaks.</p>`,
    `<div class="filters" role="group" aria-label="Time window">`,
    `<label for="win-from">From (UTC)<input id="win-from" size="22" spellcheck="false" value="${esc(iso(shownFrom))}"></label>`,
    `<label for="win-to">To (UTC)<input id="win-to" size="22" spellcheck="false" value="${esc(iso(shownTo))}"></label>`,
    '<button type="button" data-zoom="set">Show this window</button>',
    '<button type="button" data-zoom="in">Zoom in</button>',
    '<button type="button" data-zoom="out">Zoom out</button>',
    window ? '<a href="timeline">Whole attack</a>' : '',
    '</div>',
    `<div class="brush" data-stretches="${esc(JSON.stringify(stretches))}" data-from="${shownFrom}" data-to="${shownTo}">`,
    `<figure>${svg}<figcaption>Attacker calls per category (upper lanes) and per region (lower lanes) over time, UTC; awareness and containment marked. ${events.length} call(s).</figcaption></figure>`,
    '<div class="brush-box" hidden></div></div>',
    '<h2>Every attacker call in the window</h2>',
    `<div class="filters" role="group" aria-label="Filter the calls">${[
      options('principal', 'Credential', distinct(who)),
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
      ['Time', 'Region', 'Call', 'Category', 'Source', 'Credential', 'Error', 'Event'],
      rows,
      window ? 'No attacker call in this window.' : 'No attacker activity was found.',
      attrs,
    ),
    '<h2>Raw event</h2>',
    '<pre id="raw-event" tabindex="0" aria-live="polite">Choose "raw event" on a row to see the record as CloudTrail delivered it.</pre>',
  ].join('\n');
}
