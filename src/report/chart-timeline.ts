import type { TopLevelSpec } from 'vega-lite';
import { CATEGORIES } from '../detect/finding.js';
import { forTerminal } from '../untrusted.js';
import type { SafeSvg } from './doc.js';
import type { TimelineEntry } from './facts.js';
import { PALETTE } from './svg.js';
import { isUnknown, type Fact } from './unknown.js';
import { vegaLiteSvg } from './vega.js';

/** The plot's width in pixels, breaks included. */
export const PLOT_W = 760;
/** Width of the break drawn for a quiet gap. */
export const BREAK_W = 46;
/** Width of a stretch that holds only a mark (awareness, containment), no attacker call. */
export const MARK_ONLY_W = 84;
const MIN_SEGMENT_W = 90;
const LANE_H = 22;
const MAX_SEGMENTS = 6;
/** A quiet gap becomes a break when it is longer than this and than a tenth of the whole span. */
const MIN_BREAK_MS = 30 * 60_000;

/** A stretch of time drawn to its own scale; quiet gaps between stretches are drawn as breaks. */
export interface Segment {
  from: number;
  to: number;
  /** Attacker calls in the stretch (0: it holds only marks). */
  events: number;
  width: number;
}

interface Mark {
  label: string;
  ms: number;
  colour: string;
}

/**
 * Cut the time axis where nothing happens for long: each stretch of activity (or lone mark) gets
 * its own scale and the gaps become breaks, so a 15-minute attack followed by awareness a day
 * later fills the picture instead of one pixel column. Stretches with attacker calls share the
 * width in proportion to their duration (at least `MIN_SEGMENT_W` each); mark-only stretches
 * and breaks are narrow, so the attack always gets at least half the width.
 */
export function timelineSegments(eventTimes: number[], markTimes: number[]): Segment[] {
  const points = [
    ...eventTimes.map((ms) => ({ ms, event: true })),
    ...markTimes.map((ms) => ({ ms, event: false })),
  ]
    .filter((p) => Number.isFinite(p.ms))
    .sort((a, b) => a.ms - b.ms);
  if (points.length === 0) return [{ from: 0, to: 60_000, events: 0, width: PLOT_W }];
  const span = points.at(-1)!.ms - points[0]!.ms;
  const gaps = points
    .slice(1)
    .map((p, i) => ({ at: i + 1, size: p.ms - points[i]!.ms }))
    .filter((g) => g.size > Math.max(MIN_BREAK_MS, span / 10))
    .sort((a, b) => b.size - a.size)
    .slice(0, MAX_SEGMENTS - 1)
    .map((g) => g.at)
    .sort((a, b) => a - b);
  const cuts = [0, ...gaps, points.length];
  const raw = cuts.slice(1).map((end, i) => {
    const group = points.slice(cuts[i], end);
    return { from: group[0]!.ms, to: group.at(-1)!.ms, events: group.filter((p) => p.event).length };
  });
  const withEvents = raw.filter((s) => s.events > 0);
  const fixed = (raw.length - 1) * BREAK_W + (raw.length - withEvents.length) * MARK_ONLY_W;
  const free = PLOT_W - fixed - withEvents.length * MIN_SEGMENT_W;
  const durations = withEvents.reduce((sum, s) => sum + Math.max(s.to - s.from, 60_000), 0);
  return raw.map((s) => {
    // Each stretch is padded so its first and last calls sit inside the frame.
    const pad = Math.max((s.to - s.from) * 0.04, 30_000);
    const width =
      s.events === 0
        ? MARK_ONLY_W
        : MIN_SEGMENT_W +
          (withEvents.length === 1 ? free : (free * Math.max(s.to - s.from, 60_000)) / durations);
    return { from: s.from - pad, to: s.to + pad, events: s.events, width: Math.floor(width) };
  });
}

/** Text of the attacker's for a chart label: visible control characters, clipped. */
function label(text: string, max = 30): string {
  const visible = forTerminal(text);
  return visible.length > max ? `${visible.slice(0, max - 1)}…` : visible;
}

function gapText(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 48) return `${Math.round(hours / 24)} d`;
  if (hours >= 1) return `${Math.round(hours)} h`;
  return `${Math.round(ms / 60_000)} min`;
}

const DAY = 86_400_000;

/** The lane of the owner's own calls (the dashboard's timeline, when asked to show them). */
export const OWNER_LANE = 'owner’s own calls';
const OWNER_COLOUR = '#7b8190';

/**
 * The report's opening picture (Vega-Lite, rendered to static SVG): attacker calls per category
 * (upper lanes) and per region (lower lanes), one dot per time slice sized by the number of
 * calls, awareness and containment marked, quiet gaps drawn as breaks. `owner`: the owner's own
 * calls, drawn in one grey lane on top and kept out of the category and region lanes.
 */
