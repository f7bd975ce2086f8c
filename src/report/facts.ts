import type { Subject } from '../case/schema.js';
import { CATEGORIES, SEVERITIES, type Category, type Finding, type Severity } from '../detect/finding.js';
import { categoryOfCall } from './call-category.js';
import { dataReads, resourcesTouched, type DataRead, type ResourceTouched } from './activity.js';
import { campaignsOf, type Campaign } from '../detect/campaigns.js';
import { dataStoresReached, type DataStoreReached } from './data-stores.js';
import { estimateCost, instanceRuns, type CostEstimate } from './cost.js';
import { loadMessagingPrices, messagingCost } from './messaging-cost.js';
import { rdsCost } from './rds-cost.js';
import { loadBedrockPrices, modelCallCost } from './model-cost.js';
import { evaluateDecisions, type Decision } from './decisions.js';
import type {
  AttackerEvent,
  CostExplorerFigures,
  CoverageEntry,
  FactsInput,
  LineageNode,
  SeverityLevel,
} from './input.js';
import { responseMetrics, type ResponseMetrics } from './metrics.js';
import { nextSteps } from './next-steps.js';
import { actionsTaken, containmentTime, type ActionTaken } from './response-log.js';
import { isUnknown, unknown, type Fact } from './unknown.js';
import { watchFacts, type WatchFacts } from './watch-facts.js';
import type { ScopeFacts } from './scope-facts.js';

/** A call no finding covers gets the category of what the call does (`categoryOfCall`). */
export type TimelineCategory = Category;

/** One attacker call on the timeline. Every string but `category` is attacker-controlled. */
export interface TimelineEntry {
  time: string;
  region: string;
  eventSource: string;
  eventName: string;
  category: TimelineCategory;
  /** Whether a finding on this call gave the category, or the call itself. */
  categoryFrom: 'finding' | 'call';
  sourceIp: string | null;
  userAgent: string | null;
  principal: string | null;
  accessKey: string | null;
  error: string | null;
  eventId: string;
}

/** Calls close together in time (gaps under `BURST_GAP_MS`). */
export interface Burst {
  start: string;
  end: string;
  events: number;
  regions: string[];
  categories: TimelineCategory[];
  topEvents: string[];
}

export interface CategoryFindings {
  category: Category;
  severity: Severity;
  findings: Finding[];
}

/**
 * Everything the documents say, in one model built once from the case. Documents only format
 * it; the JSON rendering is this object.
 */
export interface Facts {
  schema: 1;
  generatedAt: string;
  caseId: string;
  caseStatus: string;
  subject: Fact<Subject>;
  account: Fact<string>;
  credentialType: Fact<string>;
  severity: Fact<{ level: SeverityLevel; reasons: string[] }>;
  keyStatus: Fact<string>;
  contained: boolean;
  /** `tourniquet eradicate` applied its plan and read it back (the eradicate phase completed). */
  eradicated: boolean;
  times: {
    awareness: Fact<string>;
    firstAttackerEvent: Fact<string>;
    lastAttackerEvent: Fact<string>;
    containment: Fact<string>;
    /** Eradication read back and verified (its phase completed). */
    eradication: Fact<string>;
    /** The owner's credential rotated (recovery completed with a new key). */
    recovery: Fact<string>;
    nextUpdate: string;
  };
  metrics: ResponseMetrics;
  attribution: string;
  lineage: Fact<LineageNode>;
  timeline: Fact<TimelineEntry[]>;
  bursts: Fact<Burst[]>;
  findingsByCategory: Fact<CategoryFindings[]>;
  /** Findings of the investigation on calls not attributed to this credential. */
  otherFindings: number;
  /** The highest rule rating among them (an investigation of given credentials rates them low). */
  otherFindingsWorst: Severity | null;
  resources: Fact<ResourceTouched[]>;
  dataAccessed: Fact<DataRead[]>;
  /** Stores of data the attacker took out of the account or made unavailable (what starts GDPR's clock). */
  dataStores: Fact<DataStoreReached[]>;
  regions: Fact<string[]>;
  attackerIps: Fact<string[]>;
  userAgents: Fact<string[]>;
  actions: ActionTaken[];
  /** The watch for re-entry after eradication. */
  watch: Fact<WatchFacts>;
  /** Backdoors and reach, from scope. */
  scope: Fact<ScopeFacts>;
  coverage: Fact<CoverageEntry[]>;
  cost: Fact<CostEstimate>;
  /** Campaigns seen in the wild the findings name (LLMjacking…), with the briefing's line. */
  campaigns: Campaign[];
  /** What Cost Explorer billed for the incident days, when someone read it. */
  billed: Fact<CostExplorerFigures>;
  decisions: Decision[];
  nextSteps: string[];
}

