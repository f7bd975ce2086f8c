import type { SafeSvg } from './doc.js';
import type { LineageNode } from './input.js';
import { num, svgText } from './svg.js';

const BOX_W = 250;
const BOX_H = 46;
const COL_W = 400;
const ROW_H = 62;
const PAD = 12;

interface Placed {
  node: LineageNode;
  depth: number;
  row: number;
}

const KIND_COLOUR: Record<LineageNode['kind'], string> = {
  'access-key': '#e15759',
  'session-token': '#f28e2b',
  'federation-token': '#b07aa1',
  'assumed-role': '#4e79a7',
  'console-session': '#59a14f',
  other: '#7f7f7f',
};

function place(root: LineageNode): Placed[] {
  // Leaves take successive rows; a parent sits on its first child's row, so edges stay short.
  const out: Placed[] = [];
  let next = 0;
  const visit = (node: LineageNode, depth: number): number => {
    const placed: Placed = { node, depth, row: next };
    out.push(placed);
    if (node.children.length === 0) {
      next += 1;
      return placed.row;
    }
    const rows = node.children.map((c) => visit(c, depth + 1));
    placed.row = rows[0]!;
    return placed.row;
  };
  visit(root, 0);
  return out;
}

/** The credential and every session derived from it, as a left-to-right tree. */
export function lineageMap(root: LineageNode): SafeSvg {
  const placed = place(root);
  const depth = Math.max(...placed.map((p) => p.depth));
  const rows = Math.max(...placed.map((p) => p.row)) + 1;
  const width = PAD * 2 + depth * COL_W + BOX_W;
  const height = PAD * 2 + (rows - 1) * ROW_H + BOX_H;
  const at = (p: Placed) => ({ x: PAD + p.depth * COL_W, y: PAD + p.row * ROW_H });
  const index = new Map(placed.map((p) => [p.node, p]));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="lin-title" font-family="system-ui, sans-serif" font-size="11">`,
    '<title id="lin-title">Credential lineage: the leaked credential and every session derived from it</title>',
  ];
  for (const p of placed) {
    const from = at(p);
    for (const child of p.node.children) {
      const c = index.get(child)!;
      const to = at(c);
      const x1 = from.x + BOX_W;
      const y1 = from.y + BOX_H / 2;
      const y2 = to.y + BOX_H / 2;
      const mid = (x1 + to.x) / 2;
      out.push(
        `<path d="M${num(x1)} ${num(y1)} C${num(mid)} ${num(y1)} ${num(mid)} ${num(y2)} ${num(to.x)} ${num(y2)}" fill="none" stroke="#5a6275" stroke-width="1.5"/>`,
        `<text x="${num(x1 + 6)}" y="${num(y1 - 5)}" fill="#5a6275">${svgText(child.via ?? '', 20)}</text>`,
      );
    }
  }
  for (const p of placed) {
    const { x, y } = at(p);
    const who = p.node.principal ?? p.node.account ?? '';
    out.push(
      `<g><title>${svgText(`${p.node.credential} ${p.node.kind} ${who} ${p.node.at ?? ''}`, 300)}</title>`,
      `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="#ffffff" stroke="${KIND_COLOUR[p.node.kind]}" stroke-width="2"/>`,
      `<text x="${x + 8}" y="${y + 18}" font-weight="600" fill="#1d2330">${svgText(p.node.credential, 36)}</text>`,
      `<text x="${x + 8}" y="${y + 35}" fill="#5a6275">${svgText(`${p.node.kind} · ${who}`, 42)}</text></g>`,
    );
  }
  out.push('</svg>');
  return { svg: out.join('') };
}
