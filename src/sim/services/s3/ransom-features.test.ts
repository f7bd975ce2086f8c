import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  CloudTrailClient,
  CreateTrailCommand,
  GetEventSelectorsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../../index.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';

let sim: RunningSim;
let admin: Creds;
let s3: S3Client;
// 32 ASCII characters: the CLI takes the key itself and base64-encodes it, the SDK takes base64.
const KEY = Buffer.from(randomBytes(16).toString('hex'));
const OTHER_KEY = Buffer.from(randomBytes(16).toString('hex'));
const sseC = (key: Buffer) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64') });
const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');

beforeAll(async () => {
  sim = await startSim({ seed: 1515, clock: new SimClock({ start: '2026-05-01T09:30:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  s3 = new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true });
  for (const Bucket of ['trail-logs', 'kept', 'plain']) await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(() => sim.stop());

const body = async (out: { Body?: { transformToString(): Promise<string> } }) =>
  out.Body!.transformToString();
/** `/usr/bin/aws` with the responder's key; arguments split on spaces. */
const aws = (line: string) => runAws(sim, admin, line.split(' '));
const records = (name: string) =>
  sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events.filter((e) => e.eventName === name);

describe('S3 SSE-C, versions, lifecycle and data events', () => {
  it('encrypts with a customer key: reads need the same key, S3 keeps only its MD5', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'a.txt', Body: 'secret', ...sseC(KEY) }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'a.txt', ...sseC(KEY) }));
    expect(head.SSECustomerKeyMD5).toBe(md5(KEY));
    expect(
      await body(await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'a.txt', ...sseC(KEY) }))),
    ).toBe('secret');
    await expect(s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'a.txt' }))).rejects.toMatchObject({
      name: 'InvalidRequest',
      message: expect.stringContaining('stored using a form of Server Side Encryption') as string,
    });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'a.txt', ...sseC(OTHER_KEY) })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    // The key is never kept nor recorded: only its MD5, and the algorithm in CloudTrail.
    const saved = JSON.stringify(sim.state.accountOrThrow(VICTIM_ACCOUNT));
    expect(saved).not.toContain(KEY.toString('base64'));
    const put = records('PutObject').at(-1)!;
    expect(put.requestParameters).toMatchObject({
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    });
    expect(put.additionalEventData).toMatchObject({ SSEApplied: 'SSE_C' });
    expect(put.eventCategory).toBe('Data');

    // The Debian CLI: a GET without the key fails, with it the bytes come back; a copy onto itself re-keys.
    const cliKey = randomBytes(16).toString('hex');
    const noKey = await aws(`s3api get-object --bucket plain --key a.txt /dev/null`);
    expect(noKey.code).not.toBe(0);
    expect(noKey.stderr).toContain('InvalidRequest');
    const recrypt = await aws(
      `s3api copy-object --bucket plain --key a.txt --copy-source plain/a.txt --copy-source-sse-customer-algorithm AES256 --copy-source-sse-customer-key ${KEY.toString()} --sse-customer-algorithm AES256 --sse-customer-key ${cliKey}`,
    );
    expect(recrypt.stderr).toBe('');
    const out = join(mkdtempSync(join(tmpdir(), 'tq-ssec-')), 'a.txt');
    const read = await aws(
      `s3api get-object --bucket plain --key a.txt --sse-customer-algorithm AES256 --sse-customer-key ${cliKey} ${out}`,
    );
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ SSECustomerAlgorithm: 'AES256' });
    expect(readFileSync(out, 'utf8')).toBe('secret');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'a.txt', ...sseC(KEY) })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('keeps versions: the overwritten bytes come back by version id, a delete leaves a marker', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: 'kept', Key: 'before.txt', Body: 'from before versioning' }),
    );
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: 'kept', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'doc.txt', Body: 'original' }));
    await s3.send(
      new CopyObjectCommand({ Bucket: 'kept', Key: 'doc.txt', CopySource: 'kept/doc.txt', ...sseC(KEY) }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'kept', Key: 'before.txt', Body: 'overwritten', ...sseC(KEY) }),
    );
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: 'kept' }));
    expect(listed.Versions?.map((v) => [v.Key, v.IsLatest])).toEqual([
      ['before.txt', true],
      ['before.txt', false],
      ['doc.txt', true],
      ['doc.txt', false],
    ]);
    expect(listed.Versions?.[1]?.VersionId).toBe('null');
    const old = await s3.send(
      new GetObjectCommand({ Bucket: 'kept', Key: 'doc.txt', VersionId: v1.VersionId }),
    );
    expect(await body(old)).toBe('original');
    // Restoring = copying the earlier version over the latest.
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'kept',
        Key: 'doc.txt',
        CopySource: `kept/doc.txt?versionId=${v1.VersionId}`,
      }),
    );
    expect(await body(await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'doc.txt' })))).toBe(
      'original',
    );
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'kept', Key: 'doc.txt' }));
    expect(del.DeleteMarker).toBe(true);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'doc.txt' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await s3.send(new DeleteObjectCommand({ Bucket: 'kept', Key: 'doc.txt', VersionId: del.VersionId }));
    expect(await body(await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'doc.txt' })))).toBe(
      'original',
    );
    const cli = await aws(`s3api list-object-versions --bucket kept --prefix doc`);
    expect(cli.code, cli.stderr).toBe(0);
    expect((JSON.parse(cli.stdout) as { Versions: unknown[] }).Versions).toHaveLength(3);
  });

  it('stores lifecycle rules (recorded as PutBucketLifecycle) and expires objects on the simulated clock', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'old.txt', Body: 'x' }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: 'plain',
        LifecycleConfiguration: {
          Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 7 } }],
        },
      }),
    );
    const got = await aws(`s3api get-bucket-lifecycle-configuration --bucket plain`);
    expect(JSON.parse(got.stdout)).toMatchObject({
      Rules: [{ ID: 'expire', Status: 'Enabled', Expiration: { Days: 7 } }],
    });
    const put = records('PutBucketLifecycle').at(-1)!;
    expect(put.eventCategory).toBe('Management');
    expect(put.requestParameters).toMatchObject({
      LifecycleConfiguration: { Rule: { Expiration: { Days: 7 } } },
    });
    sim.clock.advance(8 * 86_400_000);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'plain' }));
    expect(left.Contents ?? []).toEqual([]);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: 'plain' }));
    await expect(
      s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'plain' })),
    ).rejects.toMatchObject({
      name: 'NoSuchLifecycleConfiguration',
    });
  });

  it('delivers object-level data events only for the buckets the advanced selectors name', async () => {
    const ct = new CloudTrailClient(sdkConfig(sim, admin));
    await ct.send(
      new CreateTrailCommand({ Name: 'main', S3BucketName: 'trail-logs', IsMultiRegionTrail: true }),
    );
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: 'main',
        AdvancedEventSelectors: [
          { Name: 'management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
          {
            Name: 'kept objects',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::kept/'] },
            ],
          },
        ],
      }),
    );
    await ct.send(new StartLoggingCommand({ Name: 'main' }));
    const selectors = await aws(`cloudtrail get-event-selectors --trail-name main`);
    expect(JSON.parse(selectors.stdout)).toHaveProperty('AdvancedEventSelectors');
    expect(
      (await ct.send(new GetEventSelectorsCommand({ TrailName: 'main' }))).EventSelectors,
    ).toBeUndefined();
    await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'seen.txt', Body: 's', ...sseC(KEY) }));
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'unseen.txt', Body: 'u' }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: 'plain', VersioningConfiguration: { Status: 'Suspended' } }),
    );
    sim.clock.advance(5 * 60_000);
    sim.deliverTrails({ force: true });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'trail-logs', Prefix: 'AWSLogs/' }));
    const delivered: { eventName: string; requestParameters?: { key?: string } }[] = [];
    for (const { Key } of listed.Contents ?? []) {
      const file = await s3.send(new GetObjectCommand({ Bucket: 'trail-logs', Key }));
      const parsed = JSON.parse(gunzipSync(await file.Body!.transformToByteArray()).toString()) as {
        Records: typeof delivered;
      };
      delivered.push(...parsed.Records);
    }
    const names = delivered.map((r) => `${r.eventName}:${r.requestParameters?.key ?? ''}`);
    expect(names).toContain('PutObject:seen.txt');
    expect(names).not.toContain('PutObject:unseen.txt');
    expect(names).toContain('PutBucketVersioning:');
  });
});
