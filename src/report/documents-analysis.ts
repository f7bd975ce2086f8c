import { messagingPhrase } from './messaging-cost.js';
import { groupByTactic } from '../detect/attack.js';
import { severityRank } from '../detect/engine.js';
import type { Finding } from '../detect/finding.js';
import { chartOrNote, lineageOrNote } from './charts.js';
import { usd } from './cost.js';
import type { Doc, DocBlock } from './doc.js';
import type { Facts } from './facts.js';
import { factText, isUnknown } from './unknown.js';
import { actionItems } from './documents-comms.js';
import { scopeBlocks, scopeSummary } from './scope-facts.js';
import {
  activityText,
  containedText,
  costText,
  listText,
  severityText,
  subjectText,
  timeText,
  utc,
  whatHappened,
} from './words.js';

/** Timeline rows shown in documents; the CSV export carries every event. */
export const TIMELINE_ROWS = 500;

/** The line under a document's title: what it is, the case, when it was written. */
export function byline(facts: Facts, what: string): string {
  return `${what} · case ${facts.caseId} · ${utc(facts.generatedAt)}`;
}

/** The cost estimate: per type and region, the price with its source and date, and the rest. */
export function costBlocks(facts: Facts): DocBlock[] {
  return [...estimateBlocks(facts), billedBlock(facts)];
}

function estimateBlocks(facts: Facts): DocBlock[] {
  if (isUnknown(facts.cost)) return [{ kind: 'para', text: `Cost estimate: ${factText(facts.cost)}.` }];
  const c = facts.cost;
  const blocks: DocBlock[] = [
    { kind: 'para', text: [{ strong: `Estimated cost: ${costText(facts)}.` }] },
    {
      kind: 'table',
      columns: [
        'Instance type',
        'Region',
        'Instances',
        'Instance-hours',
        'USD/hour',
        'Cost',
        'Price source (date)',
      ],
      rows: c.lines.map((l) => [
        l.instanceType,
        l.region,
        String(l.instances),
        l.hours.toFixed(2),
        l.usdPerHour === null ? 'not priced' : String(l.usdPerHour),
        l.usd === null ? 'not priced' : usd(l.usd),
        `${l.priceSource} (${l.priceDate})${l.note ? `; ${l.note}` : ''}`,
      ]),
      empty: 'The attacker launched no EC2 instances.',
    },
    { kind: 'para', text: `Prices: ${c.table.description} ${c.table.billing} ${c.table.fallbackNote}` },
  ];
  if (c.models?.invocations) {
    blocks.push(
      {
        kind: 'table',
        columns: ['Model', 'Region', 'Calls', 'At least', 'At most', 'Price source (date)'],
        rows: c.models.lines.map((l) => [
          { code: l.modelId },
          l.region,
          String(l.invocations),
          l.lowUsd === null ? 'not priced' : usd(l.lowUsd),
          l.highUsd === null ? 'not priced' : usd(l.highUsd),
          l.priceSource,
        ]),
        empty: '',
      },
      { kind: 'para', text: `Model calls: ${c.models.basis}` },
    );
  }
  const msg = c.messaging;
  if (msg) {
    blocks.push(
      {
        kind: 'table',
        columns: ['SMS from', 'To', 'Texts in the case', 'Priced'],
        rows: [
          ...msg.smsLines.map((l) => [
            l.region,
            l.country,
            String(l.texts),
            l.usd === null ? 'not priced' : usd(l.usd),
          ]),
          ...msg.smsLimits.map((l) => [
            l.region,
            'monthly spend limit the attacker set',
            '',
            usd(l.limitUsd),
          ]),
        ],
        empty: '',
      },
      { kind: 'para', text: `Mail and texts: ${messagingPhrase(msg)}. ${msg.basis}` },
    );
  }
  if (c.otherBillable.length) {
    blocks.push({
      kind: 'table',
      columns: ['Other billable resource', 'Identifier', 'Region', 'Note'],
      rows: c.otherBillable.map((o) => [o.type, { code: o.id }, o.region, o.note]),
      empty: '',
    });
  }
  return blocks;
}

