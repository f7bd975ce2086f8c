import { existsSync, readFileSync } from 'node:fs';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import {
  GetAccountSendingEnabledCommand,
  SESClient,
  UpdateAccountSendingEnabledCommand,
} from '@aws-sdk/client-ses';
import { GetSMSAttributesCommand, SNSClient, SetSMSAttributesCommand } from '@aws-sdk/client-sns';
import { campaignRegions, campaignRules } from '../detect/campaigns.js';
import type { ActionDef, PlannedStep } from './action.js';
import { s3For } from './eradicate/s3.js';
import { getInlinePolicy, readOrAbsent } from './iam-read.js';
import { put, putBack, type Principal } from './inline-policy.js';

/** Name of the inline policy that denies Amazon Bedrock to the compromised principal. */
export const DENY_BEDROCK_POLICY = 'TourniquetDenyBedrock';
/** Sid of the statement merged into a bucket policy to refuse SSE-C uploads. */
export const SSE_C_SID = 'TourniquetDenySseC';

/** Deny every Bedrock action (LLMjacking: model invocations on the account's bill). */
export function denyBedrockDocument(): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'TourniquetDenyBedrock', Effect: 'Deny', Action: 'bedrock:*', Resource: '*' }],
  };
}

/**
 * The statement AWS recommends to block SSE-C writes to a bucket (S3 UG, "Blocking or unblocking
 * SSE-C for a general purpose bucket"): any PutObject that names a customer key is denied.
 */
export function denySseCStatement(bucket: string): object {
  return {
    Sid: SSE_C_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:PutObject',
    Resource: `arn:aws:s3:::${bucket}/*`,
    Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
  };
}

interface PolicyDoc {
  Version?: string;
  Statement?: unknown;
}

const statements = (doc: PolicyDoc): unknown[] =>
  Array.isArray(doc.Statement) ? (doc.Statement as unknown[]) : doc.Statement ? [doc.Statement] : [];
const hasSseCDeny = (doc: PolicyDoc) =>
  statements(doc).some((s) => (s as { Sid?: unknown } | null)?.Sid === SSE_C_SID);

/** The bucket's policy merged with the SSE-C deny, every existing statement kept. */
export function withSseCDeny(policy: string | undefined, bucket: string): string {
  const doc = policy ? (JSON.parse(policy) as PolicyDoc) : { Version: '2012-10-17' };
  const kept = statements(doc).filter((s) => (s as { Sid?: unknown } | null)?.Sid !== SSE_C_SID);
  return JSON.stringify({
    ...doc,
    Version: doc.Version ?? '2012-10-17',
    Statement: [...kept, denySseCStatement(bucket)],
  });
}

/** An inline Deny bedrock:* on a user or a role; the before-state keeps a same-named policy for undo. */
function denyBedrock(principal: Principal): ActionDef {
  const name = (step: Pick<PlannedStep, 'params'>) => step.params.name!;
  return {
    name: `${principal}-deny-bedrock`,
    summary: `attach an inline deny of bedrock:* to the ${principal} (LLMjacking: no more model invocations)`,
    target: (p) => p.arn ?? p.name ?? '?',
    async plan(env, account, params) {
      const existing = await getInlinePolicy(
        await env.poolFor(account),
        principal,
        params.name!,
        DENY_BEDROCK_POLICY,
      );
      const before = existing ? { exists: true, document: existing.text } : { exists: false };
      if (existing && JSON.stringify(existing.document) === JSON.stringify(denyBedrockDocument()))
        return { before, change: `${DENY_BEDROCK_POLICY} already denies bedrock:*`, noop: true };
      return { before, change: `add inline ${DENY_BEDROCK_POLICY} (Deny bedrock:* on *)`, noop: false };
    },
    async apply(env, step) {
      const pool = await env.poolFor(step.account);
      await put(pool, principal, name(step), DENY_BEDROCK_POLICY, JSON.stringify(denyBedrockDocument()));
      return { policyName: DENY_BEDROCK_POLICY };
    },
    async verify(env, step) {
      const existing = await getInlinePolicy(
        await env.poolFor(step.account),
        principal,
        name(step),
        DENY_BEDROCK_POLICY,
      );
      const ok =
        existing !== undefined && JSON.stringify(existing.document) === JSON.stringify(denyBedrockDocument());
      return {
        ok,
        observed: ok ? `${DENY_BEDROCK_POLICY} denies bedrock:*` : `no ${DENY_BEDROCK_POLICY} deny`,
      };
    },
    async undo(env, step) {
      return putBack(
        await env.poolFor(step.account),
        principal,
        name(step),
        DENY_BEDROCK_POLICY,
        step.before,
      );
    },
  };
}

