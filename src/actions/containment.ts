import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { UsageError } from '../errors.js';
import type { ResolvedSubject } from '../triage/resolve.js';
import type { ActionEnv } from './action.js';
import { deactivateAccessKey } from './access-key.js';
import { CAMPAIGN_ACTIONS, CAMPAIGNS } from './campaign-containment.js';
import type { DerivedSession } from './derived-sessions.js';
import { registryOf, stepId, type StepRequest } from './engine.js';
import { iamOf, nameFromArn, readOrAbsent } from './iam-read.js';
import { roleDenyAll, roleRevokeSessions, userDenyAll, userRevokeSessions } from './inline-policy.js';
import { deleteLoginProfile } from './login-profile.js';

/** Every containment action, by name (what `--skip` and `--add` accept). */
export const CONTAINMENT_ACTIONS = [
  deactivateAccessKey,
  deleteLoginProfile,
  userDenyAll,
  userRevokeSessions,
  roleRevokeSessions,
  roleDenyAll,
];
export const containmentRegistry = registryOf([...CONTAINMENT_ACTIONS, ...CAMPAIGN_ACTIONS]);

/** Root cannot be contained by IAM calls: what a person must do, in order. */
export const ROOT_CHECKLIST = [
  'Escalate now: root credentials of the account are compromised (P1). Call the security lead and the account owner.',
  'Sign in as root from a trusted device and change the root password.',
  'Delete every root access key (Security credentials page); root should have none.',
  'Remove unknown MFA devices from root and register a new one.',
  'Check the root email address, the account contacts and the alternate contacts; correct any change.',
  'If root sign-in is no longer possible, open an AWS Support account-recovery case at once.',
  'In an AWS Organization, a service control policy from the management account can deny actions to this account while you work.',
  'Then run `tourniquet collect` and `tourniquet investigate`: everything root did is in CloudTrail.',
];

export interface ContainmentDraft {
  requests: StepRequest[];
  /** What no automation can do; printed as a checklist. */
  manual: string[];
}

/** Campaign containment asked for (`--campaign`): which campaigns, where. */
export interface CampaignOptions {
  campaigns: string[];
  /** Regions where the attacker sent email or texts (ses-spam, sms-pumping). */
  regions?: string[];
  /** Buckets the attacker encrypted with SSE-C (s3-ransomware). */
  buckets?: string[];
  /** The SMS monthly spend limit to set, USD (default 1). */
  smsSpendLimit?: string;
}

export interface DraftOptions {
  skip?: string[];
  add?: string[];
  campaign?: CampaignOptions;
}

type Role = { account: string; name: string; arn: string };

/**
 * The containment steps for a credential, by its type (issue 6 §2): an access key is deactivated
 * and its user gets a deny-all plus a TokenIssueTime deny (so GetSessionToken/GetFederationToken
 * sessions die too); a console password is deleted; a role gets AWSRevokeOlderSessions; every
 * role reached by a derived session gets the same in its own account; root gets a checklist.
 */