export interface FactsOptions {
  /** Minutes until the next status update (the playbook's cadence; default 60). */
  nextUpdateMinutes?: number;
}

/** A call as the timeline shows it: the category of the finding on it, else of the call itself. */
export function timelineEntry(
  e: AttackerEvent,
  categoryOf: Map<string, Category> = new Map(),
): TimelineEntry {
  const found = categoryOf.get(e.eventId);
  return {
    time: e.time,
    region: e.region,
    eventSource: e.eventSource,
    eventName: e.eventName,
    category: found ?? categoryOfCall(e.eventSource, e.eventName),
    categoryFrom: found ? 'finding' : 'call',
    sourceIp: e.sourceIp,
    userAgent: e.userAgent,
    principal: e.principalArn,
    accessKey: e.accessKeyId,
    error: e.errorCode,
    eventId: e.eventId,
  };
}

const BURST_GAP_MS = 15 * 60_000;

/** The playbook's words for each kind of subject, when triage did not record its own. */
const CREDENTIAL_TYPES: Record<Subject['kind'], string> = {
  'access-key': 'access key',
  user: 'IAM user credentials',
  role: 'role',
  'assumed-role': 'role session',
  root: 'root',
  unknown: 'unknown kind',
};

/** Source addresses that are AWS services acting, not the attacker's machines. */
function isAwsAddress(ip: string): boolean {
  return /amazonaws\.com$/i.test(ip) || /^AWS Internal/i.test(ip);
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null && v !== ''))].sort();
}

