import {
  AccessAnalyzerClient,
  ListAnalyzersCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-accessanalyzer';
import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
  type ListTrailsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  EC2Client,
  GetEbsEncryptionByDefaultCommand,
  GetInstanceMetadataDefaultsCommand,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { GetAccountPasswordPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeOrganizationCommand,
  ListPoliciesForTargetCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import pLimit from 'p-limit';
import { collectAll } from '../aws/paginate.js';
import type { ClientPool } from '../aws/pool.js';
import { fetchCredentialReport } from './credential-report.js';
import type { AuditFacts, OrganizationFacts, TrailFacts } from './facts.js';
import { read } from './read.js';
import type { Reading } from './types.js';

/** What gathering needs: the pool, the account, the regions, a clock to wait on. */
export interface GatherOptions {
  pool: ClientPool;
  account: string;
  regions: string[];
  now: Date;
  sleep: (ms: number) => Promise<void>;
  /** Called as each part is read (progress). */
  onRead?: (what: string) => void;
}

async function trailFacts(
  pool: ClientPool,
  arn: string,
  homeRegion: string,
): Promise<TrailFacts | undefined> {
  const ct = pool.get(CloudTrailClient, homeRegion);
  const trail = (await ct.send(new GetTrailCommand({ Name: arn }))).Trail;
  if (!trail?.Name) return undefined;
  const selectors = await read(`GetEventSelectors ${trail.Name}`, () =>
    ct.send(new GetEventSelectorsCommand({ TrailName: arn })),
  );
  const basic = selectors.ok ? (selectors.value.EventSelectors ?? []) : [];
  const advanced = selectors.ok ? (selectors.value.AdvancedEventSelectors ?? []) : [];
  const managementAll: Reading<boolean> = selectors.ok
    ? {
        ok: true,
        value:
          basic.some((s) => s.IncludeManagementEvents !== false && (s.ReadWriteType ?? 'All') === 'All') ||
          advanced.some((a) =>
            (a.FieldSelectors ?? []).some(
              (f) => f.Field === 'eventCategory' && f.Equals?.includes('Management'),
            ),
          ),
      }
    : selectors;
  const s3DataEvents: Reading<{ value: string; readWrite: string }[]> = selectors.ok
    ? {
        ok: true,
        value: basic.flatMap((s) =>
          (s.DataResources ?? [])
            .filter((d) => d.Type === 'AWS::S3::Object')
            .flatMap((d) =>
              (d.Values ?? []).map((value) => ({ value, readWrite: s.ReadWriteType ?? 'All' })),
            ),
        ),
      }
    : selectors;
  return {
    name: trail.Name,
    arn,
    homeRegion: trail.HomeRegion ?? homeRegion,
    multiRegion: trail.IsMultiRegionTrail === true,
    logging: await read(`GetTrailStatus ${trail.Name}`, async () =>
      Boolean((await ct.send(new GetTrailStatusCommand({ Name: arn }))).IsLogging),
    ),
    logFileValidation: trail.LogFileValidationEnabled === true,
    bucket: trail.S3BucketName ?? '',
    managementAll,
    s3DataEvents,
  };
}

async function organization(pool: ClientPool, account: string): Promise<OrganizationFacts> {
  const orgs = pool.get(OrganizationsClient, 'us-east-1');
  try {
    const org = (await orgs.send(new DescribeOrganizationCommand({}))).Organization;
    const scps = await read('ListPoliciesForTarget (SCPs of this account)', async () =>
      (
        await collectAll({
          send: (input: { TargetId: string; Filter: 'SERVICE_CONTROL_POLICY'; NextToken?: string }) =>
            orgs.send(new ListPoliciesForTargetCommand(input)),
          input: { TargetId: account, Filter: 'SERVICE_CONTROL_POLICY' },
          inputToken: 'NextToken',
          nextToken: (p) => p.NextToken,
          items: (p) => p.Policies,
        })
      ).map((p) => p.Name ?? p.Id ?? '?'),
    );
    return { inOrganization: true, id: org?.Id ?? '?', managementAccount: org?.MasterAccountId ?? '?', scps };
  } catch (error) {
    // Organizations answers this (HTTP 400) when the account belongs to no organisation.
    if ((error as { name?: string }).name === 'AWSOrganizationsNotInUseException')
      return { inOrganization: false };
    throw error;
  }
}

const LIVE_INSTANCES: DescribeInstancesCommandInput = {
  Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
};
const ALL_TRAILS: ListTrailsCommandInput = {};

/** The reads made in each region. */
function regionReads(pool: ClientPool, region: string) {
  const ec2 = pool.get(EC2Client, region);
  const events = pool.get(EventBridgeClient, region);
  return {
    guardDuty: read(`GuardDuty ListDetectors in ${region}`, async () => {
      const gd = pool.get(GuardDutyClient, region);
      const id = (await gd.send(new ListDetectorsCommand({}))).DetectorIds?.[0];
      if (!id) return 'none' as const;
      const d = await gd.send(new GetDetectorCommand({ DetectorId: id }));
      return d.Status === 'ENABLED' ? ('ENABLED' as const) : ('DISABLED' as const);
    }),
    analyzers: read(`Access Analyzer ListAnalyzers in ${region}`, async () =>
      ((await pool.get(AccessAnalyzerClient, region).send(new ListAnalyzersCommand({}))).analyzers ?? [])
        .filter((a) => a.status === 'ACTIVE')
        .map((a) => ({ arn: a.arn ?? '', name: a.name ?? '', type: a.type ?? '' })),
    ),
    metricFilters: read(`CloudWatch Logs DescribeMetricFilters in ${region}`, async () =>
      (
        (await pool.get(CloudWatchLogsClient, region).send(new DescribeMetricFiltersCommand({})))
          .metricFilters ?? []
      ).flatMap((f) =>
        (f.metricTransformations ?? []).map((t) => ({
          logGroup: f.logGroupName ?? '',
          name: f.filterName ?? '',
          pattern: f.filterPattern ?? '',
          metric: t.metricName ?? '',
          namespace: t.metricNamespace ?? '',
        })),
      ),
    ),
    alarms: read(`CloudWatch DescribeAlarms in ${region}`, async () =>
      ((await pool.get(CloudWatchClient, region).send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map(
        (a) => ({
          name: a.AlarmName ?? '',
          metric: a.MetricName ?? '',
          namespace: a.Namespace ?? '',
          actions: a.AlarmActions ?? [],
          enabled: a.ActionsEnabled !== false,
        }),
      ),
    ),
    eventRules: read(`EventBridge ListRules in ${region}`, async () => {
      const rules = (await events.send(new ListRulesCommand({}))).Rules ?? [];
      return Promise.all(
        rules.map(async (r) => ({
          name: r.Name ?? '',
          pattern: r.EventPattern ?? '',
          enabled: r.State === 'ENABLED',
          targets: ((await events.send(new ListTargetsByRuleCommand({ Rule: r.Name }))).Targets ?? []).length,
        })),
      );
    }),
    ebsEncryptionByDefault: read(`EC2 GetEbsEncryptionByDefault in ${region}`, async () =>
      Boolean((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault),
    ),
    metadataDefaultTokens: read(
      `EC2 GetInstanceMetadataDefaults in ${region}`,
      async () => (await ec2.send(new GetInstanceMetadataDefaultsCommand({}))).AccountLevel?.HttpTokens,
    ),
    instanceTokens: read(`EC2 DescribeInstances in ${region}`, async () =>
      (
        await collectAll({
          send: (input: DescribeInstancesCommandInput) => ec2.send(new DescribeInstancesCommand(input)),
          input: LIVE_INSTANCES,
          inputToken: 'NextToken',
          nextToken: (p) => p.NextToken,
          items: (p) => (p.Reservations ?? []).flatMap((r) => r.Instances ?? []),
        })
      ).map((i) => ({ id: i.InstanceId ?? '', httpTokens: i.MetadataOptions?.HttpTokens ?? 'optional' })),
    ),
  };
}

type RegionKey = keyof ReturnType<typeof regionReads>;
const REGION_KEYS: RegionKey[] = [
  'guardDuty',
  'analyzers',
  'metricFilters',
  'alarms',
  'eventRules',
  'ebsEncryptionByDefault',
  'metadataDefaultTokens',
  'instanceTokens',
];

/** Read everything the checks judge. Each read that AWS refuses becomes the reason its checks are not made. */
export async function gatherFacts(o: GatherOptions): Promise<AuditFacts> {
  const { pool, account } = o;
  const iam = pool.get(IAMClient, 'us-east-1');
  const done = <T>(what: string, p: Promise<T>) => p.finally(() => o.onRead?.(what));
  const [credentialReport, passwordPolicy, trails, buckets, org, pab] = await Promise.all([
    done(
      'credential report',
      read('IAM GenerateCredentialReport', () => fetchCredentialReport(iam, o.sleep)),
    ),
    done(
      'password policy',
      read(
        'IAM GetAccountPasswordPolicy',
        async () => {
          const p = (await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy;
          return {
            minimumLength: p?.MinimumPasswordLength ?? 0,
            reusePrevention: p?.PasswordReusePrevention,
          };
        },
        () => null,
      ),
    ),
    done(
      'trails',
      read('CloudTrail ListTrails', async () => {
        const ct = pool.get(CloudTrailClient);
        const listed = await collectAll({
          send: (input: ListTrailsCommandInput) => ct.send(new ListTrailsCommand(input)),
          input: ALL_TRAILS,
          inputToken: 'NextToken',
          nextToken: (p) => p.NextToken,
          items: (p) => p.Trails,
        });
        const facts = await Promise.all(
          listed.map((t) => trailFacts(pool, t.TrailARN ?? '', t.HomeRegion ?? pool.defaultRegion)),
        );
        return facts.filter((t): t is TrailFacts => t !== undefined);
      }),
    ),
    done(
      'buckets',
      read('S3 ListBuckets', async () =>
        ((await pool.get(S3Client).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? ''),
      ),
    ),
    done(
      'organization',
      read('Organizations DescribeOrganization', () => organization(pool, account)),
    ),
    done(
      'account public access block',
      read(
        'S3 Control GetPublicAccessBlock',
        async () => {
          const c = (
            await pool.get(S3ControlClient).send(new GetPublicAccessBlockCommand({ AccountId: account }))
          ).PublicAccessBlockConfiguration;
          return {
            BlockPublicAcls: c?.BlockPublicAcls === true,
            IgnorePublicAcls: c?.IgnorePublicAcls === true,
            BlockPublicPolicy: c?.BlockPublicPolicy === true,
            RestrictPublicBuckets: c?.RestrictPublicBuckets === true,
          };
        },
        () => null,
      ),
    ),
  ]);
  // Four regions at a time: each region makes eight reads at once.
  const limit = pLimit(4);
  const perRegion = await Promise.all(
    o.regions.map((region) =>
      limit(async () => {
        const reads = regionReads(pool, region);
        const values = await Promise.all(REGION_KEYS.map((k) => reads[k]));
        o.onRead?.(region);
        return Object.fromEntries(REGION_KEYS.map((k, i) => [k, values[i]]));
      }),
    ),
  );
  const byRegion = <K extends RegionKey>(key: K) =>
    Object.fromEntries(o.regions.map((r, i) => [r, perRegion[i]![key]])) as Record<
      string,
      Awaited<ReturnType<typeof regionReads>[K]>
    >;
  const analyzers = byRegion('analyzers');
  const analyzerFindings = await read('Access Analyzer ListFindings', async () =>
    (
      await Promise.all(
        Object.entries(analyzers).flatMap(([region, r]) =>
          r.ok
            ? r.value.map(async (a) =>
                (
                  (
                    await pool.get(AccessAnalyzerClient, region).send(
                      new ListFindingsCommand({
                        analyzerArn: a.arn,
                        filter: { status: { eq: ['ACTIVE'] } },
                      }),
                    )
                  ).findings ?? []
                ).map((f) => ({
                  resource: f.resource ?? '',
                  resourceType: f.resourceType ?? '',
                  principal: Object.values(f.principal ?? {}).join(','),
                  isPublic: f.isPublic === true,
                  region,
                })),
              )
            : [],
        ),
      )
    ).flat(),
  );
  return {
    account,
    now: o.now,
    regions: o.regions,
    credentialReport,
    passwordPolicy,
    trails,
    buckets,
    organization: org,
    accountPublicAccessBlock: pab,
    analyzerFindings,
    guardDuty: byRegion('guardDuty'),
    analyzers,
    metricFilters: byRegion('metricFilters'),
    alarms: byRegion('alarms'),
    eventRules: byRegion('eventRules'),
    ebsEncryptionByDefault: byRegion('ebsEncryptionByDefault'),
    metadataDefaultTokens: byRegion('metadataDefaultTokens'),
    instanceTokens: byRegion('instanceTokens'),
  };
}
