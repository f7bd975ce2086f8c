import { gunzipSync } from 'node:zlib';
import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../../index.js';
import { sdkConfig, type Creds } from '../../test-support/aws.js';

let sim: RunningSim;
let admin: Creds;

beforeAll(async () => {
  sim = await startSim({ seed: 11, clock: new SimClock({ start: '2026-05-01T09:30:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
});

afterAll(async () => {
  await sim.stop();
});

describe('trail delivery into S3', () => {
  it('writes gzipped log files into the trail bucket, with S3 data events only for selected buckets', async () => {
    const s3 = new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true });
    const cloudtrail = new CloudTrailClient(sdkConfig(sim, admin));
    for (const bucket of ['trail-logs', 'watched', 'unwatched'])
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await cloudtrail.send(
      new CreateTrailCommand({ Name: 'org', S3BucketName: 'trail-logs', IsMultiRegionTrail: true }),
    );
    await cloudtrail.send(
      new PutEventSelectorsCommand({
        TrailName: 'org',
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: true,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::watched/'] }],
          },
        ],
      }),
    );
    await cloudtrail.send(new StartLoggingCommand({ Name: 'org' }));
    await s3.send(new PutObjectCommand({ Bucket: 'watched', Key: 'a.txt', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket: 'unwatched', Key: 'b.txt', Body: 'b' }));
    sim.clock.advance(5 * 60_000);
    sim.deliverTrails();

    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: 'trail-logs', Prefix: `AWSLogs/${VICTIM_ACCOUNT}/CloudTrail/` }),
    );
    const keys = listed.Contents!.map((o) => o.Key!);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(
      new RegExp(
        `^AWSLogs/${VICTIM_ACCOUNT}/CloudTrail/us-east-1/2026/05/01/${VICTIM_ACCOUNT}_CloudTrail_us-east-1_20260501T0935Z_\\w{16}\\.json\\.gz$`,
      ),
    );
    const file = await s3.send(new GetObjectCommand({ Bucket: 'trail-logs', Key: keys[0]! }));
    const records = (
      JSON.parse(gunzipSync(await file.Body!.transformToByteArray()).toString()) as {
        Records: {
          eventName: string;
          eventCategory: string;
          requestParameters: { bucketName?: string } | null;
        }[];
      }
    ).Records;
    const puts = records.filter((r) => r.eventName === 'PutObject');
    expect(puts.map((r) => [r.requestParameters?.bucketName, r.eventCategory])).toEqual([
      ['watched', 'Data'],
    ]);
    expect(records.some((r) => r.eventName === 'StartLogging')).toBe(true);
  });
});