/** Build the facts model from what the producers supplied. */
export function factsFromInput(input: FactsInput, options: FactsOptions = {}): Facts {
  const info = input.case;
  const asOf = input.asOf;
  const events = isUnknown(input.events)
    ? input.events
    : [...input.events].sort((a, b) => a.time.localeCompare(b.time) || a.eventId.localeCompare(b.eventId));
  // With a lineage, the investigation marks each finding attributed or not; findings on other
  // principals' calls are not this incident's (they are counted, and left to the investigation).
  const findings: Fact<Finding[]> = isUnknown(input.findings)
    ? input.findings
    : input.findings.filter((f) => f.attributed !== false);
  const otherFindings = isUnknown(input.findings)
    ? 0
    : input.findings.length - (findings as Finding[]).length;
  const others = isUnknown(input.findings) ? [] : input.findings.filter((f) => f.attributed === false);
  const otherFindingsWorst = others.reduce<Severity | null>((worst, f) => {
    const rated = f.ruleSeverity ?? f.severity;
    return worst === null || SEVERITIES.indexOf(rated) > SEVERITIES.indexOf(worst) ? rated : worst;
  }, null);
  const categoryOf = categoryIndex(isUnknown(findings) ? [] : findings);
  const timeline: Fact<TimelineEntry[]> = isUnknown(events)
    ? events
    : events.map((e) => timelineEntry(e, categoryOf));
  const noEvents = 'no attacker activity was found';
  const first: Fact<string> = isUnknown(events) ? events : (events[0]?.time ?? unknown(noEvents));
  const last: Fact<string> = isUnknown(events) ? events : (events.at(-1)?.time ?? unknown(noEvents));
  const journal = input.journal;
  const containedAt = containmentTime(journal, info.phases, info.status);
  const awareness: Fact<string> = info.awareness ?? unknown('the case has no awareness time');
  const containment: Fact<string> = containedAt ?? unknown('containment has not been verified');
  const eradication: Fact<string> =
    info.phases.eradicate?.completed ?? unknown('eradication has not been applied and verified');
  // Recovery completes without a new key when respond leaves rotation to a person.
  const rotatedAt = journal.find(
    (e) =>
      e.kind === 'step.applied' &&
      String((e.data as { stepId?: unknown }).stepId).startsWith('rotate-access-key:'),
  )?.at;
  const recovery: Fact<string> = rotatedAt ?? unknown("the owner's credential has not been rotated");
  const triage = input.triage;
  const resources = isUnknown(events) ? events : resourcesTouched(events);
  const cost: Fact<CostEstimate> = isUnknown(events)
    ? events
    : {
        ...estimateCost(
          instanceRuns(events, isUnknown(input.instanceChanges) ? [] : input.instanceChanges, asOf),
          input.prices,
          asOf,
          isUnknown(resources) ? [] : resources.filter((r) => r.action === 'created'),
        ),
        models: modelCallCost(events, input.modelPrices ?? loadBedrockPrices()),
        messaging: messagingCost(events, loadMessagingPrices(), input.sesStatistics),
        rds: rdsCost(events, asOf),
      };
  const partial: Omit<Facts, 'decisions' | 'nextSteps'> = {
    schema: 1,
    generatedAt: asOf.toISOString(),
    caseId: info.id,
    caseStatus: info.status,
    subject: info.subject ?? unknown('triage has not named the subject'),
    account: info.account ?? unknown('triage has not identified the owning account'),
    credentialType: credentialType(input),
    severity: severity(input, findings),
    keyStatus: isUnknown(triage) ? triage : triage.keyStatus,
    contained: containedAt !== null,
    eradicated: info.phases.eradicate?.completed !== undefined,
    times: {
      awareness,
      firstAttackerEvent: first,
      lastAttackerEvent: last,
      containment,
      eradication,
      recovery,
      nextUpdate: new Date(asOf.getTime() + (options.nextUpdateMinutes ?? 60) * 60_000).toISOString(),
    },
    metrics: responseMetrics({ awareness, firstAttackerEvent: first, containment, eradication, recovery }),
    attribution: input.attribution,
    lineage: input.lineage,
    timeline,
    bursts: isUnknown(timeline) ? timeline : bursts(timeline),
    findingsByCategory: isUnknown(findings) ? findings : byCategory(findings),
    otherFindings,
    otherFindingsWorst,
    resources,
    dataAccessed: isUnknown(events) ? events : dataReads(events),
    dataStores: isUnknown(events) ? events : dataStoresReached(events),
    regions: isUnknown(events) ? events : distinct(events.map((e) => e.region)),
    attackerIps: isUnknown(events)
      ? events
      : distinct(events.map((e) => e.sourceIp).filter((ip) => ip === null || !isAwsAddress(ip))),
    userAgents: isUnknown(events) ? events : distinct(events.map((e) => e.userAgent)),
    actions: actionsTaken(journal),
    watch: watchFacts(journal),
    scope: input.scope ?? unknown('scope has not run (tourniquet scope)'),
    coverage: input.coverage,
    cost,
    campaigns: isUnknown(findings) ? [] : campaignsOf(findings),
    billed: input.costExplorer,
  };
  const decisions = evaluateDecisions(partial);
  return { ...partial, decisions, nextSteps: nextSteps(partial) };
}

function categoryIndex(findings: Finding[]): Map<string, Category> {
  // An event in several findings is charted under the most severe one (ties: catalogue order).
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity) * 100 - CATEGORIES.indexOf(f.category);
  const best = new Map<string, Finding>();
  for (const finding of findings) {
    for (const id of finding.eventIds) {
      const current = best.get(id);
      if (!current || rank(finding) > rank(current)) best.set(id, finding);
    }
  }
  return new Map([...best].map(([id, f]) => [id, f.category]));
}

