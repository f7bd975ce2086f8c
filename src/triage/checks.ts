import { CloudTrailClient, LookupEventsCommand, type LookupAttribute } from '@aws-sdk/client-cloudtrail';
import {
  GetAccessKeyLastUsedCommand,
  GetAccountSummaryCommand,
  GetLoginProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { classifyAwsError } from '../aws/errors.js';
import type { ClientPool } from '../aws/pool.js';
import type { KeyFacts, TriageReport } from './report.js';
import { assessPermissions, QUARANTINE_PREFIX, rolePolicies, userPolicies } from './permissions.js';

type Draft = Omit<TriageReport, 'severity'>;

/** One triage check, declared: when it applies and what it fills in. */
export interface Check {
  name: string;
  applies(r: Draft): boolean;
  run(pool: ClientPool, r: Draft): Promise<void>;
}

const iam = (pool: ClientPool) => pool.get(IAMClient, 'us-east-1');
const iso = (d: Date | undefined) => d?.toISOString() ?? null;

async function absentAsUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (classifyAwsError(error).kind === 'absent') return undefined;
    throw error;
  }
}

async function keyFacts(
  pool: ClientPool,
  id: string,
  status: string,
  created: Date | undefined,
): Promise<KeyFacts> {
  const used = await iam(pool).send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
  const u = used.AccessKeyLastUsed;
  // "N/A" is how IAM says "never" for service and region (aws-facts §3.1).
  const na = (v: string | undefined) => (v && v !== 'N/A' ? v : null);
  return {
    accessKeyId: id,
    status,
    created: iso(created),
    lastUsed: u ? { date: iso(u.LastUsedDate), service: na(u.ServiceName), region: na(u.Region) } : null,
  };
}

const userName = (r: Draft) => r.resolved.user?.name;
const roleName = (r: Draft) => r.resolved.role?.name;

/** The checks of issue 6 §1, in the order they are shown. */
export const CHECKS: Check[] = [
  {
    name: 'access keys (iam:ListAccessKeys, iam:GetAccessKeyLastUsed)',
    applies: (r) => userName(r) !== undefined,
    async run(pool, r) {
      const out = await iam(pool).send(new ListAccessKeysCommand({ UserName: userName(r) }));
      for (const k of out.AccessKeyMetadata ?? []) {
        const facts = await keyFacts(pool, k.AccessKeyId!, k.Status ?? 'unknown', k.CreateDate);
        if (k.AccessKeyId === r.resolved.accessKeyId) r.key = facts;
        else r.otherKeys.push(facts);
      }
      if (r.resolved.accessKeyId?.startsWith('AKIA') && !r.key)
        r.key = { accessKeyId: r.resolved.accessKeyId, status: 'deleted', created: null, lastUsed: null };
    },
  },
  {
    name: 'console password (iam:GetLoginProfile, iam:GetUser)',
    applies: (r) => userName(r) !== undefined,
    async run(pool, r) {
      const profile = await absentAsUndefined(() =>
        iam(pool).send(new GetLoginProfileCommand({ UserName: userName(r) })),
      );
      const user = await iam(pool).send(new GetUserCommand({ UserName: userName(r) }));
      r.consolePassword = {
        exists: profile?.LoginProfile !== undefined,
        created: iso(profile?.LoginProfile?.CreateDate),
        lastUsed: iso(user.User?.PasswordLastUsed),
      };
    },
  },
  {
    name: 'MFA devices (iam:ListMFADevices)',
    applies: (r) => userName(r) !== undefined,
    async run(pool, r) {
      const out = await iam(pool).send(new ListMFADevicesCommand({ UserName: userName(r) }));
      r.mfaDevices = (out.MFADevices ?? []).map((d) => d.SerialNumber ?? '?');
    },
  },
  {
    name: 'groups and policies (iam:List*Policies, iam:GetPolicyVersion)',
    applies: (r) => userName(r) !== undefined || roleName(r) !== undefined,
    async run(pool, r) {
      const found = userName(r)
        ? await userPolicies(iam(pool), userName(r)!)
        : await rolePolicies(iam(pool), roleName(r)!);
      r.groups = found.groups;
      r.policies = found.policies.map(({ via, name }) => ({ via, name }));
      const assessed = assessPermissions(found.policies);
      r.admin = assessed.admin;
      r.escalation = assessed.escalation;
      const attached = found.policies.filter((p) => p.name.startsWith(QUARANTINE_PREFIX)).map((p) => p.name);
      // Every AWSCompromisedKeyQuarantine version denies iam:UpdateAccessKey (aws-facts §3.5).
      r.quarantine = { attached, blocksUpdateAccessKey: attached.length > 0 };
    },
  },
  {
    name: 'role (iam:GetRole)',
    applies: (r) => roleName(r) !== undefined,
    async run(pool, r) {
      const out = await iam(pool).send(new GetRoleCommand({ RoleName: roleName(r) }));
      const revoke = await absentAsUndefined(() =>
        iam(pool).send(
          new GetRolePolicyCommand({ RoleName: roleName(r), PolicyName: 'AWSRevokeOlderSessions' }),
        ),
      );
      const cutoff = revoke?.PolicyDocument
        ? /"aws:TokenIssueTime"\s*:\s*"([^"]+)"/i.exec(decodeURIComponent(revoke.PolicyDocument))?.[1]
        : undefined;
      r.role = {
        arn: out.Role?.Arn ?? null,
        created: iso(out.Role?.CreateDate),
        lastUsed: iso(out.Role?.RoleLastUsed?.LastUsedDate),
        lastUsedRegion: out.Role?.RoleLastUsed?.Region ?? null,
        revokedBefore: cutoff ?? null,
      };
    },
  },
  {
    name: 'root credentials (iam:GetAccountSummary)',
    applies: (r) => r.resolved.credential === 'root',
    async run(pool, r) {
      const out = await iam(pool).send(new GetAccountSummaryCommand({}));
      const m = out.SummaryMap ?? {};
      r.rootAccount = {
        mfaEnabled: m.AccountMFAEnabled === undefined ? null : m.AccountMFAEnabled === 1,
        accessKeysPresent: m.AccountAccessKeysPresent === undefined ? null : m.AccountAccessKeysPresent === 1,
      };
    },
  },
  {
    name: 'recent activity (cloudtrail:LookupEvents)',
    applies: (r) => r.resolved.credential !== 'unknown' || r.resolved.accessKeyId !== undefined,
    run: (pool, r) => countActivity(pool, r),
  },
];

