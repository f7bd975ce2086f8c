import { usd } from '../../report/cost.js';
import { factText, isUnknown } from '../../report/index.js';
import type { RespondResult } from '../../playbook/respond.js';
import type { Block } from '../spec.js';

/** The end of a playbook run: each phase's paragraph, then what is done and what needs a person. */
export function respondBlocks(r: RespondResult, extra: Block[] = []): Block[] {
  const f = r.facts;
  const categories = isUnknown(f.findingsByCategory) ? [] : f.findingsByCategory.map((c) => c.category);
  return [
    {
      kind: 'fields',
      title: `Case ${r.caseId}${r.resumed ? ' (continued)' : ''}`,
      fields: [
        ['Folder', r.dir],
        ['Subject', factText(f.subject, (s) => s.input)],
        ['Contained', r.contained ? 'yes' : 'NO'],
        ['Clean', r.clean ? 'yes (eradication read back)' : 'NO (eradication not applied or not holding)'],
        ['Attacker activity', factText(f.timeline, (t) => (t.length ? `${t.length} calls` : 'none found'))],
        ['Categories', categories.join(', ') || null],
        ['Regions', factText(f.regions, (x) => x.join(', ') || 'none')],
        ['Attacker IPs', factText(f.attackerIps, (x) => x.join(', ') || 'none')],
        ['Estimated cost', factText(f.cost, (c) => usd(c.totalUsd))],
        ['Coverage', r.coverage.some((c) => c.state !== 'complete') ? 'PARTIAL (see report)' : 'complete'],
        ['HTML report', r.reports.html],
        ['Markdown report', r.reports.md],
      ],
    },
    {
      kind: 'table',
      title: 'Phases',
      columns: ['PHASE', 'RESULT', 'SECONDS'],
      rows: r.phases.map((p) => [p.title, p.state, p.seconds.toFixed(1)]),
    },
    ...extra,
    { kind: 'text', lines: ['Done:', ...r.done.map((d) => `  ✓ ${d}`)] },
    { kind: 'text', lines: ['Still needs a human:', ...r.needsHuman.map((n) => `  - ${n}`)] },
  ];
}
