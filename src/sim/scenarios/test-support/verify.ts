import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { BedrockClient, GetFoundationModelAvailabilityCommand } from '@aws-sdk/client-bedrock';
import { GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import {
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import {
  GetOpenIDConnectProviderCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListVirtualMFADevicesCommand,
} from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { CloudTrailRecord } from '../../cloudtrail/model.js';
import type { RunningSim } from '../../index.js';
import type { Credentials } from '../types.js';
import type { LoadedScenario } from '../index.js';
import { W } from '../world.js';

const cfg = (sim: RunningSim, creds: Credentials, region = 'us-east-1') => ({
  region,
  endpoint: sim.endpoint,
  credentials: creds,
  maxAttempts: 1,
});

/** Every management event LookupEvents returns in a region for a time window (all pages). */
export async function lookupAll(
  sim: RunningSim,
  creds: Credentials,
  region: string,
  start: Date,
  end: Date,
): Promise<CloudTrailRecord[]> {
  const ct = new CloudTrailClient(cfg(sim, creds, region));
  const out: CloudTrailRecord[] = [];
  let token: string | undefined;
  do {
    const page = await ct.send(
      new LookupEventsCommand({ StartTime: start, EndTime: end, MaxResults: 50, NextToken: token }),
    );
    for (const e of page.Events ?? []) out.push(JSON.parse(e.CloudTrailEvent!) as CloudTrailRecord);
    token = page.NextToken;
  } while (token);
  return out;
}

/** Every record of every trail file delivered to the trail bucket (read through the S3 API). */
export async function deliveredRecords(sim: RunningSim, creds: Credentials): Promise<CloudTrailRecord[]> {
  const s3 = new S3Client({ ...cfg(sim, creds), forcePathStyle: true });
  const records: CloudTrailRecord[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: W.trailBucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const obj = await s3.send(new GetObjectCommand({ Bucket: W.trailBucket, Key: o.Key }));
      const body = Buffer.from(await obj.Body!.transformToByteArray());
      records.push(
        ...(JSON.parse(gunzipSync(body).toString('utf8')) as { Records: CloudTrailRecord[] }).Records,
      );
    }
    token = page.NextContinuationToken;
  } while (token);
  return records;
}

/**
 * Check a loaded scenario's truth against the account: the attacker's events against
 * LookupEvents and the delivered trail files, then every created resource, touched datum,
 * derived session, the cost and the GuardDuty findings against the APIs.
 */
export async function verifyTruth(
  sim: RunningSim,
  loaded: LoadedScenario,
): Promise<{ lookedUp: CloudTrailRecord[]; delivered: CloudTrailRecord[] }> {
  const { truth, responderCredentials: responder } = loaded;
  const ips = new Set(truth.attacker.ips);
  const victimEvents = truth.attackerEvents.filter((e) => e.accountId === truth.accountId);
  const all = sim.state.accountOrThrow(truth.accountId).cloudtrail.events;
  const byId = new Map(all.map((r) => [r.eventID, r]));
  for (const e of victimEvents) {
    const r = byId.get(e.eventId);
    expect(r, `event ${e.eventId} ${e.eventName}`).toBeDefined();
    expect(ips.has(r!.sourceIPAddress)).toBe(true);
    expect(truth.attacker.userAgents).toContain(r!.userAgent);
  }
  // Nothing else in the account comes from the attacker's addresses.
  expect(
    all
      .filter((r) => ips.has(r.sourceIPAddress))
      .map((r) => r.eventID)
      .sort(),
  ).toEqual(victimEvents.map((e) => e.eventId).sort());

  const start = truth.attackStart
    ? new Date(Date.parse(truth.attackStart) - 60_000)
    : new Date(truth.historyStart);
  const end = new Date(Date.parse(truth.end) + 60_000);
  const regions = new Set(['us-east-1', ...victimEvents.map((e) => e.region)]);
  const lookedUp: CloudTrailRecord[] = [];
  for (const region of regions) {
    const events = (await lookupAll(sim, responder, region, start, end)).filter((r) =>
      ips.has(r.sourceIPAddress),
    );
    lookedUp.push(...events);
    const expected = victimEvents.filter(
      (e) => e.region === region && byId.get(e.eventId)!.eventCategory === 'Management',
    );
    expect(events.map((r) => r.eventID).sort(), `LookupEvents in ${region}`).toEqual(
      expected.map((e) => e.eventId).sort(),
    );
  }

  const delivered = (await deliveredRecords(sim, responder)).filter((r) => ips.has(r.sourceIPAddress));
  const truthIds = new Set(victimEvents.map((e) => e.eventId));
  for (const r of delivered)
    expect(truthIds.has(r.eventID), `delivered ${r.eventName} is in the truth`).toBe(true);
  // Before the attacker touched logging, every event in the trail's scope reached the bucket.
  const firstTamper =
    victimEvents.find((e) => ['PutEventSelectors', 'StopLogging', 'DeleteTrail'].includes(e.eventName))
      ?.time ?? '9999';
  const deliveredIds = new Set(delivered.map((r) => r.eventID));
  for (const e of victimEvents) {
    const r = byId.get(e.eventId)!;
    const inScope = e.region === 'us-east-1' && r.eventCategory === 'Management';
    if (inScope && e.time < firstTamper)
      expect(deliveredIds.has(e.eventId), `${e.eventName} ${e.eventId} delivered`).toBe(true);
  }

  await verifyResources(sim, loaded);
  for (const d of truth.dataTouched) {
    const needle =
      d.kind === 's3-object'
        ? d.resource.split(':::')[1]!.split('/').slice(1).join('/')
        : d.resource.split(/[:/]/).pop()!;
    const touched = victimEvents.some((e) =>
      JSON.stringify(byId.get(e.eventId)!.requestParameters ?? {}).includes(needle),
    );
    expect(touched, `data touched: ${d.resource}`).toBe(true);
  }

  for (const s of truth.derivedSessions) {
    const creds = loaded.attackerSessions[s.accessKeyId]!;
    const id = await new STSClient(cfg(sim, creds)).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(s.arn);
  }

  if (truth.cost.instances.length) {
    const ce = new CostExplorerClient(cfg(sim, responder));
    const types = new Set(truth.cost.instances.map((i) => i.instanceType));
    const day = (t: number) => new Date(t).toISOString().slice(0, 10);
    const answer = await ce.send(
      new GetCostAndUsageCommand({
        TimePeriod: {
          Start: day(Date.parse(truth.attackStart!)),
          End: day(Date.parse(truth.end) + 86_400_000),
        },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
        GroupBy: [{ Type: 'DIMENSION', Key: 'INSTANCE_TYPE' }],
      }),
    );
    const attackerCost = (answer.ResultsByTime ?? [])
      .flatMap((r) => r.Groups ?? [])
      .filter((g) => types.has(g.Keys![0]!))
      .reduce((sum, g) => sum + Number(g.Metrics!.UnblendedCost!.Amount), 0);
    expect(Math.abs(attackerCost - truth.cost.usd) / truth.cost.usd).toBeLessThan(0.01);
  }

  for (const f of truth.guardDutyFindings) {
    const gd = new GuardDutyClient(cfg(sim, responder, f.region));
    const [detectorId] = (await gd.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
    const ids = (await gd.send(new ListFindingsCommand({ DetectorId: detectorId! }))).FindingIds ?? [];
    expect(ids).toContain(f.id);
    const [finding] =
      (await gd.send(new GetFindingsCommand({ DetectorId: detectorId!, FindingIds: [f.id] }))).Findings ?? [];
    expect(finding?.Type).toBe(f.type);
  }
  return { lookedUp, delivered };
}

/** Every created resource is there, read through its service's API. */
async function verifyResources(sim: RunningSim, loaded: LoadedScenario): Promise<void> {
  const creds = loaded.responderCredentials;
  const iam = new IAMClient(cfg(sim, creds));
  for (const r of loaded.truth.resourcesCreated) {
    const region = r.region ?? 'us-east-1';
    switch (r.type) {
      case 'AWS::EC2::Instance': {
        const out = await new EC2Client(cfg(sim, creds, region)).send(
          new DescribeInstancesCommand({ InstanceIds: [r.id] }),
        );
        expect(out.Reservations?.[0]?.Instances?.[0]?.State?.Name).toMatch(/pending|running/);
        break;
      }
      case 'AWS::EC2::SecurityGroup':
        expect(
          (
            await new EC2Client(cfg(sim, creds, region)).send(
              new DescribeSecurityGroupsCommand({ GroupIds: [r.id] }),
            )
          ).SecurityGroups,
        ).toHaveLength(1);
        break;
      case 'AWS::EC2::KeyPair':
        expect(
          (
            await new EC2Client(cfg(sim, creds, region)).send(
              new DescribeKeyPairsCommand({ KeyNames: [r.id] }),
            )
          ).KeyPairs,
        ).toHaveLength(1);
        break;
      case 'AWS::IAM::User':
        expect((await iam.send(new GetUserCommand({ UserName: r.id }))).User?.UserName).toBe(r.id);
        break;
      case 'AWS::IAM::AccessKey': {
        const owner = /for (?:existing admin )?(\S+)/.exec(r.detail ?? '')?.[1] ?? '';
        const keys = (await iam.send(new ListAccessKeysCommand({ UserName: owner }))).AccessKeyMetadata ?? [];
        expect(keys.map((k) => k.AccessKeyId)).toContain(r.id);
        break;
      }
      case 'AWS::IAM::OIDCProvider':
        expect(
          (await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: r.id }))).Url,
        ).toBeDefined();
        break;
      case 'AWS::IAM::VirtualMFADevice': {
        const devices = (await iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices ?? [];
        expect(devices.map((d) => d.SerialNumber)).toContain(r.id);
        break;
      }
      case 'AWS::Lambda::Function':
        expect(
          (
            await new LambdaClient(cfg(sim, creds, region)).send(
              new GetFunctionCommand({ FunctionName: r.id }),
            )
          ).Configuration?.FunctionArn,
        ).toBe(r.id);
        break;
      case 'AWS::S3::Object': {
        const [bucket, ...key] = r.id.split(':::')[1]!.split('/');
        const s3 = new S3Client({ ...cfg(sim, creds), forcePathStyle: true });
        expect(
          (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key.join('/') }))).ContentLength,
        ).toBeGreaterThan(0);
        break;
      }
      case 'AWS::SSM::Parameter':
        expect(
          (await new SSMClient(cfg(sim, creds, region)).send(new GetParameterCommand({ Name: r.id })))
            .Parameter?.Name,
        ).toBe(r.id);
        break;
      case 'AWS::SecretsManager::Secret':
        expect(
          (
            await new SecretsManagerClient(cfg(sim, creds, region)).send(
              new DescribeSecretCommand({ SecretId: r.id }),
            )
          ).ARN,
        ).toBe(r.id);
        break;
      case 'AWS::SES::EmailIdentity':
        expect(
          await new SESv2Client(cfg(sim, creds, region)).send(
            new GetEmailIdentityCommand({ EmailIdentity: r.id }),
          ),
        ).toMatchObject({ VerifiedForSendingStatus: true });
        break;
      case 'AWS::Bedrock::FoundationModelAgreement':
        expect(
          await new BedrockClient(cfg(sim, creds, region)).send(
            new GetFoundationModelAvailabilityCommand({ modelId: r.id }),
          ),
        ).toMatchObject({
          agreementAvailability: { status: 'AVAILABLE' },
          authorizationStatus: 'AUTHORIZED',
        });
        break;
      case 'AWS::RDS::DBSnapshot':
        expect(
          (
            await new RDSClient(cfg(sim, creds, region)).send(
              new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: r.id }),
            )
          ).DBSnapshots?.[0]?.Status,
        ).toBe('available');
        break;
      case 'AWS::KMS::Key':
        expect(
          (await new KMSClient(cfg(sim, creds, region)).send(new DescribeKeyCommand({ KeyId: r.id })))
            .KeyMetadata?.Arn,
        ).toBe(r.id);
        break;
      default:
        throw new Error(`no check for created ${r.type}`);
    }
  }
}