/** Cost Explorer's billed figures in one paragraph, or why they are not known. */
export function billedBlock(facts: Facts): DocBlock {
  const b = facts.billed;
  if (isUnknown(b)) return { kind: 'para', text: `Billed figures (Cost Explorer): ${factText(b)}.` };
  const services = b.byService.map((s) => `${s.service} ${s.amount.toFixed(2)}`).join(', ');
  return {
    kind: 'para',
    text: `Billed figures (${b.source}, ${utc(b.start)} to ${utc(b.end)}): ${b.total.toFixed(2)} ${b.currency}${services ? ` — ${services}` : ''}.`,
  };
}

function dataBlocks(facts: Facts): DocBlock[] {
  if (isUnknown(facts.dataAccessed))
    return [{ kind: 'para', text: `Data accessed: ${factText(facts.dataAccessed)}.` }];
  return [
    {
      kind: 'table',
      columns: ['Time', 'What', 'Name', 'Region', 'Outcome'],
      rows: facts.dataAccessed.map((d) => [
        utc(d.time),
        d.what,
        { code: d.id },
        d.region,
        d.succeeded ? 'read' : 'refused',
      ]),
      empty: 'No data read by the attacker was found.',
    },
  ];
}

/** Decision points with criterion, answer and deadlines. */
export function decisionBlocks(facts: Facts): DocBlock[] {
  return [
    {
      kind: 'table',
      columns: ['Decision', 'Answer', 'Because', 'Criterion', 'Deadline'],
      rows: facts.decisions.map((d) => [
        d.question,
        { strong: d.answer },
        d.basis,
        d.criterion,
        d.deadlines.map((x) => `${x.label}: ${timeText(x.at)}`).join('; ') || '-',
      ]),
      empty: '',
    },
  ];
}

/** Time to detect and to contain. */
export function metricBlocks(facts: Facts): DocBlock[] {
  return [
    {
      kind: 'fields',
      rows: [
        ['First attacker event', timeText(facts.times.firstAttackerEvent)],
        ['Awareness', timeText(facts.times.awareness)],
        ['Containment verified', timeText(facts.times.containment)],
        [
          'Time to detect (first attacker event → awareness)',
          factText(facts.metrics.timeToDetect, (d) => d.text),
        ],
        [
          'Time to contain (awareness → verified containment)',
          factText(facts.metrics.timeToContain, (d) => d.text),
        ],
        ['Exposure (first attacker event → containment)', factText(facts.metrics.exposure, (d) => d.text)],
        ['Watch for re-entry', factText(facts.watch, (w) => `${w.verdict} (${w.since} → ${w.until})`)],
      ],
    },
  ];
}

/** The campaigns the findings name, one line each. */
export function campaignBlocks(facts: Facts): DocBlock[] {
  return facts.campaigns.map((c) => ({ kind: 'para', text: [{ strong: c.line }] }));
}