export function timelineChart(
  timeline: TimelineEntry[],
  marks: { awareness: Fact<string>; containment: Fact<string> },
  owner: TimelineEntry[] = [],
): SafeSvg {
  const markList: Mark[] = [
    { label: 'awareness', at: marks.awareness, colour: '#c0392b' },
    { label: 'contained', at: marks.containment, colour: '#1e8449' },
  ].flatMap((m) => (isUnknown(m.at) ? [] : [{ label: m.label, ms: Date.parse(m.at), colour: m.colour }]));
  const times = [...timeline, ...owner].map((e) => Date.parse(e.time));
  const segments = timelineSegments(
    times,
    markList.map((m) => m.ms),
  );
  const categories = CATEGORIES.filter((c) => timeline.some((e) => e.category === c));
  const regions = [...new Set(timeline.map((e) => label(e.region)))].sort();
  const lanes = [...(owner.length ? [OWNER_LANE] : []), ...categories, ...regions.map((r) => `region ${r}`)];
  const colourOf = (lane: string) => {
    if (lane === OWNER_LANE) return OWNER_COLOUR;
    const i = (CATEGORIES as readonly string[]).indexOf(lane);
    return i < 0 ? '#5a6275' : (PALETTE[i % PALETTE.length] ?? '#777');
  };
  const height = Math.max(1, lanes.length) * LANE_H;
  const placed: Placed[] = [
    ...timeline.map((e) => ({
      ms: Date.parse(e.time),
      lanes: [e.category as string, `region ${label(e.region)}`],
    })),
    ...owner.map((e) => ({ ms: Date.parse(e.time), lanes: [OWNER_LANE] })),
  ];
  const parts: TopLevelSpec[] = [];
  segments.forEach((seg, i) => {
    if (i > 0) parts.push(breakSpec(seg.from - segments[i - 1]!.to, height) as TopLevelSpec);
    parts.push(
      segmentSpec(seg, i === 0, lanes, height, dots(placed, seg, colourOf), markList) as TopLevelSpec,
    );
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    hconcat: parts,
    spacing: 0,
    config: {
      // The picture is one image with a name; its parts carry no ARIA roles of their own.
      aria: false,
      font: 'system-ui, sans-serif',
      view: { stroke: '#d5d9e0', fill: '#fafbfc' },
      axis: { labelColor: '#1d2330', titleColor: '#5a6275', labelFontSize: 11, titleFontWeight: 'normal' },
    },
  } as unknown as TopLevelSpec;
  return vegaLiteSvg(
    spec,
    owner.length
      ? timeline.length
        ? 'Attacker calls per category and per region, and the owner’s own calls, over time (UTC)'
        : 'The owner’s own calls over time (UTC)'
      : 'Attacker calls per category and per region over time (UTC)',
  );
}

interface Dot {
  t: number;
  lane: string;
  n: number;
  colour: string;
}

/** A call at its time, with the lanes it is drawn in. */
interface Placed {
  ms: number;
  lanes: string[];
}

function dots(calls: Placed[], seg: Segment, colourOf: (lane: string) => string): Dot[] {
  // Calls are counted per lane in slices about 12 px wide, so a burst reads as a bigger dot.
  const bins = Math.max(4, Math.round(seg.width / 12));
  const size = (seg.to - seg.from) / bins;
  const counts = new Map<string, Dot>();
  for (const { ms, lanes } of calls) {
    if (ms < seg.from || ms > seg.to) continue;
    const bin = Math.min(bins - 1, Math.floor((ms - seg.from) / size));
    for (const lane of lanes) {
      const key = `${lane}|${bin}`;
      const dot = counts.get(key) ?? { t: seg.from + (bin + 0.5) * size, lane, n: 0, colour: colourOf(lane) };
      dot.n += 1;
      counts.set(key, dot);
    }
  }
  return [...counts.values()];
}

function segmentSpec(
  seg: Segment,
  first: boolean,
  lanes: string[],
  height: number,
  values: Dot[],
  marks: Mark[],
): object {
  const long = seg.to - seg.from > DAY;
  const inside = marks
    .map((m, i) => ({ ...m, row: i }))
    .filter((m) => m.ms >= seg.from && m.ms <= seg.to)
    .map((m) => ({ ...m, t: m.ms, text: `${m.label} ${new Date(m.ms).toISOString().slice(11, 16)}` }));
  const x = {
    field: 't',
    type: 'temporal',
    scale: { type: 'utc', domain: [seg.from, seg.to] },
    axis: {
      // A stretch of a few minutes (a zoomed window) would repeat the same minute under each tick.
      format: long ? '%m-%d %H:%M' : seg.to - seg.from < 15 * 60_000 ? '%H:%M:%S' : '%H:%M',
      tickCount: Math.max(2, Math.floor(seg.width / 70)),
      title: long
        ? `${new Date(seg.from).toISOString().slice(0, 10)} → ${new Date(seg.to).toISOString().slice(0, 10)}`
        : `${new Date(seg.from).toISOString().slice(0, 10)} UTC`,
      labelOverlap: true,
    },
  };
  const y = {
    field: 'lane',
    type: 'nominal',
    scale: { domain: lanes },
    axis: first ? { title: null, labelLimit: 190 } : null,
  };
  return {
    width: seg.width,
    height,
    layer: [
      {
        data: { values },
        mark: { type: 'circle', opacity: 0.85, aria: false },
        encoding: {
          x,
          y,
          size: { field: 'n', type: 'quantitative', scale: { range: [25, 260] }, legend: null },
          color: { field: 'colour', type: 'nominal', scale: null },
        },
      },
      {
        data: { values: inside },
        mark: { type: 'rule', strokeDash: [5, 3], strokeWidth: 2, aria: false },
        encoding: { x, color: { field: 'colour', type: 'nominal', scale: null } },
      },
      {
        data: { values: inside },
        mark: { type: 'text', fontWeight: 600, baseline: 'bottom', aria: false },
        encoding: {
          x,
          y: { field: 'row', type: 'quantitative', scale: { domain: [0, 1], range: [-4, -18] }, axis: null },
          text: { field: 'text' },
          color: { field: 'colour', type: 'nominal', scale: null },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}

function breakSpec(gap: number, height: number): object {
  return {
    width: BREAK_W,
    height,
    view: { stroke: null, fill: null },
    data: { values: [{ text: ['≈', gapText(gap), 'quiet'] }] },
    mark: { type: 'text', color: '#5a6275', fontSize: 10, lineHeight: 12, aria: false },
    encoding: {
      text: { field: 'text' },
      x: { value: BREAK_W / 2 },
      y: { value: height / 2 - 12 },
    },
  };
}
