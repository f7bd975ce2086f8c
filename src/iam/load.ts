import {
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  GetPolicyCommand as GetFunctionPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  OrganizationsClient,
  type PolicyType,
} from '@aws-sdk/client-organizations';
import {
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  GetResourcePolicyCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import { collectAll } from '../aws/paginate.js';
import type { ClientPool } from '../aws/pool.js';
import type {
  AccountSnapshot,
  AuthorizationDetails,
  ControlPolicyLevel,
  ManagedPolicyInput,
  OrganizationInput,
  ResourceInput,
} from './snapshot.js';

/** One read of the snapshot: done, or not checked and why. */
export interface SnapshotCoverage {
  /** `iam.authorization`, `organizations.scps`, `s3.buckets`, `secretsmanager.secrets`… */
  what: string;
  region: string;
  status: 'complete' | 'not-checked';
  reason?: string;
}

export interface SnapshotOptions {
  /** Regions whose secrets, parameters and functions are read (default: the pool's region). */
  regions?: string[];
  /** Read SCPs and RCPs through Organizations (default true). */
  organization?: boolean;
  /**
   * Read the SCPs with these credentials first: the organisation's management account (or a
   * delegated administrator), since a member account may not list its own parents and policies.
   * When they cannot (another organisation, none, refused), the account's own credentials try.
   */
  organizationReader?: ClientPool;
}

/** Global services answer in us-east-1 (IAM, Organizations, S3's ListBuckets). */
const GLOBAL_REGION = 'us-east-1';
const PARALLEL = 8;

/** Run `fn` over `items`, at most `PARALLEL` at a time, keeping the order. */
async function mapLimit<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return out;
}

/** Every page of a list call that takes its token in `field`, through the project's paginator. */
function pagesOf<Field extends string, Output, Item>(
  field: Field,
  send: (input: Partial<Record<Field, string>>) => Promise<Output>,
  nextToken: (page: Output) => string | undefined,
  items: (page: Output) => Item[] | undefined,
): Promise<Item[]> {
  const first: Partial<Record<Field, string>> = {};
  return collectAll({ send, input: first, inputToken: field, nextToken, items });
}

/**
 * Reads through the pool with the one error classification: absent → `null`; refused or still
 * throttled → `undefined` and a "not checked" line; rejected credentials, network failures and
 * anything unexpected are raised (nothing else would work either).
 */
class Reader {
  readonly coverage: SnapshotCoverage[] = [];
  readonly notChecked: string[] = [];

  async read<T>(what: string, region: string, call: () => Promise<T>): Promise<T | null | undefined> {
    try {
      return await call();
    } catch (error) {
      const c = classifyAwsError(error);
      if (c.kind === 'absent') return null;
      if (c.kind === 'other') throw error;
      this.gap(what, region, describeAwsError(c));
      return undefined;
    }
  }

  gap(what: string, region: string, reason: string): void {
    if (this.coverage.some((c) => c.what === what && c.region === region && c.status === 'not-checked'))
      return;
    this.coverage.push({ what, region, status: 'not-checked', reason });
    this.notChecked.push(`${what} in ${region}: ${reason}`);
  }

  done(what: string, region: string): void {
    if (!this.coverage.some((c) => c.what === what && c.region === region))
      this.coverage.push({ what, region, status: 'complete' });
  }
}