export const userDenyBedrock = denyBedrock('user');
export const roleDenyBedrock = denyBedrock('role');

const sendingEnabled = async (ses: SESClient) =>
  (await ses.send(new GetAccountSendingEnabledCommand({}))).Enabled ?? false;

/** SES spam: the account's sending paused in a region (SES v1 UpdateAccountSendingEnabled false). */
export const pauseSesSending: ActionDef = {
  name: 'pause-ses-sending',
  summary: "pause the account's SES email sending in a region (the prior flag kept for undo)",
  target: (p) => `${p.region ?? '?'}/ses-sending`,
  async plan(env, account, params) {
    const enabled = await sendingEnabled((await env.poolFor(account)).get(SESClient, params.region));
    const before = { sendingEnabled: enabled };
    if (!enabled) return { before, change: 'SES sending already paused', noop: true };
    return { before, change: 'SES sending enabled → paused', noop: false };
  },
  async apply(env, step) {
    const ses = (await env.poolFor(step.account)).get(SESClient, step.params.region);
    await ses.send(new UpdateAccountSendingEnabledCommand({ Enabled: false }));
    return { sendingEnabled: false };
  },
  async verify(env, step) {
    const enabled = await sendingEnabled(
      (await env.poolFor(step.account)).get(SESClient, step.params.region),
    );
    return { ok: !enabled, observed: enabled ? 'SES sending enabled' : 'SES sending paused' };
  },
  async undo(env, step) {
    const before = step.before as { sendingEnabled: boolean };
    const ses = (await env.poolFor(step.account)).get(SESClient, step.params.region);
    await ses.send(new UpdateAccountSendingEnabledCommand({ Enabled: before.sendingEnabled }));
    return { restored: `SES sending ${before.sendingEnabled ? 'enabled' : 'paused'}` };
  },
};

const smsAttributes = async (sns: SNSClient) =>
  (await sns.send(new GetSMSAttributesCommand({}))).attributes ?? {};

/** SMS pumping: the region's SMS monthly spend limit lowered (USD, whole number; default 1). */
export const lowerSmsSpendLimit: ActionDef = {
  name: 'lower-sms-spend-limit',
  summary: 'lower the SNS SMS monthly spend limit in a region (the prior attributes kept for undo)',
  target: (p) => `${p.region ?? '?'}/sms-spend-limit`,
  async plan(env, account, params) {
    const attributes = await smsAttributes((await env.poolFor(account)).get(SNSClient, params.region));
    const current = attributes.MonthlySpendLimit;
    const before = { attributes };
    if (current !== undefined && Number(current) <= Number(params.limit))
      return { before, change: `SMS spend limit already USD ${current}`, noop: true };
    return {
      before,
      change: `SMS MonthlySpendLimit USD ${current ?? '(unset)'} → ${params.limit!}`,
      noop: false,
    };
  },
  async apply(env, step) {
    const sns = (await env.poolFor(step.account)).get(SNSClient, step.params.region);
    await sns.send(new SetSMSAttributesCommand({ attributes: { MonthlySpendLimit: step.params.limit! } }));
    return { MonthlySpendLimit: step.params.limit };
  },
  async verify(env, step) {
    const now = (await smsAttributes((await env.poolFor(step.account)).get(SNSClient, step.params.region)))
      .MonthlySpendLimit;
    const ok = now !== undefined && Number(now) <= Number(step.params.limit);
    return { ok, observed: `MonthlySpendLimit USD ${now ?? '(unset)'}` };
  },
  async undo(env, step) {
    const before = (step.before as { attributes: Record<string, string> }).attributes.MonthlySpendLimit;
    if (before === undefined) return { restored: 'nothing: no MonthlySpendLimit was set before' };
    const sns = (await env.poolFor(step.account)).get(SNSClient, step.params.region);
    await sns.send(new SetSMSAttributesCommand({ attributes: { MonthlySpendLimit: before } }));
    return { restored: `MonthlySpendLimit USD ${before}` };
  },
};

