import { parsePolicy } from '../core/authz.js';
import { bedrockState } from '../services/bedrock/index.js';
import { emptyKms } from '../services/kms/model.js';
import { emptyRds, type RdsSnapshot } from '../services/rds/model.js';
import { sesState } from '../services/ses/model.js';
import { smsAttributes } from '../services/sns/sms.js';
import type { Ec2AccountState } from '../services/ec2/model.js';
import type { GuardDutyState } from '../services/guardduty/model.js';
import type { LambdaState } from '../services/lambda/model.js';
import type { Bucket, S3AccountState } from '../services/s3/model.js';
import { childText, children } from '../services/s3/xml-config.js';
import type { SecretsState } from '../services/secretsmanager/model.js';
import { VICTIM_ACCOUNT, type AccountState, type SimState } from '../state.js';
import type { Truth } from './truth.js';
import type { CleanCheck } from './types.js';

function mentions(policyText: string | undefined, principal: string): boolean {
  return Boolean(policyText && JSON.stringify(parsePolicy(policyText)).includes(principal));
}

/**
 * Whether a role (or user) carries a deny for sessions issued before the attacker's last one:
 * an inline policy denying everything with `aws:TokenIssueTime` DateLessThan a later time
 * (the console's AWSRevokeOlderSessions, aws-facts §3.3), or an unconditional deny-all.
 */
function revokesOlderSessions(inline: Record<string, string>, after: string): boolean {
  return Object.values(inline).some((text) => {
    const doc = parsePolicy(text) as { Statement?: unknown };
    const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as {
      Effect?: string;
      Action?: unknown;
      Condition?: Record<string, Record<string, unknown>>;
    }[];
    return statements.some((s) => {
      const all = s.Action === '*' || (Array.isArray(s.Action) && s.Action.includes('*'));
      if (s.Effect !== 'Deny' || !all) return false;
      if (!s.Condition) return true;
      const before = s.Condition.DateLessThan?.['aws:TokenIssueTime'];
      return typeof before === 'string' && Date.parse(before) > Date.parse(after);
    });
  });
}

