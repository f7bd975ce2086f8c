import dagreModule from '@dagrejs/dagre';
import type { SafeSvg } from './doc.js';
import type { TimelineEntry } from './facts.js';
import type { LineageNode } from './input.js';
import { foldLineage } from './lineage-fold.js';
import { num, svgText } from './svg.js';

const BOX_W = 250;
const BOX_H = 46;
const PAD = 12;

const KIND_COLOUR: Record<LineageNode['kind'], string> = {
  'access-key': '#e15759',
  'session-token': '#f28e2b',
  'federation-token': '#b07aa1',
  'assumed-role': '#4e79a7',
  'console-session': '#59a14f',
  other: '#7f7f7f',
};

const ATTACKER = '#c0392b';

interface Point {
  x: number;
  y: number;
}

/** The part of dagre's graph used here (its bundled typings do not resolve under NodeNext). */
interface LayoutGraph {
  setGraph(label: Record<string, unknown>): void;
  setDefaultEdgeLabel(make: () => object): void;
  setNode(id: string, label: { width: number; height: number }): void;
  setEdge(from: string, to: string): void;
  node(id: string): Point;
  edge(from: string, to: string): { points?: Point[] } | undefined;
  graph(): { width?: number; height?: number };
}
const dagre = dagreModule as unknown as {
  graphlib: { Graph: new () => LayoutGraph };
  layout(graph: LayoutGraph): void;
};

/**
 * The credential and the sessions derived from it, laid out left to right by dagre (a layered
 * graph layout): the attacker's path in bold red, the owner's routine sessions folded into one
 * dashed box per parent with their count.
 */
export function lineageMap(root: LineageNode, timeline: TimelineEntry[]): SafeSvg {
  const boxes = foldLineage(root, timeline);
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 150, marginx: PAD, marginy: PAD });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const box of boxes) graph.setNode(box.id, { width: BOX_W, height: BOX_H });
  for (const box of boxes) if (box.parent) graph.setEdge(box.parent, box.id);
  dagre.layout(graph);
  const { width = 0, height = 0 } = graph.graph();
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${num(width)} ${num(height)}" width="${num(width)}" height="${num(height)}" role="img" aria-labelledby="lin-title" font-family="system-ui, sans-serif" font-size="11">`,
    '<title id="lin-title">Credential lineage: the leaked credential, the attacker\'s path and the owner\'s routine sessions folded</title>',
  ];
  for (const box of boxes) {
    if (!box.parent) continue;
    const points = graph.edge(box.parent, box.id)?.points ?? [];
    if (points.length < 2) continue;
    const path = points.map((p, i) => `${i ? 'L' : 'M'}${num(p.x)} ${num(p.y)}`).join(' ');
    const hot = box.role === 'attacker';
    const first = points[0]!;
    out.push(
      `<path d="${path}" fill="none" stroke="${hot ? ATTACKER : '#9aa1ad'}" stroke-width="${hot ? 3 : 1.5}"${hot ? '' : ' stroke-dasharray="4 3"'}/>`,
      `<text x="${num(first.x + 8)}" y="${num(graph.node(box.id).y - BOX_H / 2 - 3)}" fill="${hot ? ATTACKER : '#5a6275'}">${svgText(box.via ?? '', 34)}</text>`,
    );
  }
  for (const box of boxes) {
    const n = graph.node(box.id);
    const x = n.x - BOX_W / 2;
    const y = n.y - BOX_H / 2;
    const stroke =
      box.role === 'routine' ? '#9aa1ad' : box.role === 'attacker' ? ATTACKER : KIND_COLOUR[box.kind];
    out.push(
      `<g><title>${svgText(`${box.title} ${box.detail}`, 300)}</title>`,
      `<rect x="${num(x)}" y="${num(y)}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${box.role === 'routine' ? '#f1f3f7' : '#ffffff'}" stroke="${stroke}" stroke-width="${box.role === 'routine' ? 1.5 : 3}"${box.role === 'routine' ? ' stroke-dasharray="5 3"' : ''}/>`,
      `<text x="${num(x + 8)}" y="${num(y + 18)}" font-weight="600" fill="#1d2330">${svgText(box.title, 36)}</text>`,
      `<text x="${num(x + 8)}" y="${num(y + 35)}" fill="#5a6275">${svgText(box.detail, 44)}</text></g>`,
    );
  }
  out.push('</svg>');
  return { svg: out.join('') };
}
