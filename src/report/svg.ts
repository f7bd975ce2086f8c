import { forHtml, forTerminal } from '../untrusted.js';

/** Text placed in an SVG: visible control characters, clipped to `max` characters, escaped. */
export function svgText(text: string, max = 60): string {
  const visible = forTerminal(text);
  return forHtml(visible.length > max ? `${visible.slice(0, max - 1)}…` : visible);
}

/** A number for an SVG attribute (no NaN, two decimals). */
export function num(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : '0';
}

/** Colours for the categories, in catalogue order, readable on white. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#2f4b7c',
  '#a05195',
  '#d45087',
  '#7f7f7f',
];

/** `11-28 14:05` in UTC: the chart's axis labels. */
export function shortTime(ms: number): string {
  return new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
}
