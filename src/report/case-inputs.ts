import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EVIDENCE_DIR } from '../case/case.js';
import type { JournalEntry } from '../case/journal.js';
import { CATEGORIES, SEVERITIES, type Finding } from '../detect/finding.js';
import { COVERAGE_FILE, coverageLedgerSchema } from '../trail/coverage.js';
import type { CostExplorerFigures, CoverageEntry, LineageNode, SeverityLevel, TriageFacts } from './input.js';
import { SES_STATISTICS_FILE, sesStatisticsSchema, type SesStatistics } from './ses-statistics.js';
import { unknown, type Fact } from './unknown.js';

/**
 * The files the other phases leave in a case folder for the report, by name. Each is looked
 * for in the case folder, then in `evidence/`. A missing file makes its fact `unknown (reason)`.
 */
export const REPORT_INPUT_FILES = {
  /** The investigation (src/detect/save.ts): findings, lineage, incident window; else findings only. */
  investigation: ['investigation.json', 'findings.json'],
  /** The coverage ledger every collection merges its lines into (src/trail/coverage.ts). */
  coverage: [COVERAGE_FILE],
  costExplorer: ['cost-explorer.json'],
  /** SES's sending statistics, read by the report phase where the attacker used SES. */
  sesStatistics: [SES_STATISTICS_FILE],
} as const;

/** Where `tourniquet report --cost-explorer` keeps the billed figures (in `evidence/`). */
export const COST_EXPLORER_FILE = 'cost-explorer.json';

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

/** A node of the investigation's lineage tree (src/detect/lineage.ts), the fields the report uses. */
interface DetectNode {
  key: string;
  via: string;
  principal: string | null;
  account: string | null;
  createdAt: string | null;
  createdBy: string | null;
  children: DetectNode[];
}

const detectNodeSchema: z.ZodType<DetectNode, z.ZodTypeDef, unknown> = z.lazy(() =>
  z.object({
    key: z.string(),
    via: z.string(),
    principal: z.string().nullable(),
    account: z.string().nullable(),
    createdAt: z.string().nullable(),
    createdBy: z.string().nullable(),
    children: z.array(detectNodeSchema),
  }),
);

const investigationSchema = z.object({
  findings: z.array(findingSchema),
  lineage: z
    .object({
      roots: z.array(detectNodeSchema),
      keys: z.array(z.string()),
      consoleLoginEventIds: z.array(z.string()),
      // Records of minted credentials logged only in the role's account (cross-account AssumeRole).
      mintingEventIds: z.array(z.string()).optional(),
    })
    .nullable()
    .optional(),
  window: z.object({ since: z.string(), until: z.string() }).nullable().optional(),
  // Older investigations lack it: then every call of the lineage in the window is attributed.
  attribution: z
    .object({
      ownerAddresses: z.array(z.string()),
      intruderKeys: z.array(z.string()),
      ownerCalls: z.number(),
    })
    .nullable()
    .optional(),
});

/** The investigation's conclusions, as the report uses them. */
export interface Investigation {
  findings: Finding[];
  /** Absent when only `findings.json` exists or no subject key was given. */
  lineage: {
    tree: LineageNode;
    keys: string[];
    consoleLoginEventIds: string[];
    mintingEventIds: string[];
  } | null;
  /** First suspicious to last attacker event; null when nothing suspicious was found. */
  window: { since: string; until: string } | null;
  /** How the owner's calls inside the window were told apart (src/detect/investigate.ts). */
  attribution: { ownerAddresses: string[]; intruderKeys: string[]; ownerCalls: number } | null;
}

const KIND_OF: Record<string, LineageNode['kind']> = {
  GetSessionToken: 'session-token',
  GetFederationToken: 'federation-token',
  AssumeRole: 'assumed-role',
  AssumeRoleWithSAML: 'assumed-role',
  AssumeRoleWithWebIdentity: 'assumed-role',
  CreateAccessKey: 'access-key',
  ConsoleLogin: 'console-session',
};

function toLineage(node: DetectNode): LineageNode {
  const subject = node.via === 'subject';
  return {
    credential: node.key,
    kind: subject
      ? node.key.startsWith('ASIA')
        ? 'session-token'
        : 'access-key'
      : (KIND_OF[node.via] ?? 'other'),
    principal: node.principal,
    account: node.account,
    via: subject ? null : node.via,
    at: node.createdAt,
    eventId: node.createdBy,
    children: node.children.map(toLineage),
  };
}

