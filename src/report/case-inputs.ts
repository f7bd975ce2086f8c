import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EVIDENCE_DIR } from '../case/case.js';
import type { JournalEntry } from '../case/journal.js';
import { CATEGORIES, SEVERITIES, type Finding } from '../detect/finding.js';
import type { CostExplorerFigures, CoverageEntry, LineageNode, SeverityLevel, TriageFacts } from './input.js';
import { unknown, type Fact } from './unknown.js';

/**
 * The files the other phases leave in a case folder for the report, by name. Each is looked
 * for in the case folder, then in `evidence/`. A missing file makes its fact `unknown (reason)`.
 */
export const REPORT_INPUT_FILES = {
  /** `Finding[]` or `{findings: Finding[], attackerEventIds?: string[], lineage?: LineageNode}`. */
  investigation: ['investigation.json', 'findings.json'],
  lineage: ['lineage.json'],
  /** `CoverageEntry[]` or `{entries: CoverageEntry[]}`. */
  coverage: ['coverage.json'],
  costExplorer: ['cost-explorer.json'],
} as const;

function readJsonFile(
  dir: string,
  names: readonly string[],
): { file: string; value: unknown } | { missing: string } | { bad: string } {
  for (const name of names) {
    for (const file of [join(dir, name), join(dir, EVIDENCE_DIR, name)]) {
      if (!existsSync(file)) continue;
      try {
        return { file, value: JSON.parse(readFileSync(file, 'utf8')) as unknown };
      } catch {
        return { bad: `${file} is not valid JSON` };
      }
    }
  }
  return { missing: names.join(' or ') };
}

const findingSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    title: z.string(),
    category: z.enum(CATEGORIES),
    technique: z.string(),
    severity: z.enum(SEVERITIES),
    eventIds: z.array(z.string()),
    principal: z.string().nullable(),
    accessKey: z.string().nullable(),
    region: z.string().nullable(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    summary: z.string(),
  })
  .passthrough();

const lineageSchema: z.ZodType<LineageNode> = z.lazy(() =>
  z.object({
    credential: z.string(),
    kind: z.enum([
      'access-key',
      'session-token',
      'federation-token',
      'assumed-role',
      'console-session',
      'other',
    ]),
    principal: z.string().nullable(),
    account: z.string().nullable(),
    via: z.string().nullable(),
    at: z.string().nullable(),
    eventId: z.string().nullable(),
    children: z.array(lineageSchema),
  }),
);

const investigationSchema = z.union([
  z
    .array(findingSchema)
    .transform((findings) => ({ findings, attackerEventIds: undefined, lineage: undefined })),
  z.object({
    findings: z.array(findingSchema),
    attackerEventIds: z.array(z.string()).optional(),
    lineage: lineageSchema.optional(),
  }),
]);

const coverageEntry = z.object({
  source: z.string(),
  region: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  state: z.enum(['complete', 'partial', 'failed']),
  reason: z.string().nullable(),
});
const coverageSchema = z.union([
  z.array(coverageEntry),
  z.object({ entries: z.array(coverageEntry) }).transform((c) => c.entries),
]);

const costExplorerSchema = z.object({
  start: z.string(),
  end: z.string(),
  currency: z.string(),
  total: z.number(),
  byService: z.array(z.object({ service: z.string(), amount: z.number() })),
  source: z.string(),
});

function parseWith<T>(
  read: ReturnType<typeof readJsonFile>,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  what: string,
): Fact<T> {
  if ('missing' in read) return unknown(`${what} not recorded in the case (no ${read.missing})`);
  if ('bad' in read) return unknown(read.bad);
  const parsed = schema.safeParse(read.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return unknown(
      `${read.file} does not match the expected shape (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema mismatch'})`,
    );
  }
  return parsed.data;
}

export interface Investigation {
  findings: Finding[];
  attackerEventIds: string[] | undefined;
  lineage: LineageNode | undefined;
}

/** The investigation's output in the case: findings, attributed events, lineage. */
export function readInvestigation(dir: string): Fact<Investigation> {
  return parseWith(
    readJsonFile(dir, REPORT_INPUT_FILES.investigation),
    investigationSchema,
    'the investigation has not run:',
  ) as Fact<Investigation>;
}

/** The credential lineage: its own file, else the investigation's. */
export function readLineage(dir: string, investigation: Fact<Investigation>): Fact<LineageNode> {
  const own = readJsonFile(dir, REPORT_INPUT_FILES.lineage);
  if (!('missing' in own)) return parseWith(own, lineageSchema, 'lineage');
  if (!('unknown' in investigation) && investigation.lineage) return investigation.lineage;
  return unknown('the investigation has not traced the lineage');
}

/** The collection's coverage ledger. */
export function readCoverage(dir: string): Fact<CoverageEntry[]> {
  return parseWith(
    readJsonFile(dir, REPORT_INPUT_FILES.coverage),
    coverageSchema,
    'coverage: collection has not run;',
  );
}

/** Billed figures someone read from Cost Explorer for the case. */
export function readCostExplorer(dir: string): Fact<CostExplorerFigures> {
  return parseWith(
    readJsonFile(dir, REPORT_INPUT_FILES.costExplorer),
    costExplorerSchema,
    'Cost Explorer figures were not read;',
  );
}

const LEVELS = new Set(['P1', 'P2', 'P3', 'P4']);

/** What triage recorded in the journal (the last `triage.*` line carrying a severity). */
export function readTriage(journal: JournalEntry[]): Fact<TriageFacts> {
  const entry = [...journal]
    .reverse()
    .find(
      (e) =>
        e.kind.startsWith('triage.') && typeof e.data === 'object' && e.data !== null && 'severity' in e.data,
    );
  if (!entry) return unknown('triage recorded no result in the journal');
  const data = entry.data as Record<string, unknown>;
  const text = (v: unknown, what: string): Fact<string> =>
    typeof v === 'string' && v ? v : unknown(`triage did not record the ${what}`);
  const sev = data.severity;
  const level =
    typeof sev === 'string'
      ? sev
      : typeof sev === 'object' && sev !== null
        ? (sev as { level?: unknown }).level
        : undefined;
  const reasons =
    typeof sev === 'object' && sev !== null ? (sev as { reasons?: unknown }).reasons : data.reasons;
  return {
    credentialType: text(data.credentialType, 'credential type'),
    severity:
      typeof level === 'string' && LEVELS.has(level)
        ? {
            level: level as SeverityLevel,
            reasons: Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === 'string') : [],
          }
        : unknown('triage recorded no P1–P4 severity'),
    keyStatus: text(data.keyStatus, 'key status'),
    owner: text(data.owner, 'owner'),
  };
}
