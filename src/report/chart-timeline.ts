import { CATEGORIES } from '../detect/finding.js';
import type { SafeSvg } from './doc.js';
import { UNCATEGORISED, type TimelineEntry } from './facts.js';
import { num, PALETTE, shortTime, svgText } from './svg.js';
import { isUnknown, type Fact } from './unknown.js';

const BINS = 48;
const LABEL_W = 190;
const PLOT_W = 720;
const LANE_H = 24;
const TOP = 34;
const AXIS_H = 36;

interface Lane {
  label: string;
  colour: string;
  counts: number[];
}

/**
 * The report's opening picture: attacker calls per category (upper lanes) and per region (lower
 * lanes) over time, one bar per time slice, with awareness and containment marked.
 */
export function timelineChart(
  timeline: TimelineEntry[],
  marks: { awareness: Fact<string>; containment: Fact<string> },
): SafeSvg {
  const markTimes = [
    { label: 'awareness', at: marks.awareness, colour: '#c0392b' },
    { label: 'contained', at: marks.containment, colour: '#1e8449' },
  ].flatMap((m) => (isUnknown(m.at) ? [] : [{ ...m, ms: Date.parse(m.at) }]));
  const times = [...timeline.map((e) => Date.parse(e.time)), ...markTimes.map((m) => m.ms)];
  let start = Math.min(...times);
  let end = Math.max(...times);
  if (!Number.isFinite(start)) start = end = 0;
  if (end - start < 120_000) {
    start -= 60_000;
    end += 60_000;
  }
  const span = end - start;
  const binOf = (ms: number) => Math.min(BINS - 1, Math.floor(((ms - start) / span) * BINS));
  const laneFor = (label: string, colour: string, pick: (e: TimelineEntry) => boolean): Lane => {
    const counts = new Array<number>(BINS).fill(0);
    for (const e of timeline) if (pick(e)) counts[binOf(Date.parse(e.time))]! += 1;
    return { label, colour, counts };
  };
  const categories = [...CATEGORIES, UNCATEGORISED].filter((c) => timeline.some((e) => e.category === c));
  const regions = [...new Set(timeline.map((e) => e.region))].sort();
  const lanes = [
    ...categories.map((c) =>
      laneFor(
        c,
        PALETTE[Math.max(0, (CATEGORIES as readonly string[]).indexOf(c)) % PALETTE.length] ?? '#777',
        (e) => e.category === c,
      ),
    ),
    ...regions.map((r) => laneFor(`region ${r}`, '#5a6275', (e) => e.region === r)),
  ];
  const height = TOP + Math.max(1, lanes.length) * LANE_H + AXIS_H;
  const width = LABEL_W + PLOT_W + 70;
  const x = (ms: number) => LABEL_W + ((ms - start) / span) * PLOT_W;
  const binW = PLOT_W / BINS;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="tl-title" font-family="system-ui, sans-serif" font-size="11">`,
    `<title id="tl-title">Attacker calls per category and per region over time (UTC)</title>`,
    `<rect x="${LABEL_W}" y="${TOP}" width="${PLOT_W}" height="${Math.max(1, lanes.length) * LANE_H}" fill="#fafbfc" stroke="#d5d9e0"/>`,
  ];
  if (lanes.length === 0) {
    out.push(
      `<text x="${LABEL_W + PLOT_W / 2}" y="${TOP + 16}" text-anchor="middle" fill="#5a6275">No attacker activity found</text>`,
    );
  }
  lanes.forEach((lane, i) => {
    const y = TOP + i * LANE_H;
    const max = Math.max(1, ...lane.counts);
    out.push(
      `<text x="${LABEL_W - 8}" y="${y + LANE_H / 2 + 4}" text-anchor="end" fill="#1d2330">${svgText(lane.label, 28)}</text>`,
    );
    if (i > 0 && i === categories.length) {
      out.push(
        `<line x1="${LABEL_W}" x2="${LABEL_W + PLOT_W}" y1="${y}" y2="${y}" stroke="#1d2330" stroke-width="1"/>`,
      );
    }
    lane.counts.forEach((n, b) => {
      if (n === 0) return;
      const h = Math.max(2, (n / max) * (LANE_H - 6));
      const from = start + (b * span) / BINS;
      out.push(
        `<rect x="${num(LABEL_W + b * binW + 0.5)}" y="${num(y + LANE_H - 3 - h)}" width="${num(Math.max(1, binW - 1))}" height="${num(h)}" fill="${lane.colour}">` +
          `<title>${svgText(lane.label, 80)}: ${n} call(s) from ${shortTime(from)} UTC</title></rect>`,
      );
    });
  });
  const bottom = TOP + Math.max(1, lanes.length) * LANE_H;
  for (let t = 0; t <= 4; t++) {
    const ms = start + (span * t) / 4;
    out.push(
      `<line x1="${num(x(ms))}" x2="${num(x(ms))}" y1="${bottom}" y2="${bottom + 4}" stroke="#5a6275"/>`,
      `<text x="${num(x(ms))}" y="${bottom + 16}" text-anchor="${t === 4 ? 'end' : 'middle'}" fill="#5a6275">${shortTime(ms)}</text>`,
    );
  }
  out.push(
    `<text x="${LABEL_W + PLOT_W}" y="${bottom + 30}" text-anchor="end" fill="#5a6275">time (UTC)</text>`,
  );
  markTimes.forEach((m, i) => {
    out.push(
      `<line x1="${num(x(m.ms))}" x2="${num(x(m.ms))}" y1="${TOP - 4}" y2="${bottom}" stroke="${m.colour}" stroke-width="2" stroke-dasharray="5 3"/>`,
      // Labels near the right edge end at their line so they stay inside the picture.
      `<text x="${num(x(m.ms))}" y="${12 + i * 12}" text-anchor="${x(m.ms) > LABEL_W + PLOT_W * 0.75 ? 'end' : 'middle'}" fill="${m.colour}" font-weight="600">${m.label} ${shortTime(m.ms)}</text>`,
    );
  });
  out.push('</svg>');
  return { svg: out.join('') };
}
