import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { EVIDENCE_DIR, type CaseFolder } from '../case/case.js';
import { MANIFEST } from '../case/evidence.js';
import { UserError } from '../errors.js';
import { addTrailEvidence } from '../trail/redact.js';
import { followLead, type FollowOptions } from './follow.js';
import { readAlert } from './read.js';
import type { Trigger } from './trigger.js';

/** A case's starting point taken from an alert: the credential, and how the alert led to it. */
export interface AlertStart {
  subject: string;
  trigger: Trigger;
  /** How a lead was followed to the subject (null when the alert names it, or SUBJECT was given). */
  followed: string | null;
}

/** Whether a credential the alert names is the one the responder typed (an ARN and its name agree). */
function sameCredential(candidate: string, given: string): boolean {
  if (candidate === given) return true;
  const last = (s: string) => (s.startsWith('arn:') ? s.split('/').at(-1) : s);
  return candidate.startsWith('arn:') !== given.startsWith('arn:') && last(candidate) === last(given);
}

/**
 * The subject to respond to from an alert: the credential it names; the one SUBJECT names when
 * given (it must agree with the alert); else the one its lead points to through CloudTrail. A
 * document that leads nowhere is a usage error saying what to pass instead.
 */
export async function subjectOfAlert(
  trigger: Trigger,
  given: string | undefined,
  follow: () => FollowOptions | Promise<FollowOptions>,
): Promise<AlertStart> {
  if (given !== undefined) {
    if (trigger.candidates.length && !trigger.candidates.some((c) => sameCredential(c, given)))
      throw new UserError(
        'ALERT_SUBJECT',
        `SUBJECT ${given} is not what the alert names (${trigger.candidates.join(', ')}).`,
        { exitCode: 2, hint: 'Omit SUBJECT to respond to what the alert names.' },
      );
    return { subject: given, trigger, followed: null };
  }
  if (trigger.candidates.length === 1) return { subject: trigger.candidates[0]!, trigger, followed: null };
  if (trigger.candidates.length > 1)
    throw new UserError(
      'ALERT_SUBJECT',
      `${trigger.name} names ${trigger.candidates.length} credentials (${trigger.candidates.join(', ')}); name one as SUBJECT.`,
      { exitCode: 2 },
    );
  if (trigger.lead) {
    const found = await followLead(trigger.lead, await follow());
    return { subject: found.subject, trigger, followed: found.how };
  }
  throw new UserError(
    'ALERT_SUBJECT',
    `${trigger.name}: ${trigger.unresolved ?? 'it names no credential'}.`,
    {
      exitCode: 2,
    },
  );
}

/** Read an alert and find its subject in one step (`respond --from`, `triage --from`, the MCP triage tool). */
export async function startFromAlert(
  text: string,
  name: string,
  given: string | undefined,
  follow: () => FollowOptions | Promise<FollowOptions>,
): Promise<AlertStart> {
  return subjectOfAlert(readAlert(text, name, given), given, follow);
}

/** The evidence file name of an alert in a case. */
function evidenceName(start: AlertStart, at: Date): string {
  return `alerts/${start.trigger.source}-${at.toISOString().replace(/[:.]/g, '')}.json`;
}

/** Whether the case already holds this exact alert (a re-run of `respond --from` with the same file). */
function alreadyKept(folder: CaseFolder, text: string): boolean {
  const sha256 = createHash('sha256').update(text).digest('hex');
  const manifest = folder.path(EVIDENCE_DIR, MANIFEST);
  if (!existsSync(manifest)) return false;
  return readFileSync(manifest, 'utf8')
    .split('\n')
    .some((line) => line.includes(`"${sha256}"`) && line.includes('"alerts/'));
}

/**
 * Keep the alert in the case: the document in `evidence/alerts/` (sha256 in the manifest) and an
 * `alert.received` journal line saying what it is, what it names and how the subject was found.
 * The same document given again (a resumed `respond --from`) is not kept twice.
 */
export async function recordAlert(folder: CaseFolder, start: AlertStart, at: Date): Promise<void> {
  const t = start.trigger;
  if (alreadyKept(folder, t.evidence)) return;
  // An alert that is a CloudTrail record of an STS call carries its session token: kept without it.
  const file = await addTrailEvidence(folder, evidenceName(start, at), t.evidence, `alert (${t.name})`);
  folder.record('alert.received', {
    source: t.source,
    name: t.name,
    summary: t.summary,
    reference: t.reference,
    envelopes: t.envelopes,
    subject: start.subject,
    followed: start.followed,
    account: t.account,
    region: t.region,
    awareness: t.awareness,
    awarenessFrom: t.awarenessFrom,
    evidence: { path: file.path, sha256: file.sha256 },
  });
}
