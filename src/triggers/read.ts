import type { ZodError } from 'zod';
import { UserError } from '../errors.js';
import { peel, type Peeled } from './envelopes.js';
import { costAnomaly } from './sources/cost-anomaly.js';
import { gitHubAlert, gitHubWebhook } from './sources/github.js';
import { guardDutyFinding } from './sources/guardduty.js';
import { healthEvent } from './sources/health.js';
import { quarantineAttached } from './sources/quarantine.js';
import type { Recogniser, Trigger } from './trigger.js';

/** Every alert document Tourniquet starts a case from, tried in this order. */
export const RECOGNISERS: Recogniser[] = [
  guardDutyFinding,
  healthEvent,
  quarantineAttached,
  gitHubWebhook,
  gitHubAlert,
  costAnomaly,
];

/** What `--from` reads, for messages. */
export const EXPECTED_ALERTS =
  'a GuardDuty finding, an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event, the CloudTrail event of AWSCompromisedKeyQuarantine being attached, a GitHub secret-scanning alert or a Cost Anomaly Detection alert (as such, in an EventBridge event or an SNS message, or as the AWS CLI prints it)';

/** Alerts are small; anything this big is not one (and is not read into memory twice). */
export const MAX_ALERT_BYTES = 10 * 1024 * 1024;

const alertError = (code: string, message: string, hint?: string) =>
  new UserError(code, message, { exitCode: 2, ...(hint ? { hint } : {}) });

/** The first problem zod found, as `path: message`. */
function firstIssue(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

type Outcome =
  | { kind: 'trigger'; trigger: Trigger }
  | { kind: 'refused' | 'malformed'; message: string }
  | { kind: 'unknown' };

function readOne(leaf: Peeled, text: string): Outcome {
  const r = RECOGNISERS.find((x) => x.marks.safeParse(leaf.doc).success);
  if (!r) return { kind: 'unknown' };
  const parsed = r.schema.safeParse(leaf.doc);
  if (!parsed.success)
    return {
      kind: 'malformed',
      message: `malformed ${r.expected.replace(/^an? /, '')}: ${firstIssue(parsed.error)}`,
    };
  const reading = r.read(parsed.data, leaf.context);
  if ('refused' in reading) return { kind: 'refused', message: reading.refused };
  return {
    kind: 'trigger',
    trigger: { ...reading.trigger, envelopes: leaf.via, evidence: reading.evidence ?? text },
  };
}

/** What a trigger points at, to tell whether several alerts are about the same credential. */
function target(t: Trigger): string {
  if (t.candidates.length) return t.candidates.join(' or ');
  if (t.lead?.kind === 'instance') return `the launcher of ${t.lead.instanceId}`;
  if (t.lead?.kind === 'spend') return `whoever spent on ${t.lead.service} in ${t.lead.regions.join(', ')}`;
  return 'an unnamed credential';
}

/**
 * Read an alert document (`name` is how the responder gave it: a path or `stdin`) without calling
 * AWS: peel its envelopes, recognise it, validate it, and say what it names. An unknown,
 * malformed or unusable document is a usage error (exit 2) naming what was expected. From a
 * file of several alerts, `subject` picks the ones about it.
 */
export function readAlert(text: string, name: string, subject?: string): Trigger {
  if (Buffer.byteLength(text) > MAX_ALERT_BYTES)
    throw alertError(
      'ALERT_TOO_LARGE',
      `${name} is over ${MAX_ALERT_BYTES / 1024 / 1024} MB: not an alert; expected ${EXPECTED_ALERTS}.`,
    );
  if (text.trim() === '') throw alertError('ALERT_EMPTY', `${name} is empty; expected ${EXPECTED_ALERTS}.`);
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw alertError(
      'ALERT_NOT_JSON',
      `${name} is not JSON (${(error as Error).message}); expected ${EXPECTED_ALERTS}.`,
    );
  }
  const outcomes = peel(doc).map((leaf) => ({ leaf, outcome: readOne(leaf, text) }));
  const triggers = outcomes.flatMap((o) => (o.outcome.kind === 'trigger' ? [o.outcome.trigger] : []));
  if (triggers.length > 0) return pickOne(triggers, name, subject);
  const where = (leaf: Peeled) => (leaf.index === undefined ? '' : ` (item ${leaf.index + 1})`);
  const problem =
    outcomes.find((o) => o.outcome.kind === 'refused') ??
    outcomes.find((o) => o.outcome.kind === 'malformed');
  if (problem && problem.outcome.kind !== 'trigger' && problem.outcome.kind !== 'unknown') {
    const others = outcomes.length > 1 ? `; ${outcomes.length - 1} other document(s) in it neither` : '';
    throw alertError(
      problem.outcome.kind === 'refused' ? 'ALERT_UNUSABLE' : 'ALERT_MALFORMED',
      `${name}${where(problem.leaf)}: ${problem.outcome.message}${others}.`,
    );
  }
  const via = outcomes[0]?.leaf.via ?? [];
  throw alertError(
    'ALERT_UNKNOWN',
    `${name}${via.length ? ` (inside ${via.join(' › ')})` : ''} is not an alert Tourniquet reads; expected ${EXPECTED_ALERTS}.`,
  );
}

/**
 * One trigger from several: the ones about SUBJECT when given, and they must all be about the
 * same credential (the earliest is kept).
 */
function pickOne(all: Trigger[], name: string, subject: string | undefined): Trigger {
  const about = subject === undefined ? [] : all.filter((t) => t.candidates.includes(subject));
  const triggers = about.length ? about : all;
  const targets = [...new Set(triggers.map(target))];
  if (targets.length > 1)
    throw alertError(
      'ALERT_AMBIGUOUS',
      `${name} holds ${triggers.length} alerts about ${targets.length} different credentials (${targets.slice(0, 5).join('; ')}${targets.length > 5 ? '; …' : ''}); pass one alert, or name the credential as SUBJECT.`,
    );
  const sorted = [...triggers].sort((a, b) => (a.awareness ?? '9').localeCompare(b.awareness ?? '9'));
  const first = sorted[0]!;
  if (triggers.length === 1) return first;
  return {
    ...first,
    details: [
      ...first.details,
      ['Alerts in the file', `${triggers.length} about the same credential; the earliest is used`],
    ],
  };
}