function isMet(sim: SimState, account: AccountState, c: CleanCheck, truth: Truth): boolean {
  const iam = account.iam;
  const ec2 = account.services.ec2 as Ec2AccountState | undefined;
  const latestSession =
    truth.derivedSessions
      .map((s) => s.issuedAt)
      .sort()
      .at(-1) ?? truth.end;
  switch (c.check) {
    case 'accessKeyNotActive': {
      const key = sim.account(c.account ?? VICTIM_ACCOUNT)?.iam.accessKeys[c.accessKeyId];
      return !key || key.status !== 'Active';
    }
    case 'userAbsent':
      return !(c.account ? sim.account(c.account)?.iam : iam)?.users[c.userName];
    case 'loginProfileAbsent':
      return !iam.users[c.userName]?.loginProfile;
    case 'instanceNotRunning': {
      const i = ec2?.regions[c.region]?.instances[c.instanceId];
      return !i || i.state === 'terminated' || i.state === 'stopped';
    }
    case 'securityGroupRuleAbsent': {
      const g = ec2?.regions[c.region]?.securityGroups[c.groupId];
      return (
        !g ||
        !g.rules.some(
          (r) =>
            !r.isEgress &&
            r.cidrIpv4 === c.cidr &&
            (r.fromPort ?? 0) <= c.port &&
            (r.toPort ?? 65535) >= c.port,
        )
      );
    }
    case 'functionAbsent':
      return !(account.services.lambda as LambdaState | undefined)?.regions[c.region]?.functions[
        c.functionName
      ];
    case 'roleTrustExcludes': {
      const role = iam.roles[c.roleName];
      return !role || !mentions(role.assumeRolePolicyDocument, c.principal);
    }
    case 'policyDefaultVersionIs':
      return iam.policies[c.policyArn]?.defaultVersionId === c.versionId;
    case 'keyPairAbsent':
      return !ec2?.regions[c.region]?.keyPairs[c.keyName];
    case 'oidcProviderAbsent':
      return !iam.oidcProviders[c.arn];
    case 'bucketPolicyExcludes': {
      const bucket = (account.services.s3 as S3AccountState | undefined)?.buckets[c.bucket];
      return !bucket || !mentions(bucket.policy, c.principal);
    }
    case 'snapshotNotShared': {
      const s = ec2?.regions[c.region]?.snapshots[c.snapshotId];
      return !s || (!s.isPublic && !s.sharedWith.includes(c.account));
    }
    case 'rdsSnapshotAbsent':
      return !rdsSnapshot(sim, account, c.region, c.snapshotId);
    case 'rdsSnapshotNotShared': {
      const s = rdsSnapshot(sim, account, c.region, c.snapshotId);
      return !s || (!s.restore.includes(c.account) && !s.restore.includes('all'));
    }
    case 'kmsKeyPendingDeletion': {
      const key = sim.serviceState(account.accountId, 'kms', emptyKms).keys[c.keyId];
      return !key || key.state === 'PendingDeletion';
    }
    case 'trailLogging':
      return Object.values(account.cloudtrail.trails).some((t) => t.name === c.trailName && t.isLogging);
    case 'detectorPresent':
      return Boolean((account.services.guardduty as GuardDutyState | undefined)?.detectors[c.region]);
    case 'mfaDeviceAbsent':
      return (
        !iam.mfaDevices[c.serialNumber] &&
        !Object.values(iam.users).some((u) => u.mfaDevices.some((m) => m.serialNumber === c.serialNumber))
      );
    case 'sessionsRevoked': {
      const role = sim.account(c.account ?? VICTIM_ACCOUNT)?.iam.roles[c.roleName];
      return !role || revokesOlderSessions(role.inlinePolicies, latestSession);
    }
    case 'userSessionsRevoked': {
      const user = iam.users[c.userName];
      return !user || revokesOlderSessions(user.inlinePolicies, latestSession);
    }
    case 'bedrockLoggingOn':
      return bedrockState(sim, account.accountId).logging[c.region] !== undefined;
    case 'sesIdentityAbsent':
      return !sesState(sim, account.accountId).regions[c.region]?.identities[c.identity];
    case 'smsSpendLimitAtMost':
      return Number(smsAttributes(sim, account.accountId, c.region).MonthlySpendLimit ?? '1') <= c.usd;
    case 'objectRestored': {
      // The bytes before the attack, readable without the attacker's key (the ETag is their MD5).
      const o = s3Bucket(account, c.bucket)?.objects[c.key];
      return Boolean(o && !o.sseC && o.etag === c.etag);
    }
    case 'objectAbsent':
      return !s3Bucket(account, c.bucket)?.objects[c.key];
    case 'bucketLifecycleRules':
      return (
        JSON.stringify(lifecycleRuleIds(s3Bucket(account, c.bucket))) ===
        JSON.stringify([...c.ruleIds].sort())
      );
    case 'secretRotated': {
      const secrets = (account.services.secretsmanager as SecretsState | undefined)?.regions[c.region] ?? {};
      const s = secrets[c.secretId];
      return !s || Boolean(s.lastRotatedDate && s.lastRotatedDate >= truth.attackStart!);
    }
  }
}

function rdsSnapshot(
  sim: SimState,
  account: AccountState,
  region: string,
  id: string,
): RdsSnapshot | undefined {
  return sim.serviceState(account.accountId, 'rds', emptyRds).regions[region]?.snapshots[id];
}

function s3Bucket(account: AccountState, name: string): Bucket | undefined {
  return (account.services.s3 as S3AccountState | undefined)?.buckets[name];
}

/** The IDs of a bucket's lifecycle rules, sorted (none without a configuration). */
function lifecycleRuleIds(bucket: Bucket | undefined): string[] {
  const doc = bucket?.configs?.LifecycleConfiguration;
  if (!doc || typeof doc === 'string') return [];
  return children(doc, 'Rule')
    .map((r) => childText(r, 'ID') ?? '')
    .sort();
}

/** Which of the truth's expected clean-state conditions the account meets now. */
export function checkCleanState(sim: SimState, truth: Truth): { met: CleanCheck[]; unmet: CleanCheck[] } {
  const account = sim.accountOrThrow(truth.accountId);
  const met: CleanCheck[] = [];
  const unmet: CleanCheck[] = [];
  for (const c of truth.expectedCleanState) (isMet(sim, account, c, truth) ? met : unmet).push(c);
  return { met, unmet };
}
