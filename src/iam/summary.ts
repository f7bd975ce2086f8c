import type { BlastRadius, CouldDid } from './blast-radius.js';

const DATA_LEVELS = new Set(['read', 'write', 'delete', 'manage']);

/** How many items a line names before "+N more". */
const SHOWN = 3;

const some = (list: string[]): string =>
  list.length === 0
    ? 'none'
    : `${list.slice(0, SHOWN).join('; ')}${list.length > SHOWN ? `; +${list.length - SHOWN} more` : ''}`;

/**
 * The blast radius in a few labelled lines, the same in the terminal and the reports: who the
 * credential is, administrator or not, the roles and escalation methods within reach, could
 * beside did for each capability, what raises severity, the SCPs' status and what was not checked.
 * Names are attacker-controlled: the printers escape them.
 */
export function blastRadiusLines(b: BlastRadius): [label: string, text: string][] {
  const compromised = b.principals.filter((p) => p.compromised);
  const methods = new Map<string, { targets: Set<string>; admin: boolean; did: Set<string> }>();
  for (const p of b.principals)
    for (const e of p.escalation) {
      const m = methods.get(e.method) ?? { targets: new Set<string>(), admin: false, did: new Set<string>() };
      for (const t of e.targets) m.targets.add(t.name);
      m.admin ||= e.reachesAdmin;
      // Several compromised principals may hold the method: an event counts once.
      for (const r of e.did) if (!r.errorCode) m.did.add(r.eventId);
      methods.set(e.method, m);
    }
  // Data capabilities (`read secrets`) one line per resource type: `read 3 / 1, write 3 / 0`.
  const data = new Map<string, string[]>();
  const other: CouldDid[] = [];
  for (const c of b.couldVsDid) {
    if (!c.could && !c.did && !c.tried) continue;
    const [level = '', ...rest] = c.capability.split(' ');
    if (!DATA_LEVELS.has(level)) {
      other.push(c);
      continue;
    }
    const type = rest.join(' ');
    data.set(type, [
      ...(data.get(type) ?? []),
      `${level} ${c.could} / ${c.did}${c.tried ? ` (+${c.tried} refused)` : ''}`,
    ]);
  }
  const lines: [string, string][] = [
    [
      'Compromised',
      compromised.map((p) => `${p.name} (${p.kind}${p.admin ? ', administrator' : ''})`).join('; ') ||
        `${b.subject.id} (not in the account read: reach unknown)`,
    ],
    ['Roles within reach', `${b.graph.paths.length}: ${some(b.graph.paths.map((p) => p.text))}`],
    [
      'Escalation',
      `${methods.size} method(s): ${some(
        [...methods].map(
          ([id, m]) =>
            `${id} on ${[...m.targets].slice(0, SHOWN).join(', ')}${m.admin ? ' (to administrator)' : ''}${m.did.size ? `, used ${m.did.size}×` : ''}`,
        ),
      )}`,
    ],
    ...[...data].map(([type, levels]): [string, string] => [
      `Data: ${type} (could / did)`,
      levels.join(', '),
    ]),
    ...other.map((c): [string, string] => [
      `Could / did: ${c.capability}`,
      `could ${c.could}, did ${c.did}${c.tried ? `, tried and refused ${c.tried}` : ''}`,
    ]),
    ...b.raisers.map((r): [string, string] => [`Raises severity (${r.level})`, r.reason]),
    [
      'SCPs',
      b.organization
        .map(
          (o) => `${o.account}: ${o.status === 'not-checked' ? `not checked (${o.reason ?? ''})` : o.status}`,
        )
        .join('; '),
    ],
  ];
  if (b.leftOut?.length)
    lines.push(['Evaluated', `as before containment: ${some(b.leftOut)} left out (the case's own denies)`]);
  if (b.notChecked.length)
    lines.push(['Not checked', `${b.notChecked.length}: ${some(b.notChecked)} (all in scope.json)`]);
  return lines;
}