/** Attacker activity over time: picture, bursts, then each call. */
export function timelineBlocks(facts: Facts): DocBlock[] {
  if (isUnknown(facts.timeline) || isUnknown(facts.bursts))
    return [{ kind: 'para', text: `Timeline: ${factText(facts.timeline)}.` }];
  const rows = facts.timeline.slice(0, TIMELINE_ROWS);
  const more = facts.timeline.length - rows.length;
  return [
    { kind: 'subheading', text: 'Bursts of activity' },
    {
      kind: 'table',
      columns: ['From', 'To', 'Calls', 'Regions', 'Categories', 'Most frequent calls'],
      rows: facts.bursts.map((b) => [
        utc(b.start),
        utc(b.end),
        String(b.events),
        b.regions.join(', '),
        b.categories.join(', '),
        b.topEvents.join(', '),
      ]),
      empty: 'No attacker activity was found.',
    },
    { kind: 'subheading', text: 'Every attacker call' },
    {
      kind: 'table',
      columns: ['Time', 'Region', 'Call', 'Category', 'Source', 'Credential', 'Error'],
      rows: rows.map((e) => [
        utc(e.time),
        e.region,
        `${e.eventSource.replace(/\.amazonaws\.com$/, '')}:${e.eventName}`,
        e.categoryFrom === 'finding' ? e.category : `${e.category} (by call)`,
        e.sourceIp ?? '',
        e.accessKey ?? e.principal ?? '',
        e.error ?? '',
      ]),
      empty: 'No attacker activity was found.',
    },
    ...(more > 0
      ? [
          {
            kind: 'para' as const,
            text: `${more} more call(s) are in the CSV export (tourniquet report --kind timeline --format csv).`,
          },
        ]
      : []),
    {
      kind: 'fields',
      rows: [
        ['Regions', listText(facts.regions)],
        ['Source addresses', listText(facts.attackerIps)],
        ['User agents', listText(facts.userAgents)],
      ],
    },
  ];
}

/** The timeline document. */
export function timelineDoc(facts: Facts): Doc {
  return {
    title: 'Timeline of attacker activity',
    byline: byline(facts, 'Timeline'),
    blocks: [chartOrNote(facts), ...timelineBlocks(facts)],
  };
}

/** The decisions document: each decision point, then the response metrics. */
export function decisionsDoc(facts: Facts): Doc {
  return {
    title: 'Decision points and response metrics',
    byline: byline(facts, 'Decisions'),
    blocks: [
      { kind: 'heading', text: 'Decisions' },
      ...decisionBlocks(facts),
      { kind: 'heading', text: 'Response metrics' },
      ...metricBlocks(facts),
    ],
  };
}

function findingBlocks(facts: Facts): DocBlock[] {
  if (isUnknown(facts.findingsByCategory))
    return [{ kind: 'para', text: `Findings: ${factText(facts.findingsByCategory)}.` }];
  const others: DocBlock[] = facts.otherFindings
    ? [
        {
          kind: 'para',
          text:
            `${facts.otherFindings} other finding(s) concern calls not attributed to this credential` +
            (facts.otherFindingsWorst ? `, rated up to ${facts.otherFindingsWorst} by their rules` : '') +
            ' (see tourniquet investigate; tourniquet hunt without --key weighs them on their own).',
        },
      ]
    : [];
  if (facts.findingsByCategory.length === 0)
    return [{ kind: 'para', text: 'The investigation produced no finding on this credential.' }, ...others];
  // Grouped by ATT&CK tactic, in the matrix's order, so the report reads as the attack unfolded.
  const all = facts.findingsByCategory.flatMap((c) => c.findings);
  const tables = groupByTactic(all).flatMap((t): DocBlock[] => [
    {
      kind: 'subheading',
      text: `${t.name} (${t.id}): ${t.findings.length}, worst ${worstOf(t.findings)}`,
    },
    {
      kind: 'table',
      columns: [
        'Severity',
        'Finding',
        'Category',
        'Technique',
        'Region',
        'First seen',
        'Events',
        'What to do',
      ],
      rows: [...t.findings]
        .sort(bySeverity)
        .map((f) => [
          f.severity,
          f.title,
          f.category,
          f.technique,
          f.region ?? '',
          utc(f.firstSeen),
          String(f.eventIds.length),
          f.summary,
        ]),
      empty: '',
    },
  ]);
  return [...tables, ...others];
}

function worstOf(findings: Finding[]): string {
  return [...findings].sort(bySeverity)[0]?.severity ?? '';
}

function bySeverity(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity);
}