// Ledgers written before the collectors were unified (respond's playbook) had `state` and no scope.
const legacyEntry = z.object({
  source: z.string(),
  region: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  state: z.enum(['complete', 'partial', 'failed']),
  reason: z.string().nullable(),
});
const coverageSchema: z.ZodType<CoverageEntry[], z.ZodTypeDef, unknown> = z.union([
  coverageLedgerSchema.transform((l) =>
    l.entries.map(({ status, ...e }): CoverageEntry => ({ ...e, state: status })),
  ),
  z
    .union([z.array(legacyEntry), z.object({ entries: z.array(legacyEntry) }).transform((c) => c.entries)])
    .transform((entries) => entries.map((e): CoverageEntry => ({ ...e, scope: null, records: null }))),
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

/** The investigation's output in the case: findings, lineage, incident window. */
export function readInvestigation(dir: string): Fact<Investigation> {
  const parsed = parseWith(
    readJsonFile(dir, REPORT_INPUT_FILES.investigation),
    investigationSchema,
    'the investigation has not run:',
  );
  if ('unknown' in parsed) return parsed;
  const roots = parsed.lineage?.roots ?? [];
  // Several subject keys make several roots; the map shows them under one case node.
  const tree: LineageNode | null =
    roots.length === 0
      ? null
      : roots.length === 1
        ? toLineage(roots[0]!)
        : {
            credential: 'subject keys',
            kind: 'other',
            principal: null,
            account: null,
            via: null,
            at: null,
            eventId: null,
            children: roots.map(toLineage),
          };
  return {
    findings: parsed.findings,
    lineage:
      tree && parsed.lineage
        ? {
            tree,
            keys: parsed.lineage.keys,
            consoleLoginEventIds: parsed.lineage.consoleLoginEventIds,
            mintingEventIds: parsed.lineage.mintingEventIds ?? [],
          }
        : null,
    window: parsed.window ?? null,
    attribution: parsed.attribution ?? null,
  };
}

/** The credential lineage from the investigation. */
export function readLineage(investigation: Fact<Investigation>): Fact<LineageNode> {
  if ('unknown' in investigation) return investigation;
  return (
    investigation.lineage?.tree ?? unknown('the investigation traced no lineage (no subject access key)')
  );
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

/** SES's sending statistics the report phase kept for the regions where the attacker used SES. */
export function readSesStatistics(dir: string): Fact<SesStatistics> {
  return parseWith(
    readJsonFile(dir, REPORT_INPUT_FILES.sesStatistics),
    sesStatisticsSchema,
    'SES sending statistics were not read;',
  );
}

const LEVELS = new Set(['P1', 'P2', 'P3', 'P4']);

/** Triage's credential types (src/triage/resolve.ts) in the playbook's words. */
const CREDENTIAL_WORDS: Record<string, string> = {
  'access-key': 'access key',
  'temporary-key': 'temporary access key (STS session)',
  'console-password': 'console password',
  'iam-user': 'IAM user (keys and console password)',
  role: 'role',
  'role-session': 'role session',
  'federated-session': 'federated session',
  root: 'root',
};

/**
 * What triage concluded: its `triage.result` journal line (credential type, owner, severity)
 * and the key's status from the `triage.json` evidence it stores.
 */
export function readTriage(journal: JournalEntry[], dir: string): Fact<TriageFacts> {
  const entry = [...journal].reverse().find((e) => e.kind === 'triage.result');
  if (!entry || typeof entry.data !== 'object' || entry.data === null)
    return unknown('triage has not run for this case');
  const data = entry.data as Record<string, unknown>;
  const sev = data.severity as { level?: unknown; reasons?: unknown } | null | undefined;
  const level = sev?.level;
  const reasons = Array.isArray(sev?.reasons)
    ? sev.reasons.filter((r): r is string => typeof r === 'string')
    : [];
  const credential = typeof data.credential === 'string' ? data.credential : '';
  const report = readJsonFile(dir, ['triage.json']);
  const key =
    'value' in report && typeof report.value === 'object' && report.value !== null
      ? (report.value as { key?: { status?: unknown } | null }).key
      : undefined;
  return {
    credentialType:
      CREDENTIAL_WORDS[credential] ??
      unknown(`triage could not classify the credential (${credential || 'none'})`),
    severity:
      typeof level === 'string' && LEVELS.has(level)
        ? { level: level as SeverityLevel, reasons }
        : unknown('triage recorded no P1–P4 severity'),
    keyStatus:
      typeof key?.status === 'string'
        ? key.status
        : unknown(key === null ? 'the subject is not an access key' : 'triage did not read the key status'),
    owner:
      typeof data.owner === 'string' && data.owner ? data.owner : unknown('triage did not find the owner'),
  };
}
