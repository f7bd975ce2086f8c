import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../errors.js';
import { blastRadiusLines } from '../iam/index.js';
import { openToAttacker, originLabel, type PersistenceItem, type ScopeDocument } from '../scope/types.js';
import { unknown, type Fact } from './unknown.js';
import type { DocBlock, Text } from './doc.js';

/** The scope file the report reads (written by `tourniquet scope` and respond's Scope phase). */
const SCOPE_FILE = 'scope.json';

/** The fields of a persistence item the reports show. */
const REPORTED = [
  'kind',
  'id',
  'name',
  'region',
  'attribution',
  'restored',
  'cutOffBy',
  'risk',
  'why',
  'remediation',
  'admits',
  'owner',
] as const;

/** What the reports say about backdoors and reach. Every name is attacker-controlled. */
export interface ScopeFacts {
  generatedAt: string;
  resources: number;
  byOrigin: { attacker: number; 'pre-existing': number; unknown: number };
  persistence: Pick<PersistenceItem, (typeof REPORTED)[number]>[];
  eventCount: number;
  notChecked: number;
  /** The blast radius in labelled lines (src/iam/summary.ts), or why it is not there. */
  reach: [string, string][] | { unknown: string };
  /** What in the blast radius calls for a higher severity (admin reach, another account's data). */
  raisers: { level: 'P1' | 'P2'; reason: string }[];
}

/** The case's scope, or why there is none. */
export function readScopeFacts(caseDir: string): Fact<ScopeFacts> {
  const file = join(caseDir, SCOPE_FILE);
  if (!existsSync(file)) return unknown('scope has not run (tourniquet scope)');
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as ScopeDocument;
    if (doc.schema !== 1 || !Array.isArray(doc.persistence))
      return unknown(`${SCOPE_FILE} is not a scope this version reads`);
    return {
      generatedAt: doc.generatedAt,
      resources: doc.summary.resources,
      byOrigin: doc.summary.byOrigin,
      persistence: doc.persistence.map(
        (p) => Object.fromEntries(REPORTED.map((k) => [k, p[k]])) as ScopeFacts['persistence'][number],
      ),
      eventCount: new Set(doc.persistence.flatMap((p) => p.eventIds)).size,
      notChecked: doc.summary.notChecked,
      raisers: (doc.blastRadius?.raisers ?? []).map(({ level, reason }) => ({ level, reason })),
      reach: doc.blastRadius
        ? blastRadiusLines(doc.blastRadius)
        : { unknown: 'the blast radius was not computed (see the scope notes)' },
    };
  } catch (error) {
    return unknown(`${SCOPE_FILE} could not be read: ${messageOf(error)}`);
  }
}

const count = (items: ScopeFacts['persistence'], origin: PersistenceItem['attribution']) =>
  items.filter((p) => (origin === 'attacker' ? openToAttacker(p) : p.attribution === origin)).length;

/** Counts by kind of the attacker's ways back in: `access-key ×2, role-trust ×1`. */
function kindsText(items: ScopeFacts['persistence']): string {
  const byKind = new Map<string, number>();
  for (const p of items) if (openToAttacker(p)) byKind.set(p.kind, (byKind.get(p.kind) ?? 0) + 1);
  return [...byKind].map(([k, n]) => `${k} ×${n}`).join(', ');
}

function restoredText(items: ScopeFacts['persistence']): string {
  const n = items.filter((p) => p.restored).length;
  return n ? `${n} more put back by the eradication; ` : '';
}

/** One paragraph: how many ways back in, whose, and how much of the account was read. */
export function scopeSummary(s: Fact<ScopeFacts>): Text {
  if ('unknown' in s) return `Backdoors and reach: unknown (${s.unknown}).`;
  const attacker = count(s.persistence, 'attacker');
  return [
    { strong: `${attacker} way(s) back in left by the attacker` },
    `${attacker ? ` (${kindsText(s.persistence)})` : ''}; ${restoredText(s.persistence)}${count(s.persistence, 'unknown')} of unknown origin and ${count(s.persistence, 'pre-existing')} pre-existing to review. `,
    `Of ${s.resources} resources read in the account, ${s.byOrigin.attacker} were created or changed by the attacker and ${s.byOrigin.unknown} are of unknown origin`,
    s.notChecked ? `; ${s.notChecked} read(s) could not be made, so the count may be short.` : '.',
  ];
}

/** The "Backdoors and reach" section: the summary and every item with its remediation (`all`), or the attacker's only. */
export function scopeBlocks(s: Fact<ScopeFacts>, which: 'all' | 'attacker'): DocBlock[] {
  const blocks: DocBlock[] = [{ kind: 'para', text: scopeSummary(s) }];
  if ('unknown' in s) return blocks;
  blocks.push(
    { kind: 'subheading', text: 'Blast radius: what the credential could do, beside what it did' },
    'unknown' in s.reach
      ? { kind: 'para', text: `Blast radius: unknown (${s.reach.unknown}).` }
      : { kind: 'fields', rows: s.reach },
  );
  const items = which === 'all' ? s.persistence : s.persistence.filter((p) => p.attribution === 'attacker');
  blocks.push({
    kind: 'table',
    columns: ['Origin', 'Risk', 'Kind', 'Name', 'Region', 'Admits', 'Why', 'Remediation'],
    rows: items.map((p) => [
      originLabel(p),
      p.risk,
      p.kind,
      { code: p.name },
      p.region,
      (p.admits ?? []).join(', '),
      p.why,
      p.remediation,
    ]),
    empty: which === 'all' ? 'No way back in was found.' : 'None attributed to the attacker.',
  });
  return blocks;
}
