import { z } from 'zod';

/** The alert sources `respond --from` reads. */
export const TRIGGER_SOURCES = [
  'guardduty',
  'aws-health',
  'aws-quarantine',
  'github-secret-scanning',
  'cost-anomaly',
] as const;
export type TriggerSource = (typeof TRIGGER_SOURCES)[number];

/** What the envelopes around a document said (EventBridge, SNS): fallbacks for the document's own fields. */
export interface AlertContext {
  time?: string | undefined;
  account?: string | undefined;
  region?: string | undefined;
  /** EventBridge `resources` (a Health event lists the exposed key there). */
  resources?: string[] | undefined;
}

/**
 * A clue that names no credential but leads to one through CloudTrail: the instance a GuardDuty
 * EC2 finding is about (who launched it), or the regions and service a cost anomaly points at
 * (who launched billable resources there since it began).
 */
export type Lead =
  | { kind: 'instance'; instanceId: string; region: string; launchTime?: string | undefined }
  | { kind: 'spend'; service: string; regions: string[]; since: string };

/** What one alert document says, read without calling AWS. */
export interface Trigger {
  source: TriggerSource;
  /** What it is, e.g. `GuardDuty finding Discovery:IAMUser/AnomalousBehavior`. */
  name: string;
  /** One line from the alert itself (title, description). Attacker-influenced: print escaped. */
  summary: string;
  /** Credentials the document names (access key ids, user or role ARNs, `root`), most specific first. */
  candidates: string[];
  /** When it names none: what leads to one. */
  lead: Lead | null;
  /** When it names none and nothing leads to one: why, and what to pass instead. */
  unresolved: string | null;
  /** The AWS account the alert is about. */
  account: string | null;
  region: string | null;
  /** When the alert was raised (ISO), the case's awareness time unless `--aware-since` says otherwise. */
  awareness: string | null;
  /** Which field gave the awareness time. */
  awarenessFrom: string;
  /** The alert's own identifier: finding ARN, Health event ARN, alert URL, anomaly link. */
  reference: string | null;
  /** Wrappers peeled to reach it, outermost first (`EventBridge`, `SNS notification`, …). */
  envelopes: string[];
  /** Facts worth showing, in order (label, value). */
  details: [string, string][];
  /** The text kept as evidence in the case (the document as given, or the one alert chosen from a list). */
  evidence: string;
}

/** A recogniser's answer for a document it knows: a trigger, or why this one cannot start a case. */
export type Reading =
  { trigger: Omit<Trigger, 'envelopes' | 'evidence'>; evidence?: string } | { refused: string };

/**
 * One kind of alert document, declared: the fields that mark a document as this kind, the schema
 * it must then satisfy, and how to read it. `readAlert` tries each in turn; a document that shows
 * the marks but fails the schema is malformed, one that matches no marks is unknown.
 */
export interface Recogniser<T = unknown> {
  source: TriggerSource;
  /** What it is called in messages: "a GuardDuty finding". */
  expected: string;
  marks: z.ZodTypeAny;
  schema: z.ZodType<T, z.ZodTypeDef, unknown>;
  read(doc: T, context: AlertContext): Reading;
}

/** Declare a recogniser with its document type inferred from the schema. */
export function defineRecogniser<T>(r: Recogniser<T>): Recogniser {
  return r;
}

/** An access key id (AKIA long-term, ASIA temporary). */
export const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;
/** An access key id inside other text (an entity value such as `IAM_USER/alice/AKIA…`). */
export const ACCESS_KEY_IN_TEXT = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
export const ACCOUNT_ID = /^\d{12}$/;

/** A date AWS or GitHub wrote (ISO-8601 or RFC 1123 as Health writes it), normalised to ISO. */
export const alertDate = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'not a date' })
  .transform((s) => new Date(Date.parse(s)).toISOString());

/** An account id, or nothing when the value is not one (redacted samples say `1234567890`). */
export function accountOrNull(...values: (string | null | undefined)[]): string | null {
  return values.find((v): v is string => typeof v === 'string' && ACCOUNT_ID.test(v)) ?? null;
}

/** The key ids in a list of texts, in order, without repeats. */
export function keysIn(...texts: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const t of texts) for (const m of (t ?? '').matchAll(ACCESS_KEY_IN_TEXT)) out.add(m[0]);
  return [...out];
}