const bucketPolicy = async (env: Parameters<ActionDef['plan']>[0], account: string, bucket: string) => {
  const s3 = await s3For(await env.poolFor(account), { bucket });
  const out = await readOrAbsent(() => s3.send(new GetBucketPolicyCommand({ Bucket: bucket })));
  return { s3, policy: out?.Policy };
};

/** S3 ransomware: SSE-C uploads refused by a statement merged into the bucket's policy. */
export const refuseSseC: ActionDef = {
  name: 'refuse-sse-c',
  summary:
    "refuse SSE-C uploads with a deny merged into the bucket's policy (the prior policy kept for undo)",
  target: (p) => p.bucket ?? '?',
  async plan(env, account, params) {
    const { policy } = await bucketPolicy(env, account, params.bucket!);
    const before = policy === undefined ? { exists: false } : { exists: true, policy };
    if (policy && hasSseCDeny(JSON.parse(policy) as PolicyDoc))
      return { before, change: 'bucket policy already refuses SSE-C uploads', noop: true };
    return {
      before,
      change: `${policy ? 'add to the bucket policy' : 'bucket policy'}: Deny s3:PutObject with an SSE-C key`,
      noop: false,
    };
  },
  async apply(env, step) {
    const { s3, policy } = await bucketPolicy(env, step.account, step.params.bucket!);
    const merged = withSseCDeny(policy, step.params.bucket!);
    await s3.send(new PutBucketPolicyCommand({ Bucket: step.params.bucket, Policy: merged }));
    return { sid: SSE_C_SID };
  },
  async verify(env, step) {
    const { policy } = await bucketPolicy(env, step.account, step.params.bucket!);
    const ok = policy !== undefined && hasSseCDeny(JSON.parse(policy) as PolicyDoc);
    return { ok, observed: ok ? `bucket policy holds ${SSE_C_SID}` : `no ${SSE_C_SID} in the bucket policy` };
  },
  async undo(env, step) {
    const before = step.before as { exists: boolean; policy?: string };
    const { s3 } = await bucketPolicy(env, step.account, step.params.bucket!);
    if (before.exists && before.policy) {
      await s3.send(new PutBucketPolicyCommand({ Bucket: step.params.bucket, Policy: before.policy }));
      return { restored: 'previous bucket policy' };
    }
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: step.params.bucket }));
    return { restored: 'bucket policy removed' };
  },
};

/** The campaign containment steps, by name. */
export const CAMPAIGN_ACTIONS = [
  userDenyBedrock,
  roleDenyBedrock,
  pauseSesSending,
  lowerSmsSpendLimit,
  refuseSseC,
];

/** Campaigns `--campaign` accepts, and what each needs. */
export const CAMPAIGNS = ['llmjacking', 'ses-spam', 'sms-pumping', 's3-ransomware'] as const;

/**
 * The `--campaign` options the case's findings call for and `given` lacks, one line each (with the
 * regions the finding saw); containment never adds them by itself: the responder names them.
 */
export function campaignSuggestions(findingsFile: string, given: string[]): string[] {
  if (!existsSync(findingsFile)) return [];
  let findings: { ruleId?: unknown; regions?: unknown; region?: unknown }[];
  try {
    findings =
      (JSON.parse(readFileSync(findingsFile, 'utf8')) as { findings?: typeof findings }).findings ?? [];
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of CAMPAIGNS) {
    if (given.includes(name)) continue;
    const rules = campaignRules(name);
    if (!findings.some((f) => rules.includes(f.ruleId as string))) continue;
    const where =
      name === 'ses-spam' || name === 'sms-pumping'
        ? campaignRegions(findings, rules)
            .map((r) => ` --campaign-region ${r}`)
            .join('')
        : name === 's3-ransomware'
          ? ' --bucket NAME'
          : '';
    out.push(`The findings name ${name}: add --campaign ${name}${where}`);
  }
  return out;
}
