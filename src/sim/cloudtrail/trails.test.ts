import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { createUserWithKey } from '../services/iam/entities.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { runAws, runShell, sdkConfig, type Creds } from '../test-support/aws.js';
import type { CloudTrailRecord } from './model.js';

let sim: RunningSim;
let admin: Creds;
const FIVE_MIN = 5 * 60_000;
const ct = () => new CloudTrailClient(sdkConfig(sim, admin));
const s3 = () => new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true });
const FILE = new RegExp(
  `^AWSLogs/${VICTIM_ACCOUNT}/CloudTrail/([a-z0-9-]+)/(\\d{4})/(\\d{2})/(\\d{2})/${VICTIM_ACCOUNT}_CloudTrail_\\1_\\2\\3\\4T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`,
);

async function trailKeys(): Promise<string[]> {
  const r = await s3().send(new ListObjectsV2Command({ Bucket: 'org-trail', Prefix: 'AWSLogs/' }));
  return (r.Contents ?? []).map((o) => o.Key!);
}

async function recordsIn(key: string): Promise<CloudTrailRecord[]> {
  const r = await s3().send(new GetObjectCommand({ Bucket: 'org-trail', Key: key }));
  const body = Buffer.from(await r.Body!.transformToByteArray());
  return (JSON.parse(gunzipSync(body).toString('utf8')) as { Records: CloudTrailRecord[] }).Records;
}