/** Every page of GetAccountAuthorizationDetails, merged; AWS managed policies attached anywhere fetched when absent. */
async function readAuthorization(pool: ClientPool, r: Reader): Promise<AuthorizationDetails> {
  const iam = pool.get(IAMClient, GLOBAL_REGION);
  const merged: Required<AuthorizationDetails> = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  const pages = await r.read('iam.authorization', GLOBAL_REGION, () =>
    pagesOf(
      'Marker',
      (input) => iam.send(new GetAccountAuthorizationDetailsCommand(input)),
      (page) => (page.IsTruncated ? page.Marker : undefined),
      (page) => [page],
    ),
  );
  if (!pages) return merged;
  for (const out of pages) {
    merged.UserDetailList.push(...(out.UserDetailList ?? []));
    merged.GroupDetailList.push(...(out.GroupDetailList ?? []));
    merged.RoleDetailList.push(...(out.RoleDetailList ?? []));
    merged.Policies.push(...(out.Policies ?? []));
  }
  const have = new Set(merged.Policies.map((p) => p.Arn));
  const wanted = new Set<string>();
  for (const h of [...merged.UserDetailList, ...merged.GroupDetailList, ...merged.RoleDetailList])
    for (const a of h.AttachedManagedPolicies ?? [])
      if (a.PolicyArn && !have.has(a.PolicyArn)) wanted.add(a.PolicyArn);
  for (const h of [...merged.UserDetailList, ...merged.RoleDetailList]) {
    const arn = h.PermissionsBoundary?.PermissionsBoundaryArn;
    if (arn && !have.has(arn)) wanted.add(arn);
  }
  const fetched = await mapLimit([...wanted], (arn) => managedPolicy(iam, r, arn));
  merged.Policies.push(...fetched.filter((p) => p !== undefined));
  r.done('iam.authorization', GLOBAL_REGION);
  return merged;
}

async function managedPolicy(
  iam: IAMClient,
  r: Reader,
  arn: string,
): Promise<ManagedPolicyInput | undefined> {
  const policy = await r.read('iam.managed-policies', GLOBAL_REGION, () =>
    iam.send(new GetPolicyCommand({ PolicyArn: arn })),
  );
  const versionId = policy?.Policy?.DefaultVersionId;
  if (!versionId) return undefined;
  const version = await r.read('iam.managed-policies', GLOBAL_REGION, () =>
    iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
  );
  if (!version?.PolicyVersion?.Document) return undefined;
  return {
    Arn: arn,
    PolicyName: policy.Policy?.PolicyName,
    DefaultVersionId: versionId,
    PolicyVersionList: [
      { VersionId: versionId, IsDefaultVersion: true, Document: version.PolicyVersion.Document },
    ],
  };
}

/**
 * The account's SCPs (and RCPs) from the root down, through Organizations: an account outside any
 * organisation says so (AWSOrganizationsNotInUseException); a member account, which may not read
 * its organisation's policies, gets "not checked" with AWS's refusal. SCPs never apply to the
 * management account.
 */
export async function readOrganization(pool: ClientPool, account: string): Promise<OrganizationInput> {
  const org = pool.get(OrganizationsClient, GLOBAL_REGION);
  const call = async <T>(
    fn: () => Promise<T>,
  ): Promise<{ ok: T } | { refused: string; notInUse: boolean }> => {
    try {
      return { ok: await fn() };
    } catch (error) {
      const c = classifyAwsError(error);
      if (c.code === 'AWSOrganizationsNotInUseException') return { refused: c.message, notInUse: true };
      if (c.kind === 'denied' || c.kind === 'throttled')
        return { refused: describeAwsError(c), notInUse: false };
      throw error;
    }
  };
  const described = await call(() => org.send(new DescribeOrganizationCommand({})));
  if ('refused' in described)
    return described.notInUse
      ? { status: 'not-in-organization' }
      : { status: 'not-checked', reason: `DescribeOrganization: ${described.refused}` };
  const organizationId = described.ok.Organization?.Id;
  if (described.ok.Organization?.MasterAccountId === account)
    return { status: 'read', organizationId, scps: [], rcps: [] };
  // The chain of parents, account first, then reversed so the root comes first.
  const targets = [account];
  for (let depth = 0; depth < 10; depth++) {
    const parents = await call(() => org.send(new ListParentsCommand({ ChildId: targets.at(-1) })));
    if ('refused' in parents) return { status: 'not-checked', reason: `ListParents: ${parents.refused}` };
    const parent = parents.ok.Parents?.[0];
    if (!parent?.Id) break;
    targets.push(parent.Id);
    if (parent.Type === 'ROOT') break;
  }
  targets.reverse();
  const levels = async (filter: PolicyType): Promise<ControlPolicyLevel[] | string> => {
    const out: ControlPolicyLevel[] = [];
    for (const target of targets) {
      const policies: ControlPolicyLevel['policies'] = [];
      let token: string | undefined;
      do {
        const page = await call(() =>
          org.send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: filter, NextToken: token })),
        );
        if ('refused' in page) return `ListPoliciesForTarget ${target}: ${page.refused}`;
        for (const p of page.ok.Policies ?? []) {
          const policy = await call(() => org.send(new DescribePolicyCommand({ PolicyId: p.Id })));
          if ('refused' in policy) return `DescribePolicy ${p.Id ?? ''}: ${policy.refused}`;
          const content = policy.ok.Policy?.Content;
          if (content) policies.push({ name: p.Name ?? p.Id ?? 'policy', document: content });
        }
        token = page.ok.NextToken;
      } while (token);
      out.push({ target, policies });
    }
    return out;
  };
  const scps = await levels('SERVICE_CONTROL_POLICY');
  if (typeof scps === 'string') return { status: 'not-checked', reason: scps };
  const rcps = await levels('RESOURCE_CONTROL_POLICY');
  return { status: 'read', organizationId, scps, rcps: typeof rcps === 'string' ? [] : rcps };
}