export async function draftContainment(
  env: ActionEnv,
  resolved: ResolvedSubject,
  lineage: DerivedSession[],
  options: DraftOptions = {},
): Promise<ContainmentDraft> {
  const known = new Set(CONTAINMENT_ACTIONS.map((a) => a.name));
  for (const name of [...(options.add ?? [])])
    if (!known.has(name))
      throw new UsageError(`--add ${name}: no such step.`, `Steps: ${[...known].join(', ')}.`);
  const add = new Set(options.add ?? []);
  const requests: StepRequest[] = [];
  const manual: string[] = [];
  const account = resolved.account ?? resolved.ourAccount;

  if (resolved.credential === 'root') return { requests, manual: [...ROOT_CHECKLIST] };

  const user = resolved.user;
  if (user) {
    const arn = user.arn ?? `arn:aws:iam::${account}:user/${user.name}`;
    const keys: string[] = [];
    if (resolved.credential === 'access-key' && resolved.accessKeyId) keys.push(resolved.accessKeyId);
    if (resolved.credential === 'iam-user' || add.has('deactivate-access-key')) {
      const pool = await env.poolFor(account);
      const listed = await readOrAbsent(() =>
        iamOf(pool).send(new ListAccessKeysCommand({ UserName: user.name })),
      );
      for (const k of listed?.AccessKeyMetadata ?? [])
        if (k.AccessKeyId && !keys.includes(k.AccessKeyId)) keys.push(k.AccessKeyId);
    }
    for (const key of keys)
      requests.push({
        action: 'deactivate-access-key',
        account,
        params: { userName: user.name, accessKeyId: key },
      });
    if (resolved.credential === 'iam-user' || add.has('delete-login-profile'))
      requests.push({
        action: 'delete-login-profile',
        account,
        params: { userName: user.name, userArn: arn },
      });
    requests.push({ action: 'user-deny-all', account, params: { name: user.name, arn } });
    requests.push({ action: 'user-revoke-sessions', account, params: { name: user.name, arn } });
  } else if (resolved.credential === 'access-key' || resolved.credential === 'temporary-key') {
    manual.push(
      `The owner of ${resolved.accessKeyId ?? 'the key'} could not be found: ${resolved.notChecked.join('; ') || 'no CloudTrail event names it'}.`,
    );
  }

  const roles: Role[] = [];
  if (resolved.role) {
    roles.push({
      account,
      name: resolved.role.name,
      arn: resolved.role.arn ?? `arn:aws:iam::${account}:role/${resolved.role.name}`,
    });
  }
  for (const session of lineage) {
    // A key the attacker made for some user: deactivate that key only (the user may be legitimate).
    if (session.via === 'CreateAccessKey' && session.userName)
      requests.push({
        action: 'deactivate-access-key',
        account: session.account,
        params: { userName: session.userName, accessKeyId: session.accessKeyId },
      });
  }
  for (const session of lineage) {
    if (!session.roleArn) continue; // GetSessionToken/GetFederationToken sessions fall under their user's denies.
    roles.push({ account: session.account, name: nameFromArn(session.roleArn), arn: session.roleArn });
  }
  for (const role of roles) {
    const params = { name: role.name, arn: role.arn };
    requests.push({ action: 'role-revoke-sessions', account: role.account, params });
    if (add.has('role-deny-all')) requests.push({ action: 'role-deny-all', account: role.account, params });
  }

  if (options.campaign) requests.push(...campaignRequests(options.campaign, account, resolved, roles));

  const skip = options.skip ?? [];
  for (const name of CAMPAIGN_ACTIONS) known.add(name.name);
  for (const name of skip)
    if (!name.includes(':') && !known.has(name))
      throw new UsageError(`--skip ${name}: no such step.`, `Steps: ${[...known].join(', ')}, or a step id.`);
  const idOf = (r: StepRequest) =>
    stepId(r.action, r.account, containmentRegistry.get(r.action)!.target(r.params));
  const kept = requests.filter(
    (r) => !skip.some((s) => s === r.action || (s.includes(':') && idOf(r).startsWith(s))),
  );
  return { requests: kept, manual };
}

/**
 * The campaign steps (issue 15): Bedrock denied to the compromised principal, SES sending paused
 * and the SMS spend limit lowered in the regions named, SSE-C uploads refused on the buckets named.
 */
function campaignRequests(
  c: CampaignOptions,
  account: string,
  resolved: ResolvedSubject,
  roles: Role[],
): StepRequest[] {
  const out: StepRequest[] = [];
  for (const name of c.campaigns)
    if (!(CAMPAIGNS as readonly string[]).includes(name))
      throw new UsageError(`--campaign ${name}: no such campaign.`, `Campaigns: ${CAMPAIGNS.join(', ')}.`);
  const regions = c.regions ?? [];
  const needsRegions = c.campaigns.filter((n) => n === 'ses-spam' || n === 'sms-pumping');
  if (needsRegions.length && !regions.length)
    throw new UsageError(
      `--campaign ${needsRegions.join(', ')} needs the regions where the attacker sent.`,
      'Name them with --campaign-region REGION (repeatable).',
    );
  if (c.campaigns.includes('s3-ransomware') && !c.buckets?.length)
    throw new UsageError(
      '--campaign s3-ransomware needs the buckets the attacker encrypted.',
      'Name them with --bucket NAME (repeatable).',
    );
  const limit = c.smsSpendLimit ?? '1';
  if (!/^\d+$/.test(limit))
    throw new UsageError(
      `--sms-spend-limit ${limit}: not a whole number of USD.`,
      'For example --sms-spend-limit 1.',
    );
  if (c.campaigns.includes('llmjacking')) {
    const user = resolved.user;
    if (user)
      out.push({
        action: 'user-deny-bedrock',
        account,
        params: { name: user.name, arn: user.arn ?? `arn:aws:iam::${account}:user/${user.name}` },
      });
    for (const role of roles)
      out.push({
        action: 'role-deny-bedrock',
        account: role.account,
        params: { name: role.name, arn: role.arn },
      });
  }
  for (const region of regions) {
    if (c.campaigns.includes('ses-spam'))
      out.push({ action: 'pause-ses-sending', account, params: { region } });
    if (c.campaigns.includes('sms-pumping'))
      out.push({ action: 'lower-sms-spend-limit', account, params: { region, limit } });
  }
  if (c.campaigns.includes('s3-ransomware'))
    for (const bucket of c.buckets ?? []) out.push({ action: 'refuse-sse-c', account, params: { bucket } });
  return out;
}
