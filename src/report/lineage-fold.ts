import type { TimelineEntry } from './facts.js';
import type { LineageNode } from './input.js';

/** One box of the lineage picture: a credential, or several routine sessions folded into one. */
export interface LineageBox {
  id: string;
  /** `leaked`: the compromised credential; `attacker`: on the attacker's path; `routine`: the owner's. */
  role: 'leaked' | 'attacker' | 'routine';
  kind: LineageNode['kind'];
  title: string;
  detail: string;
  /** How many sessions the box stands for (1 unless folded). */
  count: number;
  /** The call that created it, shown on the edge from its parent. */
  via: string | null;
  parent: string | null;
}

function lastPart(arn: string | null): string {
  return arn ? (arn.split(/[/:]/).at(-1) ?? arn) : '';
}

function range(times: (string | null)[]): string {
  const known = times.filter((t): t is string => t !== null).sort();
  if (known.length === 0) return '';
  const a = known[0]!.slice(0, 10);
  const b = known.at(-1)!.slice(0, 10);
  return a === b ? a : `${a} → ${b}`;
}

function size(node: LineageNode): number {
  return 1 + node.children.reduce((n, c) => n + size(c), 0);
}

/**
 * The lineage as boxes: the leaked credential, every session on the attacker's path (a session
 * whose key or creating call appears among the attacker's calls, or that leads to one), and,
 * per parent, the owner's routine sessions folded into one box with their count, so three weeks
 * of CI sessions do not bury the attacker's path.
 */
export function foldLineage(root: LineageNode, timeline: TimelineEntry[]): LineageBox[] {
  const keys = new Set(timeline.map((e) => e.accessKey).filter((k) => k !== null));
  const ids = new Set(timeline.map((e) => e.eventId));
  const principals = new Set(timeline.map((e) => e.principal).filter((p) => p !== null));
  const onPath = new Map<LineageNode, boolean>();
  const mark = (node: LineageNode): boolean => {
    const direct =
      keys.has(node.credential) ||
      (node.eventId !== null && ids.has(node.eventId)) ||
      (node.kind === 'console-session' && node.principal !== null && principals.has(node.principal));
    const below = node.children.map(mark).some(Boolean);
    onPath.set(node, direct || below);
    return direct || below;
  };
  mark(root);
  const boxes: LineageBox[] = [];
  let next = 0;
  const visit = (node: LineageNode, parent: string | null, role: LineageBox['role']) => {
    const id = `n${next++}`;
    boxes.push({
      id,
      role,
      kind: node.kind,
      title: node.credential,
      detail: `${node.kind} · ${lastPart(node.principal ?? node.account)}`,
      count: 1,
      via: node.via,
      parent,
    });
    const routine = node.children.filter((c) => !onPath.get(c));
    for (const child of node.children.filter((c) => onPath.get(c))) visit(child, id, 'attacker');
    if (routine.length === 1) visit(routine[0]!, id, 'routine');
    else if (routine.length > 1) {
      const vias = new Map<string, number>();
      for (const r of routine)
        vias.set(r.via ?? 'unknown call', (vias.get(r.via ?? 'unknown call') ?? 0) + 1);
      const roles = [...new Set(routine.map((r) => lastPart(r.principal).replace(/^.*assumed-role\//, '')))];
      const who = [...new Set(routine.map((r) => r.principal?.split('/').at(-2) ?? ''))].filter(Boolean);
      const count = routine.reduce((n, r) => n + size(r), 0);
      boxes.push({
        id: `n${next++}`,
        role: 'routine',
        kind: routine[0]!.kind,
        title: `${count} routine sessions`,
        detail: `${who.slice(0, 2).join(', ') || roles.slice(0, 2).join(', ')} · ${range(routine.map((r) => r.at))}`,
        count,
        via: [...vias].map(([v, n]) => `${v} ×${n}`).join(', '),
        parent: id,
      });
    }
  };
  visit(root, null, 'leaked');
  return boxes;
}
