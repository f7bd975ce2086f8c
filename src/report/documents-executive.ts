import type { Doc, DocBlock, Text } from './doc.js';
import { billedBlock, byline, campaignBlocks, dataText } from './documents-analysis.js';
import type { Facts } from './facts.js';
import { stepApplied } from './response-log.js';
import { scopeSummary } from './scope-facts.js';
import { factText, isUnknown } from './unknown.js';
import { containedText, costText, createdSummary, timeText, whatHappened } from './words.js';

/** The briefing lists this many next steps; the rest are in the full report. */
export const BRIEFING_STEPS = 5;
/** …and names this many of the data items the attacker reached. */
const BRIEFING_DATA = 3;
/** Attacker-chosen names are cut to this many characters: they cannot push the page onto a second one. */
const NAME_CHARS = 60;

/** A text cut to `chars`, marked when cut (escaping is the renderer's job). */
function clip(name: string, chars = NAME_CHARS): string {
  return name.length > chars ? `${name.slice(0, chars - 1)}…` : name;
}

/** The severity level and its first two reasons; the full report has them all. */
function severityBrief(facts: Facts): string {
  return factText(facts.severity, (s) => {
    const shown = s.reasons.slice(0, 2).map((r) => clip(r, 160));
    const more = s.reasons.length - shown.length;
    return shown.length
      ? `${s.level} (${shown.join('; ')}${more ? `; ${more} more reason(s)` : ''})`
      : s.level;
  });
}

/** Whether eradication ran to its verified end. */
function eradicatedText(facts: Facts): string {
  return facts.eradicated
    ? 'yes: removed or put back, evidence kept first, read back from AWS'
    : 'not yet (tourniquet eradicate)';
}

/** Whether recovery gave the owner a new key and took the old one away. */
function rotatedText(facts: Facts): string {
  if (!stepApplied(facts.actions, 'rotate-access-key')) return 'not yet (tourniquet recover)';
  const leaked = isUnknown(facts.subject) ? null : (facts.subject.accessKeyId ?? null);
  return stepApplied(facts.actions, 'delete-access-key', leaked)
    ? 'issued; the leaked key is deleted'
    : 'issued; the leaked key stays inactive until the owner confirms the switch';
}

/** What the attacker read, counted, with the first few names. */
function dataBrief(facts: Facts): Text {
  if (isUnknown(facts.dataAccessed)) return factText(facts.dataAccessed);
  const reads = facts.dataAccessed;
  if (reads.length === 0) return 'none found';
  const shown = reads.slice(0, BRIEFING_DATA);
  const more = reads.length - shown.length;
  return [
    `${dataText(reads)}: `,
    ...shown.flatMap((d, i) => [`${i ? ', ' : ''}${d.what} `, { code: clip(d.id) }]),
    more ? `, ${more} more` : '',
  ];
}

/** Time to detect and to contain, and the exposure, in one line. */
function responseTimes(facts: Facts): string {
  const m = facts.metrics;
  return [
    `detected ${factText(m.timeToDetect, (d) => `${d.text} after the first attacker event`)}`,
    `contained ${factText(m.timeToContain, (d) => `${d.text} after awareness`)}`,
    `exposure ${factText(m.exposure, (d) => d.text)}`,
  ].join('; ');
}

/** The decisions with their answer and the first deadline; criteria are in the decisions document. */
function decisionsDue(facts: Facts): DocBlock {
  return {
    kind: 'table',
    columns: ['Decision', 'Answer', 'Deadline'],
    rows: facts.decisions.map((d) => [
      d.question,
      { strong: d.answer },
      d.deadlines.map((x) => `${x.label}: ${timeText(x.at)}`).join('; ') || '-',
    ]),
    empty: 'No decision is due.',
  };
}

/** The first next steps, and where the others are. */
function stepsBrief(facts: Facts): DocBlock[] {
  const shown = facts.nextSteps.slice(0, BRIEFING_STEPS);
  const more = facts.nextSteps.length - shown.length;
  return [
    { kind: 'list', ordered: true, items: shown },
    ...(more ? [{ kind: 'para' as const, text: `${more} more step(s) in the full report.` }] : []),
  ];
}

/**
 * For the executive, on one printed A4 page: what happened, severity, containment and
 * eradication, cost, data reached, decisions due, next steps. Every figure's detail (the
 * timeline, each cost line and its price source, every data read, the criteria) is in the full
 * report, named at the foot.
 */
export function executiveBriefing(facts: Facts): Doc {
  const billed = isUnknown(facts.billed) ? [] : [billedBlock(facts)];
  return {
    title: 'Executive briefing: compromised AWS credential',
    byline: byline(facts, 'Executive briefing'),
    onePage: true,
    blocks: [
      { kind: 'heading', text: 'What happened' },
      { kind: 'para', text: whatHappened(facts) },
      ...campaignBlocks(facts),
      {
        kind: 'fields',
        rows: [
          ['Severity', severityBrief(facts)],
          ['Contained', containedText(facts)],
          ['Attacker items removed', eradicatedText(facts)],
          ['Owner’s new credential', rotatedText(facts)],
          ['Watch for re-entry', factText(facts.watch, (w) => w.verdict)],
          ['Backdoors and reach', isUnknown(facts.scope) ? factText(facts.scope) : scopeSummary(facts.scope)],
          ['Resources the attacker created', createdSummary(facts)],
          ['Estimated cost', costText(facts)],
          ['Data possibly accessed', dataBrief(facts)],
          ['Response', responseTimes(facts)],
        ],
      },
      ...billed,
      { kind: 'heading', text: 'Decisions due' },
      decisionsDue(facts),
      { kind: 'heading', text: 'Next steps' },
      ...stepsBrief(facts),
      {
        kind: 'para',
        text: [
          'Details (the timeline and its picture, each cost line with its price source, every data read, the lineage, the findings) are in the full report: ',
          { code: 'tourniquet report --kind full' },
          '; each decision’s criterion and basis in ',
          { code: 'tourniquet report --kind decisions' },
          '.',
        ],
      },
    ],
  };
}