interface ListerContext {
  pool: ClientPool;
  account: string;
  region: string;
  r: Reader;
}

/** Resources with policies, declared: one lister each, global (once) or per region. */
const RESOURCE_LISTERS: {
  what: string;
  scope: 'global' | 'regional';
  list: (ctx: ListerContext) => Promise<ResourceInput[]>;
}[] = [
  {
    what: 's3.buckets',
    scope: 'global',
    async list({ pool, account, r }) {
      const s3 = pool.get(S3Client, GLOBAL_REGION);
      const listed = await r.read('s3.buckets', GLOBAL_REGION, () => s3.send(new ListBucketsCommand({})));
      return mapLimit(listed?.Buckets ?? [], async (b) => {
        const bucket = b.Name ?? '';
        const location = await r.read('s3.bucket-location', GLOBAL_REGION, () =>
          s3.send(new GetBucketLocationCommand({ Bucket: bucket })),
        );
        // An empty LocationConstraint is us-east-1 (S3 API reference, GetBucketLocation).
        const region = location?.LocationConstraint || GLOBAL_REGION;
        const policy = await r.read('s3.bucket-policy', region, () =>
          pool.get(S3Client, region).send(new GetBucketPolicyCommand({ Bucket: bucket })),
        );
        return {
          arn: `arn:aws:s3:::${bucket}`,
          type: 'AWS::S3::Bucket' as const,
          account,
          region,
          name: bucket,
          policy: policy === undefined ? undefined : (policy?.Policy ?? null),
        };
      });
    },
  },
  {
    what: 'secretsmanager.secrets',
    scope: 'regional',
    async list({ pool, account, region, r }) {
      const sm = pool.get(SecretsManagerClient, region);
      const secrets =
        (await r.read('secretsmanager.secrets', region, () =>
          pagesOf(
            'NextToken',
            (input) => sm.send(new ListSecretsCommand(input)),
            (page) => page.NextToken,
            (page) => page.SecretList,
          ),
        )) ?? [];
      return mapLimit(secrets, async (s) => {
        const policy = await r.read('secretsmanager.resource-policy', region, () =>
          sm.send(new GetResourcePolicyCommand({ SecretId: s.ARN })),
        );
        return {
          arn: s.ARN ?? '',
          type: 'AWS::SecretsManager::Secret' as const,
          account,
          region,
          name: s.Name,
          policy: policy === undefined ? undefined : (policy?.ResourcePolicy ?? null),
        };
      });
    },
  },
  {
    what: 'ssm.parameters',
    scope: 'regional',
    async list({ pool, account, region, r }) {
      const ssm = pool.get(SSMClient, region);
      const parameters =
        (await r.read('ssm.parameters', region, () =>
          pagesOf(
            'NextToken',
            (input) => ssm.send(new DescribeParametersCommand(input)),
            (page) => page.NextToken,
            (page) => page.Parameters,
          ),
        )) ?? [];
      return parameters.map((p) => {
        const name = p.Name ?? '';
        // Parameter ARNs join `parameter` and the name with one slash whether or not it has one.
        const arn = `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
        // Parameters have no resource policies: identity policies decide.
        return { arn, type: 'AWS::SSM::Parameter' as const, account, region, name, policy: null };
      });
    },
  },
  {
    what: 'lambda.functions',
    scope: 'regional',
    async list({ pool, account, region, r }) {
      const lambda = pool.get(LambdaClient, region);
      const functions =
        (await r.read('lambda.functions', region, () =>
          pagesOf(
            'Marker',
            (input) => lambda.send(new ListFunctionsCommand(input)),
            (page) => page.NextMarker,
            (page) => page.Functions,
          ),
        )) ?? [];
      return mapLimit(functions, async (f) => {
        const policy = await r.read('lambda.policy', region, () =>
          lambda.send(new GetFunctionPolicyCommand({ FunctionName: f.FunctionName })),
        );
        return {
          arn: f.FunctionArn ?? '',
          type: 'AWS::Lambda::Function' as const,
          account,
          region,
          name: f.FunctionName,
          policy: policy === undefined ? undefined : (policy?.Policy ?? null),
          role: f.Role,
        };
      });
    },
  },
];

/** The SCPs over `account` as the organisation's reader sees them, else as the account itself does. */
async function readOrganizationVia(
  reader: ClientPool | undefined,
  pool: ClientPool,
  account: string,
): Promise<OrganizationInput> {
  if (reader) {
    const read = await readOrganization(reader, account).catch(() => undefined);
    if (read?.status === 'read') return read;
  }
  return readOrganization(pool, account);
}

/**
 * Read the IAM part of an account (GetAccountAuthorizationDetails, every page), its SCPs through
 * Organizations, and the resources that carry policies (buckets, secrets, parameters, functions)
 * in the given regions, through the client pool. What AWS refuses is "not checked", with the
 * reason, in `coverage` and in the snapshot's `notChecked`. KMS keys, SNS topics and SQS queues
 * are not read here: the inventory passes them in when it has them.
 */
export async function readAccountSnapshot(
  pool: ClientPool,
  account: string,
  options: SnapshotOptions = {},
): Promise<{ snapshot: AccountSnapshot; coverage: SnapshotCoverage[] }> {
  const r = new Reader();
  const regions = options.regions ?? [pool.defaultRegion];
  const [authorization, organization, ...resources] = await Promise.all([
    readAuthorization(pool, r),
    options.organization === false
      ? Promise.resolve<OrganizationInput>({ status: 'not-checked', reason: 'not asked for' })
      : readOrganizationVia(options.organizationReader, pool, account),
    ...RESOURCE_LISTERS.flatMap((lister) =>
      (lister.scope === 'global' ? [GLOBAL_REGION] : regions).map(async (region) => {
        const items = await lister.list({ pool, account, region, r });
        r.done(lister.what, region);
        return items;
      }),
    ),
  ]);
  if (organization.status === 'not-checked') r.gap('organizations.scps', GLOBAL_REGION, organization.reason);
  else r.done('organizations.scps', GLOBAL_REGION);
  return {
    snapshot: {
      accountId: account,
      authorization,
      organization,
      resources: resources.flat().filter((x) => x.arn),
      notChecked: r.notChecked.filter((line) => !line.startsWith('organizations.scps')),
    },
    coverage: r.coverage,
  };
}