/** LookupEvents reads at most this many pages per region in triage (collect reads everything). */
const MAX_PAGES = 10;

function lookupFor(r: Draft): LookupAttribute | undefined {
  if (r.resolved.accessKeyId) return { AttributeKey: 'AccessKeyId', AttributeValue: r.resolved.accessKeyId };
  if (r.resolved.user) return { AttributeKey: 'Username', AttributeValue: r.resolved.user.name };
  if (r.resolved.role?.arn) return { AttributeKey: 'ResourceName', AttributeValue: r.resolved.role.arn };
  if (r.resolved.credential === 'root') return { AttributeKey: 'Username', AttributeValue: 'root' };
  return undefined;
}

/**
 * Count recent CloudTrail events of the credential. LookupEvents is regional and IAM/STS/sign-in
 * events live in us-east-1 (aws-facts §2.3): read us-east-1, the default region and the key's
 * last-used region; `tourniquet collect` reads every region.
 */
async function countActivity(pool: ClientPool, r: Draft): Promise<void> {
  const attribute = lookupFor(r);
  if (!attribute) return;
  const regions = [
    ...new Set(['us-east-1', pool.defaultRegion, r.key?.lastUsed?.region].filter((x): x is string => !!x)),
  ];
  const names = new Map<string, number>();
  const ips = new Set<string>();
  let events = 0;
  let errors = 0;
  let truncated = false;
  let first: string | null = null;
  let last: string | null = null;
  for (const region of regions) {
    const client = pool.get(CloudTrailClient, region);
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new LookupEventsCommand({
          LookupAttributes: [attribute],
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const e of page.Events ?? []) {
        events += 1;
        names.set(e.EventName ?? '?', (names.get(e.EventName ?? '?') ?? 0) + 1);
        const at = e.EventTime?.toISOString() ?? null;
        if (at && (!first || at < first)) first = at;
        if (at && (!last || at > last)) last = at;
        const record = e.CloudTrailEvent
          ? (JSON.parse(e.CloudTrailEvent) as { errorCode?: string; sourceIPAddress?: string })
          : {};
        if (record.errorCode) errors += 1;
        if (record.sourceIPAddress) ips.add(record.sourceIPAddress);
      }
      token = page.NextToken || undefined;
      pages += 1;
    } while (token && pages < MAX_PAGES);
    if (token) truncated = true;
  }
  r.activity = {
    regions,
    lookup: `${attribute.AttributeKey} ${attribute.AttributeValue}`,
    events,
    truncated,
    errors,
    firstSeen: first,
    lastSeen: last,
    sourceIps: [...ips].slice(0, 20),
    topEvents: [...names.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, count]) => ({ name, count })),
  };
}
