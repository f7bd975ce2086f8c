import { usd } from '../../report/cost.js';
import { messagingPhrase } from '../../report/messaging-cost.js';
import { rdsPhrase } from '../../report/rds-cost.js';
import { factText, isUnknown } from '../../report/index.js';
import type { Block } from '../spec.js';
import type { DemoRun } from './demo-run.js';

/** The truth's RDS lines summed by kind: storage of the snapshots, the copies' transfer, the exports. */
function rdsTruth(lines: DemoRun['truth']['cost']['rds']): string {
  const kinds = [
    ['snapshot-storage', 'snapshot storage'],
    ['cross-region-copy', 'cross-region copy'],
    ['export', 'export to S3'],
  ] as const;
  return kinds
    .map(([kind, words]) => {
      const of = lines.filter((l) => l.kind === kind);
      const gb = of.reduce((s, l) => s + l.gb, 0);
      return of.length ? `${words} ${usd(of.reduce((s, l) => s + l.usd, 0))} (${gb} GB)` : '';
    })
    .filter(Boolean)
    .join(', ');
}

/** What the attacker did, what was contained, the cost, where the report is — beside the ground truth. */
export function demoBlocks(d: DemoRun): Block[] {
  const r = d.respond;
  const f = r.facts;
  const t = d.truth;
  const calls = isUnknown(f.timeline) ? [] : f.timeline;
  const byCategory = new Map<string, number>();
  for (const c of calls) byCategory.set(c.category, (byCategory.get(c.category) ?? 0) + 1);
  return [
    {
      kind: 'fields',
      title: `Demo: the ${d.scenario} scenario, answered in ${d.seconds.toFixed(1)} s`,
      fields: [
        ['Leaked credential', factText(f.subject, (s) => s.input)],
        ['Campaign', f.campaigns.map((c) => c.name).join(', ') || 'none named by the rules'],
        [
          'What the attacker did',
          calls.length
            ? `${calls.length} calls: ${[...byCategory].map(([c, n]) => `${c} ${n}`).join(', ')}`
            : 'no attacker activity was found',
        ],
        ['Regions', factText(f.regions, (x) => x.join(', ') || 'none')],
        ['Attacker IPs', factText(f.attackerIps, (x) => x.join(', ') || 'none')],
        [
          'Contained',
          r.contained
            ? `yes, verified at ${factText(f.times.containment, (t) => t)} (key, derived sessions)`
            : `NO: ${factText(f.times.containment, (t) => t)}`,
        ],
        [
          'Estimated cost',
          factText(f.cost, (c) => {
            const base = c.models?.invocations
              ? `${usd(c.totalUsd)} in instances; ${c.models.invocations} Bedrock model calls between ${usd(c.models.lowUsd)} and ${usd(c.models.highUsd)} (a bound: CloudTrail has no token counts)`
              : `${usd(c.totalUsd)} in instances`;
            const rds = c.rds ? `; ${rdsPhrase(c.rds)}` : '';
            if (!c.messaging && !c.models?.invocations)
              return c.rds && c.totalUsd === 0 ? rdsPhrase(c.rds) : usd(c.totalUsd) + rds;
            return (c.messaging ? `${base}; ${messagingPhrase(c.messaging)}` : base) + rds;
          }),
        ],
        [
          'Coverage',
          r.coverage.some((c) => c.state !== 'complete') ? 'partial (listed in the report)' : 'complete',
        ],
        ['HTML report', r.reports.html],
        ['Case folder', r.dir],
      ],
    },
    {
      kind: 'fields',
      title: 'Ground truth of the scenario (for comparison)',
      fields: [
        ['Attacker calls', t.attackerEvents.length],
        ['Regions', [...new Set(t.attackerEvents.map((e) => e.region))].join(', ') || 'none'],
        ['Attacker IPs', t.attacker.ips.join(', ') || 'none'],
        ['Derived sessions', t.derivedSessions.length],
        [
          'Cost',
          t.cost.models.length
            ? `${usd(t.cost.usd)} (model calls: ${t.cost.models
                .map(
                  (m) =>
                    `${m.modelId} in ${m.region}: ${m.invocations} calls, ${m.inputTokens} tokens in, ${m.outputTokens} out`,
                )
                .join('; ')})`
            : t.cost.email.length || t.cost.sms.length
              ? `${usd(t.cost.usd)} (${[
                  ...t.cost.email.map((e) => `${e.messages} mails from ${e.region}`),
                  ...t.cost.sms.map((s) => `${s.delivered} texts ${s.region} → ${s.iso ?? '?'}`),
                ].join('; ')})`
              : t.cost.rds.length
                ? `${usd(t.cost.usd)} (${rdsTruth(t.cost.rds)})`
                : usd(t.cost.usd),
        ],
      ],
    },
    { kind: 'text', lines: ['Still needs a human:', ...r.needsHuman.map((n) => `  - ${n}`)] },
  ];
}