function coverageBlocks(facts: Facts): DocBlock[] {
  if (isUnknown(facts.coverage)) return [{ kind: 'para', text: `Coverage: ${factText(facts.coverage)}.` }];
  return [
    {
      kind: 'table',
      columns: ['Source', 'Region', 'Scope', 'From', 'To', 'State', 'Records', 'Why'],
      rows: facts.coverage.map((c) => [
        c.source,
        c.region,
        c.scope ?? '',
        c.from ? utc(c.from) : '',
        c.to ? utc(c.to) : '',
        c.state,
        c.records === null ? '' : String(c.records),
        c.reason ?? '',
      ]),
      empty: 'No collection has run.',
    },
  ];
}

/**
 * The full report's first screen: what happened, the figures a reader asks first, the three next
 * steps, then the timeline picture. Everything else follows in sections, long tables folded.
 */
export function summaryBlocks(facts: Facts): DocBlock[] {
  const data = isUnknown(facts.dataAccessed) ? factText(facts.dataAccessed) : dataText(facts.dataAccessed);
  return [
    { kind: 'heading', text: 'Summary' },
    { kind: 'para', text: whatHappened(facts) },
    ...campaignBlocks(facts),
    {
      kind: 'fields',
      rows: [
        ['Severity', severityText(facts)],
        ['Contained', containedText(facts)],
        ['Attacker calls', activityText(facts)],
        ['Backdoors and reach', scopeSummary(facts.scope)],
        ['Data possibly accessed', data],
        ['Estimated cost', costText(facts)],
        ['Response', factText(facts.metrics.timeToContain, (d) => `contained ${d.text} after awareness`)],
      ],
    },
    { kind: 'para', text: [{ strong: 'Next: ' }, facts.nextSteps.slice(0, 3).join(' · ') || 'none'] },
    chartOrNote(facts),
  ];
}

/** Data reads in a few words: how many, how many refused. */
export function dataText(reads: { succeeded: boolean }[]): string {
  const refused = reads.filter((r) => !r.succeeded).length;
  return reads.length ? `${reads.length} read(s)${refused ? `, ${refused} refused` : ''}` : 'none found';
}

/** Everything: the summary and picture, the lineage, every document's content in one report. */
export function fullReport(facts: Facts): Doc {
  const resources = isUnknown(facts.resources) ? [] : facts.resources;
  return {
    title: `Incident report: ${subjectText(facts.subject)}`,
    byline: byline(facts, 'Full report'),
    blocks: [
      ...summaryBlocks(facts),
      { kind: 'heading', text: 'Credential lineage' },
      lineageOrNote(facts),
      {
        kind: 'fields',
        rows: [
          ['Account', factText(facts.account)],
          ['Credential type', factText(facts.credentialType)],
          ['Key status at triage', factText(facts.keyStatus)],
          ['Attribution', facts.attribution],
        ],
      },
      { kind: 'heading', text: 'Response metrics' },
      ...metricBlocks(facts),
      { kind: 'heading', text: 'Findings by category' },
      ...findingBlocks(facts),
      { kind: 'heading', text: 'Resources the attacker created or changed' },
      {
        kind: 'table',
        columns: ['Time', 'Action', 'Type', 'Identifier', 'Region', 'Call'],
        rows: resources.map((r) => [utc(r.time), r.action, r.type, { code: r.id }, r.region, r.eventName]),
        empty: isUnknown(facts.resources) ? `Resources: ${factText(facts.resources)}.` : 'None found.',
      },
      { kind: 'heading', text: 'Backdoors and reach' },
      ...scopeBlocks(facts.scope, 'all'),
      { kind: 'heading', text: 'Data possibly accessed' },
      ...dataBlocks(facts),
      { kind: 'heading', text: 'Cost estimate' },
      ...costBlocks(facts),
      { kind: 'heading', text: 'Timeline' },
      ...timelineBlocks(facts),
      { kind: 'heading', text: 'Actions taken' },
      actionItems(facts),
      { kind: 'heading', text: 'Decisions' },
      ...decisionBlocks(facts),
      { kind: 'heading', text: 'Coverage of the evidence' },
      ...coverageBlocks(facts),
      { kind: 'heading', text: 'Next steps' },
      { kind: 'list', ordered: true, items: facts.nextSteps },
    ],
  };
}
