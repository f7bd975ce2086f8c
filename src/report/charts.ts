import { lineageMap } from './chart-lineage.js';
import { timelineChart } from './chart-timeline.js';
import type { DocBlock } from './doc.js';
import type { Facts } from './facts.js';
import { factText, isUnknown } from './unknown.js';

/** The timeline picture, or a sentence saying why there is none. */
export function chartOrNote(facts: Facts): DocBlock {
  if (isUnknown(facts.timeline))
    return { kind: 'para', text: `Timeline chart: ${factText(facts.timeline)}.` };
  return {
    kind: 'figure',
    image: timelineChart(facts.timeline, {
      awareness: facts.times.awareness,
      containment: facts.times.containment,
    }),
    caption: `Attacker calls per category (upper lanes) and per region (lower lanes) over time, UTC; awareness and containment marked. ${facts.timeline.length} call(s).`,
  };
}

/** The lineage map, or a sentence saying why there is none. */
export function lineageOrNote(facts: Facts): DocBlock {
  if (isUnknown(facts.lineage))
    return { kind: 'para', text: `Credential lineage: ${factText(facts.lineage)}.` };
  return {
    kind: 'figure',
    image: lineageMap(facts.lineage, isUnknown(facts.timeline) ? [] : facts.timeline),
    caption:
      "Credential lineage: the compromised credential and the sessions derived from it (edges name the call that created the session); the attacker's path in bold red, the owner's routine sessions folded into one dashed box with their count.",
  };
}
