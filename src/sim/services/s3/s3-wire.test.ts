import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXTERNAL_ACCOUNT,
  SimClock,
  VICTIM_ACCOUNT,
  createUserWithKey,
  startSim,
  type RunningSim,
} from '../../index.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';
import { SERVICES } from '../index.js';
import { s3Service } from './index.js';

const ADMIN = ['arn:aws:iam::aws:policy/AdministratorAccess'];
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

let sim: RunningSim;
let admin: Creds;
let outsider: Creds;

beforeAll(async () => {
  // Serve S3 explicitly so this suite does not depend on the shared service list.
  const services = [
    ...SERVICES.filter((s) => s.signingName !== 's3'),
    s3Service as (typeof SERVICES)[number],
  ];
  sim = await startSim({
    seed: 5,
    services,
    clock: new SimClock({ start: '2026-05-01T09:30:00Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: ADMIN }).key;
  outsider = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'mallory', { managedPolicies: ADMIN }).key;
});

afterAll(async () => {
  await sim.stop();
});

function s3(creds: Creds, region = 'us-east-1', pathStyle = true): S3Client {
  return new S3Client({ ...sdkConfig(sim, creds, region), forcePathStyle: pathStyle });
}

async function errorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  throw new Error('expected an S3 error');
}

function lastEvent(account: string, name: string) {
  return sim.state
    .accountOrThrow(account)
    .cloudtrail.events.filter((e) => e.eventName === name)
    .at(-1);
}

/** Resolve every host (`<bucket>.localhost`) to 127.0.0.1: glibc does not resolve `*.localhost`. */
const loopbackLookup = {
  lookup: (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  },
} as AgentOptions;

describe('S3 over the wire (JS SDK)', () => {
  it('creates buckets, stores objects with the SDK default checksums and reads them back', async () => {
    const client = s3(admin);
    await client.send(new CreateBucketCommand({ Bucket: 'victim-data' }));
    await s3(admin, 'eu-west-1').send(
      new CreateBucketCommand({
        Bucket: 'victim-eu',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const again = await errorOf(
      s3(admin, 'eu-west-1').send(
        new CreateBucketCommand({
          Bucket: 'victim-eu',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    );
    expect(again.name).toBe('BucketAlreadyOwnedByYou');
    const taken = await errorOf(s3(outsider).send(new CreateBucketCommand({ Bucket: 'victim-data' })));
    expect(taken.name).toBe('BucketAlreadyExists');

    const put = await client.send(
      new PutObjectCommand({ Bucket: 'victim-data', Key: 'db/dump 1.sql', Body: 'secret rows' }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update('secret rows').digest('hex')}"`);
    expect(put.ChecksumCRC32).toBeDefined();
    const got = await client.send(
      new GetObjectCommand({ Bucket: 'victim-data', Key: 'db/dump 1.sql', ChecksumMode: 'ENABLED' }),
    );
    expect(await got.Body!.transformToString()).toBe('secret rows');
    expect(got.LastModified).toEqual(new Date('2026-05-01T09:30:00Z'));
    const head = await client.send(new HeadObjectCommand({ Bucket: 'victim-data', Key: 'db/dump 1.sql' }));
    expect(head.ContentLength).toBe(11);
    const missing = await errorOf(client.send(new GetObjectCommand({ Bucket: 'victim-data', Key: 'nope' })));
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    const noBucket = await errorOf(client.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket-here' })));
    expect(noBucket.name).toBe('NoSuchBucket');

    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: 'victim-data', Prefix: 'db/', Delimiter: '/' }),
    );
    expect(listed.Contents!.map((o) => [o.Key, o.Size])).toEqual([['db/dump 1.sql', 11]]);
    const buckets = await client.send(new ListBucketsCommand({}));
    expect(buckets.Buckets!.map((b) => [b.Name, b.BucketRegion])).toEqual([
      ['victim-data', 'us-east-1'],
      ['victim-eu', 'eu-west-1'],
    ]);
    const location = await client.send(new GetBucketLocationCommand({ Bucket: 'victim-eu' }));
    expect(location.LocationConstraint).toBe('eu-west-1');

    const notEmpty = await errorOf(client.send(new DeleteBucketCommand({ Bucket: 'victim-data' })));
    expect([notEmpty.name, notEmpty.$metadata.httpStatusCode]).toEqual(['BucketNotEmpty', 409]);

    const putEvent = lastEvent(VICTIM_ACCOUNT, 'PutObject')!;
    expect(putEvent).toMatchObject({
      eventCategory: 'Data',
      managementEvent: false,
      requestParameters: {
        bucketName: 'victim-data',
        key: 'db/dump 1.sql',
        Host: 'victim-data.s3.amazonaws.com',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::victim-data/db/dump 1.sql' },
        { type: 'AWS::S3::Bucket' },
      ],
    });
    expect(lastEvent(VICTIM_ACCOUNT, 'CreateBucket')).toMatchObject({
      eventCategory: 'Management',
      readOnly: false,
    });
    const downloads = sim.state
      .accountOrThrow(VICTIM_ACCOUNT)
      .cloudtrail.events.filter((e) => e.eventName === 'GetObject' && !e.errorCode);
    expect(downloads.at(-1)!.additionalEventData).toMatchObject({
      SignatureVersion: 'SigV4',
      AuthenticationMethod: 'AuthHeader',
      bytesTransferredOut: 11,
    });
  });

  it('answers virtual-host style requests', async () => {
    const client = new S3Client({
      ...sdkConfig(sim, admin),
      endpoint: sim.endpoint.replace('127.0.0.1', 'localhost'),
      forcePathStyle: false,
      requestHandler: { httpAgent: new Agent(loopbackLookup) },
    });
    await client.send(new PutObjectCommand({ Bucket: 'victim-data', Key: 'vhost.txt', Body: 'v' }));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'victim-data' }));
    expect(listed.Contents!.map((o) => o.Key)).toContain('vhost.txt');
  });

  it('pages listings and deletes in batches, key by key as the policy allows', async () => {
    const client = s3(admin);
    await client.send(new CreateBucketCommand({ Bucket: 'victim-batch' }));
    const keys = ['a', 'b', 'c', 'd', 'e'];
    for (const Key of keys)
      await client.send(new PutObjectCommand({ Bucket: 'victim-batch', Key, Body: Key }));
    const seen: string[] = [];
    for await (const page of paginateListObjectsV2({ client, pageSize: 2 }, { Bucket: 'victim-batch' })) {
      seen.push(...page.Contents!.map((o) => o.Key!));
    }
    expect(seen).toEqual(keys);
    const deny = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:DeleteObject',
      Resource: 'arn:aws:s3:::victim-batch/e',
    };
    await client.send(
      new PutBucketPolicyCommand({ Bucket: 'victim-batch', Policy: JSON.stringify({ Statement: [deny] }) }),
    );
    const deleted = await client.send(
      new DeleteObjectsCommand({ Bucket: 'victim-batch', Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
    expect(deleted.Deleted!.map((d) => d.Key)).toEqual(['a', 'b', 'c', 'd']);
    expect(deleted.Errors).toEqual([{ Key: 'e', Code: 'AccessDenied', Message: 'Access Denied' }]);
    await client.send(
      new CopyObjectCommand({ Bucket: 'victim-batch', Key: 'e-copy', CopySource: 'victim-batch/e' }),
    );
    const copy = await client.send(new GetObjectCommand({ Bucket: 'victim-batch', Key: 'e-copy' }));
    expect(await copy.Body!.transformToString()).toBe('e');
    await client.send(new DeleteBucketPolicyCommand({ Bucket: 'victim-batch' }));
    await client.send(
      new DeleteObjectsCommand({
        Bucket: 'victim-batch',
        Delete: { Objects: [{ Key: 'e' }, { Key: 'e-copy' }], Quiet: true },
      }),
    );
    await client.send(new DeleteBucketCommand({ Bucket: 'victim-batch' }));
  });

  it('lets another account in only through the bucket policy', async () => {
    const client = s3(admin);
    const denied = await errorOf(
      s3(outsider).send(new GetObjectCommand({ Bucket: 'victim-data', Key: 'vhost.txt' })),
    );
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['AccessDenied', 403]);
    const noPolicy = await errorOf(client.send(new GetBucketPolicyCommand({ Bucket: 'victim-data' })));
    expect(noPolicy.name).toBe('NoSuchBucketPolicy');
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${EXTERNAL_ACCOUNT}:root` },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::victim-data/*',
        },
      ],
    });
    await client.send(new PutBucketPolicyCommand({ Bucket: 'victim-data', Policy: policy }));
    const got = await s3(outsider).send(new GetObjectCommand({ Bucket: 'victim-data', Key: 'vhost.txt' }));
    expect(await got.Body!.transformToString()).toBe('v');
    const event = lastEvent(EXTERNAL_ACCOUNT, 'GetObject')!;
    expect(
      sim.state
        .accountOrThrow(VICTIM_ACCOUNT)
        .cloudtrail.events.some((e) => e.sharedEventID === event.eventID),
    ).toBe(true);
    await client.send(new DeleteBucketPolicyCommand({ Bucket: 'victim-data' }));
    expect(
      (await errorOf(s3(outsider).send(new GetObjectCommand({ Bucket: 'victim-data', Key: 'vhost.txt' }))))
        .name,
    ).toBe('AccessDenied');
  });

  it('makes a bucket public only once ownership and Block Public Access allow it', async () => {
    const client = s3(admin);
    await client.send(new CreateBucketCommand({ Bucket: 'victim-web', ObjectOwnership: 'ObjectWriter' }));
    const blocked = await errorOf(
      client.send(new PutBucketAclCommand({ Bucket: 'victim-web', ACL: 'public-read' })),
    );
    expect(blocked.name).toBe('AccessDenied');
    const pab = await client.send(new GetPublicAccessBlockCommand({ Bucket: 'victim-web' }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    await client.send(new DeletePublicAccessBlockCommand({ Bucket: 'victim-web' }));
    await client.send(new PutBucketAclCommand({ Bucket: 'victim-web', ACL: 'public-read' }));
    const enforced = await errorOf(
      client.send(new PutBucketAclCommand({ Bucket: 'victim-data', ACL: 'public-read' })),
    );
    expect(enforced.name).toBe('AccessControlListNotSupported');
  });
});

describe('S3 with the AWS CLI', () => {
  it('lists buckets, finds the AllUsers grant, and empties and removes a bucket', async () => {
    const ls = await runAws(sim, admin, ['s3', 'ls']);
    expect(ls.stderr).toBe('');
    expect(ls.stdout.trim().split('\n')).toEqual([
      '2026-05-01 09:30:00 victim-data',
      '2026-05-01 09:30:00 victim-eu',
      '2026-05-01 09:30:00 victim-web',
    ]);
    const names = await runAws(sim, admin, [
      's3api',
      'list-buckets',
      '--query',
      'Buckets[].Name',
      '--output',
      'text',
    ]);
    expect(names.stdout.trim().split(/\s+/)).toEqual(['victim-data', 'victim-eu', 'victim-web']);

    const grants = await runAws(sim, admin, [
      's3api',
      'get-bucket-acl',
      '--bucket',
      'victim-web',
      '--query',
      `Grants[?Grantee.URI=='${ALL_USERS}']`,
    ]);
    expect(JSON.parse(grants.stdout)).toEqual([
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
    ]);
    const privateAcl = await s3(admin).send(new GetBucketAclCommand({ Bucket: 'victim-data' }));
    expect(privateAcl.Grants).toEqual([
      { Grantee: { Type: 'CanonicalUser', ID: privateAcl.Owner!.ID }, Permission: 'FULL_CONTROL' },
    ]);

    const client = s3(admin);
    for (let i = 0; i < 3; i++) {
      await client.send(
        new PutObjectCommand({ Bucket: 'victim-web', Key: `site/page ${i}.html`, Body: `<p>${i}</p>` }),
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'tq-s3-'));
    const listing = await runAws(sim, admin, ['s3', 'ls', 's3://victim-web/site/']);
    expect(listing.stdout.trim().split('\n')).toEqual([
      '2026-05-01 09:30:00          8 page 0.html',
      '2026-05-01 09:30:00          8 page 1.html',
      '2026-05-01 09:30:00          8 page 2.html',
    ]);

    // 9 MiB crosses the CLI's 8 MiB multipart threshold: CreateMultipartUpload, 2 parts, Complete.
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(9 * 1024 * 1024, 7));
    const big = await runAws(sim, admin, ['s3', 'cp', join(dir, 'big.bin'), 's3://victim-web/big.bin']);
    expect(big.stderr, big.stderr).toBe('');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'victim-web', Key: 'big.bin' }));
    expect([head.ContentLength, head.ETag?.endsWith('-2"')]).toEqual([9 * 1024 * 1024, true]);
    // Downloading it back uses ranged GETs (the CLI splits downloads above 8 MiB too).
    const down = await runAws(sim, admin, ['s3', 'cp', 's3://victim-web/big.bin', join(dir, 'back.bin')]);
    expect(down.stderr).toBe('');
    expect(readFileSync(join(dir, 'back.bin')).equals(Buffer.alloc(9 * 1024 * 1024, 7))).toBe(true);

    const rb = await runAws(sim, admin, ['s3', 'rb', 's3://victim-web', '--force']);
    expect(rb.stderr).toBe('');
    expect(rb.stdout).toContain('remove_bucket: victim-web');
    const buckets = await client.send(new ListBucketsCommand({}));
    expect(buckets.Buckets!.map((b) => b.Name)).toEqual(['victim-data', 'victim-eu']);
  });
});