function byCategory(findings: Finding[]): CategoryFindings[] {
  return CATEGORIES.map((category) => {
    const list = findings
      .filter((f) => f.category === category)
      .sort(
        (a, b) =>
          SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
          a.firstSeen.localeCompare(b.firstSeen),
      );
    return { category, severity: list[0]?.severity ?? 'info', findings: list };
  }).filter((c) => c.findings.length > 0);
}

function bursts(timeline: TimelineEntry[]): Burst[] {
  const groups: TimelineEntry[][] = [];
  for (const entry of timeline) {
    const current = groups.at(-1);
    const previous = current?.at(-1);
    if (current && previous && Date.parse(entry.time) - Date.parse(previous.time) < BURST_GAP_MS)
      current.push(entry);
    else groups.push([entry]);
  }
  return groups.map((group) => {
    const counts = new Map<string, number>();
    for (const e of group) counts.set(e.eventName, (counts.get(e.eventName) ?? 0) + 1);
    return {
      start: group[0]!.time,
      end: group.at(-1)!.time,
      events: group.length,
      regions: distinct(group.map((e) => e.region)),
      categories: [...new Set(group.map((e) => e.category))],
      topEvents: [...counts]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 5)
        .map(([name, n]) => `${name} ×${n}`),
    };
  });
}

function credentialType(input: FactsInput): Fact<string> {
  if (!isUnknown(input.triage) && !isUnknown(input.triage.credentialType)) return input.triage.credentialType;
  const subject = input.case.subject;
  if (subject) return CREDENTIAL_TYPES[subject.kind];
  return unknown('triage has not run');
}

const FROM_FINDING: Record<Severity, SeverityLevel> = {
  critical: 'P1',
  high: 'P2',
  medium: 'P3',
  low: 'P4',
  info: 'P4',
};

const LEVELS: SeverityLevel[] = ['P1', 'P2', 'P3', 'P4'];

/**
 * The incident's severity: triage's (or, without it, the worst finding's), raised by what scope's
 * blast radius shows within reach (issue 12 §3: admin reach, another account's data).
 */
function severity(input: FactsInput, findings: Fact<Finding[]>): Facts['severity'] {
  const base = baseSeverity(input, findings);
  const raisers = input.scope && !isUnknown(input.scope) ? input.scope.raisers : [];
  if (raisers.length === 0) return base;
  const reasons = raisers.map((r) => `blast radius (${r.level}): ${r.reason}`);
  if (isUnknown(base)) {
    const level = LEVELS.find((l) => raisers.some((r) => r.level === l))!;
    return { level, reasons };
  }
  const raised = raisers.filter((r) => LEVELS.indexOf(r.level) < LEVELS.indexOf(base.level));
  if (raised.length === 0) return { level: base.level, reasons: [...base.reasons, ...reasons] };
  const level = LEVELS.find((l) => raised.some((r) => r.level === l))!;
  return {
    level,
    reasons: [...reasons, `raised from ${base.level} (${base.reasons.join('; ')})`],
  };
}

function baseSeverity(input: FactsInput, findings: Fact<Finding[]>): Facts['severity'] {
  if (!isUnknown(input.triage) && !isUnknown(input.triage.severity)) return input.triage.severity;
  if (isUnknown(findings) || findings.length === 0)
    return unknown('triage recorded no severity and there are no findings');
  const worst = findings.reduce((a, b) =>
    SEVERITIES.indexOf(b.severity) > SEVERITIES.indexOf(a.severity) ? b : a,
  );
  return {
    level: FROM_FINDING[worst.severity],
    reasons: [
      `derived from the most severe finding (${worst.severity}: ${worst.title}); triage recorded no severity`,
    ],
  };
}