beforeAll(async () => {
  sim = await startSim({
    seed: 'trails',
    clock: new SimClock({ start: '2026-02-02T08:00:00Z', frozen: true }),
    lookupEventsPerSecond: 100,
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  await s3().send(new CreateBucketCommand({ Bucket: 'org-trail' }));
  await s3().send(new CreateBucketCommand({ Bucket: 'crown-jewels' }));
});
afterAll(() => sim.stop());

describe('trails', () => {
  it('creates, describes, starts and reports a trail; a missing bucket is refused', async () => {
    await expect(
      ct().send(new CreateTrailCommand({ Name: 'main', S3BucketName: 'no-such-bucket' })),
    ).rejects.toMatchObject({ name: 'S3BucketDoesNotExistException' });
    const created = await ct().send(
      new CreateTrailCommand({ Name: 'main', S3BucketName: 'org-trail', IsMultiRegionTrail: true }),
    );
    expect(created.TrailARN).toBe(`arn:aws:cloudtrail:us-east-1:${VICTIM_ACCOUNT}:trail/main`);
    await expect(
      ct().send(new CreateTrailCommand({ Name: 'main', S3BucketName: 'org-trail' })),
    ).rejects.toMatchObject({ name: 'TrailAlreadyExistsException' });
    const described = await new CloudTrailClient(sdkConfig(sim, admin, 'eu-west-1')).send(
      new DescribeTrailsCommand({}),
    );
    expect(described.trailList).toMatchObject([
      { Name: 'main', HomeRegion: 'us-east-1', IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true },
    ]);
    expect((await ct().send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging).toBe(false);
    await ct().send(new StartLoggingCommand({ Name: 'main' }));
    expect(await ct().send(new GetTrailStatusCommand({ Name: 'main' }))).toMatchObject({
      IsLogging: true,
      StartLoggingTime: new Date('2026-02-02T08:00:00Z'),
    });
  });

  it('after update-access-key Inactive the key fails with InvalidClientTokenId; both calls are in LookupEvents and in a delivered file with the same eventIDs (zcat | jq)', async () => {
    const iam = new IAMClient(sdkConfig(sim, admin));
    await iam.send(new CreateUserCommand({ UserName: 'ci-bot' }));
    const created = await iam.send(new CreateAccessKeyCommand({ UserName: 'ci-bot' }));
    const leaked = {
      accessKeyId: created.AccessKey!.AccessKeyId!,
      secretAccessKey: created.AccessKey!.SecretAccessKey!,
    };

    const deactivate = await runAws(sim, admin, [
      'iam',
      'update-access-key',
      '--user-name',
      'ci-bot',
      '--access-key-id',
      leaked.accessKeyId,
      '--status',
      'Inactive',
    ]);
    expect(deactivate).toMatchObject({ code: 0, stderr: '' });
    const refused = await runAws(sim, leaked, ['sts', 'get-caller-identity']);
    expect(refused.code).toBe(254);
    expect(refused.stderr).toContain(
      'An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation',
    );

    const update = (
      await ct().send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'UpdateAccessKey' }],
        }),
      )
    ).Events!;
    const attempt = (
      await ct().send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: leaked.accessKeyId }],
        }),
      )
    ).Events!;
    expect(update).toHaveLength(1);
    expect(attempt).toHaveLength(1);
    expect(JSON.parse(attempt[0]!.CloudTrailEvent!)).toMatchObject({
      errorCode: 'InvalidClientTokenId',
      eventName: 'GetCallerIdentity',
      userIdentity: { type: 'IAMUser', userName: 'ci-bot', accessKeyId: leaked.accessKeyId },
    });
    expect(JSON.parse(update[0]!.CloudTrailEvent!)).toMatchObject({
      requestParameters: { userName: 'ci-bot', accessKeyId: leaked.accessKeyId, status: 'Inactive' },
      responseElements: null,
      userAgent: expect.stringMatching(/^aws-cli\/2\./) as unknown,
    });

    // Nothing is delivered before 5 simulated minutes have passed since logging started.
    sim.deliverTrails();
    expect(await trailKeys()).toEqual([]);
    sim.clock.advance(FIVE_MIN);
    sim.deliverTrails();
    const keys = await trailKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toMatch(FILE);
    expect(keys.some((k) => k.includes('_CloudTrail_us-east-1_20260202T0805Z_'))).toBe(true);

    const ids = await runShell(
      sim,
      admin,
      `for k in $($AWS s3api list-objects-v2 --bucket org-trail --query 'Contents[].Key' --output text); do $AWS s3 cp "s3://org-trail/$k" - | zcat | jq -r '.Records[].eventID'; done`,
    );
    expect(ids.code).toBe(0);
    expect(ids.stdout.split('\n')).toEqual(expect.arrayContaining([update[0]!.EventId, attempt[0]!.EventId]));
  });

  it('delivers at most every 5 minutes and nothing while logging is stopped', async () => {
    const before = (await trailKeys()).length;
    await s3().send(new PutObjectCommand({ Bucket: 'crown-jewels', Key: 'a.txt', Body: 'x' })); // recorded in the history
    sim.clock.advance(60_000);
    sim.deliverTrails();
    expect((await trailKeys()).length).toBe(before); // last delivery was 1 minute ago
    await ct().send(new StopLoggingCommand({ Name: 'main' }));
    const stoppedAt = (await trailKeys()).length;
    await new IAMClient(sdkConfig(sim, admin)).send(new CreateUserCommand({ UserName: 'unseen' }));
    sim.clock.advance(FIVE_MIN);
    sim.deliverTrails();
    const afterStop = await trailKeys();
    // The file written at the next tick may still carry records made before StopLogging, never later ones.
    for (const k of afterStop.slice(stoppedAt)) {
      expect(
        (await recordsIn(k)).some(
          (r) => (r.requestParameters as { userName?: string } | null)?.userName === 'unseen',
        ),
      ).toBe(false);
    }
    expect((await ct().send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging).toBe(false);
  });

  it('S3 data events go to the trail only when the event selectors ask, never to LookupEvents', async () => {
    const put = await ct().send(
      new PutEventSelectorsCommand({
        TrailName: 'main',
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::crown-jewels/'] }],
          },
        ],
      }),
    );
    expect(put.EventSelectors![0]!.DataResources).toEqual([
      { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::crown-jewels/'] },
    ]);
    expect(
      (await ct().send(new GetEventSelectorsCommand({ TrailName: 'main' }))).EventSelectors,
    ).toHaveLength(1);
    await ct().send(new StartLoggingCommand({ Name: 'main' }));
    const seen = new Set(await trailKeys());
    await s3().send(new GetObjectCommand({ Bucket: 'crown-jewels', Key: 'a.txt' }));
    sim.clock.advance(FIVE_MIN);
    sim.deliverTrails();
    const fresh = (await trailKeys()).filter((k) => !seen.has(k));
    const records = (await Promise.all(fresh.map(recordsIn))).flat();
    const get = records.find((r) => r.eventName === 'GetObject');
    expect(get).toMatchObject({
      eventCategory: 'Data',
      managementEvent: false,
      readOnly: true,
      resources: expect.arrayContaining([
        expect.objectContaining({ ARN: 'arn:aws:s3:::crown-jewels/a.txt', type: 'AWS::S3::Object' }),
      ]) as unknown,
    });
    // The PutObject made before the selector asked for data events was not delivered.
    expect(records.some((r) => r.eventName === 'PutObject')).toBe(false);
    const history = await ct().send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }],
      }),
    );
    expect(history.Events!.map((e) => e.EventName)).not.toContain('GetObject');
    await ct().send(new DeleteTrailCommand({ Name: 'main' }));
    expect((await ct().send(new DescribeTrailsCommand({}))).trailList).toEqual([]);
  });

  it('lays weeks of simulated history down as 5-minute files stamped at the end of each window', async () => {
    await ct().send(
      new CreateTrailCommand({ Name: 'history', S3BucketName: 'org-trail', S3KeyPrefix: 'hist' }),
    );
    await ct().send(new StartLoggingCommand({ Name: 'history' }));
    const iam = new IAMClient(sdkConfig(sim, admin));
    sim.clock.set('2026-03-01T10:02:30Z');
    await iam.send(new CreateUserCommand({ UserName: 'week-1' }));
    sim.clock.set('2026-03-15T14:07:10Z');
    await iam.send(new CreateUserCommand({ UserName: 'week-3' }));
    sim.clock.set('2026-03-15T14:20:00Z');
    sim.deliverTrails();
    const listed = await s3().send(
      new ListObjectsV2Command({ Bucket: 'org-trail', Prefix: 'hist/AWSLogs/' }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys.some((k) => /\/2026\/03\/01\/\d+_CloudTrail_us-east-1_20260301T1005Z_/.test(k))).toBe(true);
    expect(keys.some((k) => /\/2026\/03\/15\/\d+_CloudTrail_us-east-1_20260315T1410Z_/.test(k))).toBe(true);
    const status = await ct().send(new GetTrailStatusCommand({ Name: 'history' }));
    expect(status.LatestDeliveryTime).toEqual(new Date('2026-03-15T14:10:00Z'));
  });
});
