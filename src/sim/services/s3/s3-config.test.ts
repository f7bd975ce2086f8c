import {
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketReplicationCommand,
  DeleteBucketWebsiteCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutPublicAccessBlockCommand,
  DeletePublicAccessBlockCommand,
  S3Client,
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
import { canonicalId } from './buckets.js';

const ADMIN = ['arn:aws:iam::aws:policy/AdministratorAccess'];
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const ROLE = `arn:aws:iam::${VICTIM_ACCOUNT}:role/replication`;

let sim: RunningSim;
let admin: Creds;
let outsider: Creds;

beforeAll(async () => {
  sim = await startSim({ seed: 15, clock: new SimClock({ start: '2026-05-01T09:30:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: ADMIN }).key;
  outsider = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'mallory', { managedPolicies: ADMIN }).key;
});
afterAll(() => sim.stop());

const s3 = (creds: Creds) => new S3Client({ ...sdkConfig(sim, creds), forcePathStyle: true });

/** The last CloudTrail record of an event in the victim's history. */
function lastRecord(name: string) {
  const events = sim.state
    .accountOrThrow(VICTIM_ACCOUNT)
    .cloudtrail.events.filter((e) => e.eventName === name);
  return events.at(-1) as
    { requestParameters: Record<string, unknown>; readOnly: boolean; errorCode?: string } | undefined;
}

async function cli(args: string[], creds = admin) {
  const out = await runAws(sim, creds, args);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  return out.stdout ? (JSON.parse(out.stdout) as Record<string, unknown>) : {};
}

describe('S3 bucket configuration through the SDK', () => {
  it('replicates only versioned buckets, to an existing versioned destination, and records the document', async () => {
    const victim = s3(admin);
    await victim.send(new CreateBucketCommand({ Bucket: 'cfg-source' }));
    await s3(outsider).send(new CreateBucketCommand({ Bucket: 'cfg-outside' }));
    const config = {
      Role: ROLE,
      Rules: [
        {
          ID: 'copy-all',
          Priority: 1,
          Status: 'Enabled' as const,
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Disabled' as const },
          Destination: { Bucket: 'arn:aws:s3:::cfg-outside', Account: EXTERNAL_ACCOUNT },
        },
      ],
    };
    await expect(
      victim.send(
        new PutBucketReplicationCommand({ Bucket: 'cfg-source', ReplicationConfiguration: config }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidRequest' });
    await victim.send(
      new PutBucketVersioningCommand({
        Bucket: 'cfg-source',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    expect((await victim.send(new GetBucketVersioningCommand({ Bucket: 'cfg-source' }))).Status).toBe(
      'Enabled',
    );
    await expect(
      victim.send(
        new PutBucketReplicationCommand({ Bucket: 'cfg-source', ReplicationConfiguration: config }),
      ),
    ).rejects.toMatchObject({ message: 'Destination bucket must have versioning enabled.' });
    await s3(outsider).send(
      new PutBucketVersioningCommand({
        Bucket: 'cfg-outside',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await victim.send(
      new PutBucketReplicationCommand({ Bucket: 'cfg-source', ReplicationConfiguration: config }),
    );
    const got = await victim.send(new GetBucketReplicationCommand({ Bucket: 'cfg-source' }));
    expect(got.ReplicationConfiguration).toEqual(config);
    expect(lastRecord('PutBucketReplication')?.requestParameters).toMatchObject({
      bucketName: 'cfg-source',
      replication: '',
      ReplicationConfiguration: {
        xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
        Role: ROLE,
        Rule: { ID: 'copy-all', Priority: 1, Destination: { Bucket: 'arn:aws:s3:::cfg-outside' } },
      },
    });
    await victim.send(new DeleteBucketReplicationCommand({ Bucket: 'cfg-source' }));
    await expect(
      victim.send(new GetBucketReplicationCommand({ Bucket: 'cfg-source' })),
    ).rejects.toMatchObject({
      name: 'ReplicationConfigurationNotFoundError',
      $metadata: { httpStatusCode: 404 },
    });
    expect(lastRecord('GetBucketReplication')).toMatchObject({
      readOnly: true,
      errorCode: 'ReplicationConfigurationNotFoundError',
    });
  });

  it('answers SSE-S3 by default, keeps a KMS configuration, and falls back when it is deleted', async () => {
    const victim = s3(admin);
    await victim.send(new CreateBucketCommand({ Bucket: 'cfg-enc' }));
    const initial = await victim.send(new GetBucketEncryptionCommand({ Bucket: 'cfg-enc' }));
    expect(initial.ServerSideEncryptionConfiguration?.Rules).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
    ]);
    const kms = {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms' as const,
            KMSMasterKeyID: `arn:aws:kms:us-east-1:${EXTERNAL_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
          },
          BucketKeyEnabled: true,
        },
      ],
    };
    await victim.send(
      new PutBucketEncryptionCommand({ Bucket: 'cfg-enc', ServerSideEncryptionConfiguration: kms }),
    );
    expect(
      (await victim.send(new GetBucketEncryptionCommand({ Bucket: 'cfg-enc' })))
        .ServerSideEncryptionConfiguration,
    ).toEqual(kms);
    expect(lastRecord('PutBucketEncryption')?.requestParameters).toMatchObject({
      ServerSideEncryptionConfiguration: { Rule: { BucketKeyEnabled: true } },
    });
    await victim.send(new DeleteBucketEncryptionCommand({ Bucket: 'cfg-enc' }));
    expect(
      (await victim.send(new GetBucketEncryptionCommand({ Bucket: 'cfg-enc' })))
        .ServerSideEncryptionConfiguration,
    ).toEqual(initial.ServerSideEncryptionConfiguration);
  });

  it('logs only to an existing bucket of the same owner; an empty status turns logging off', async () => {
    const victim = s3(admin);
    await victim.send(new CreateBucketCommand({ Bucket: 'cfg-logged' }));
    await victim.send(new CreateBucketCommand({ Bucket: 'cfg-logs' }));
    expect(
      (await victim.send(new GetBucketLoggingCommand({ Bucket: 'cfg-logged' }))).LoggingEnabled,
    ).toBeUndefined();
    await expect(
      victim.send(
        new PutBucketLoggingCommand({
          Bucket: 'cfg-logged',
          BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'cfg-outside', TargetPrefix: 'x/' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidTargetBucketForLogging' });
    await victim.send(
      new PutBucketLoggingCommand({
        Bucket: 'cfg-logged',
        BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'cfg-logs', TargetPrefix: 'access/' } },
      }),
    );
    expect((await victim.send(new GetBucketLoggingCommand({ Bucket: 'cfg-logged' }))).LoggingEnabled).toEqual(
      {
        TargetBucket: 'cfg-logs',
        TargetPrefix: 'access/',
      },
    );
    await victim.send(new PutBucketLoggingCommand({ Bucket: 'cfg-logged', BucketLoggingStatus: {} }));
    expect(
      (await victim.send(new GetBucketLoggingCommand({ Bucket: 'cfg-logged' }))).LoggingEnabled,
    ).toBeUndefined();
  });

  it('serves a website configuration until it is deleted', async () => {
    const victim = s3(admin);
    await victim.send(new CreateBucketCommand({ Bucket: 'cfg-site' }));
    await expect(victim.send(new GetBucketWebsiteCommand({ Bucket: 'cfg-site' }))).rejects.toMatchObject({
      name: 'NoSuchWebsiteConfiguration',
    });
    await victim.send(
      new PutBucketWebsiteCommand({
        Bucket: 'cfg-site',
        WebsiteConfiguration: {
          IndexDocument: { Suffix: 'index.html' },
          ErrorDocument: { Key: 'error.html' },
        },
      }),
    );
    const site = await victim.send(new GetBucketWebsiteCommand({ Bucket: 'cfg-site' }));
    expect(site).toMatchObject({
      IndexDocument: { Suffix: 'index.html' },
      ErrorDocument: { Key: 'error.html' },
    });
    await victim.send(new DeleteBucketWebsiteCommand({ Bucket: 'cfg-site' }));
    await expect(victim.send(new GetBucketWebsiteCommand({ Bucket: 'cfg-site' }))).rejects.toMatchObject({
      name: 'NoSuchWebsiteConfiguration',
    });
  });

  it('records ACL grants, bucket policies and Block Public Access under the names and shapes CloudTrail uses', async () => {
    const victim = s3(admin);
    await victim.send(new CreateBucketCommand({ Bucket: 'cfg-shared', ObjectOwnership: 'ObjectWriter' }));
    await victim.send(new DeletePublicAccessBlockCommand({ Bucket: 'cfg-shared' }));
    const owner = canonicalId(VICTIM_ACCOUNT);
    const foreign = canonicalId(EXTERNAL_ACCOUNT);
    await victim.send(
      new PutBucketAclCommand({
        Bucket: 'cfg-shared',
        AccessControlPolicy: {
          Owner: { ID: owner },
          Grants: [
            { Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' },
            { Grantee: { Type: 'CanonicalUser', ID: foreign }, Permission: 'READ' },
            { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
          ],
        },
      }),
    );
    const acl = await victim.send(new GetBucketAclCommand({ Bucket: 'cfg-shared' }));
    expect(acl.Grants?.map((g) => [g.Grantee?.ID ?? g.Grantee?.URI, g.Permission])).toEqual([
      [owner, 'FULL_CONTROL'],
      [foreign, 'READ'],
      [ALL_USERS, 'READ'],
    ]);
    const aclRecord = lastRecord('PutBucketAcl')?.requestParameters as {
      AccessControlPolicy: { AccessControlList: { Grant: { Grantee: Record<string, string> }[] } };
    };
    expect(aclRecord.AccessControlPolicy.AccessControlList.Grant[2]?.Grantee).toEqual({
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:type': 'Group',
      URI: ALL_USERS,
    });
    await victim.send(new PutBucketAclCommand({ Bucket: 'cfg-shared', ACL: 'public-read' }));
    expect(lastRecord('PutBucketAcl')?.requestParameters).toMatchObject({
      'x-amz-acl': ['public-read'],
      acl: '',
    });

    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${EXTERNAL_ACCOUNT}:root` },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::cfg-shared/*',
        },
      ],
    };
    await victim.send(new PutBucketPolicyCommand({ Bucket: 'cfg-shared', Policy: JSON.stringify(policy) }));
    expect(lastRecord('PutBucketPolicy')?.requestParameters).toMatchObject({
      bucketPolicy: policy,
      policy: '',
    });

    await victim.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'cfg-shared',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: false,
          IgnorePublicAcls: false,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: false,
        },
      }),
    );
    expect(lastRecord('PutBucketPublicAccessBlock')?.requestParameters).toMatchObject({
      publicAccessBlock: '',
      PublicAccessBlockConfiguration: { BlockPublicPolicy: true, RestrictPublicBuckets: false },
    });
    expect(lastRecord('DeleteBucketPublicAccessBlock')?.requestParameters).toMatchObject({
      bucketName: 'cfg-shared',
    });
  });
});

describe('S3 bucket configuration through /usr/bin/aws', () => {
  // The CLI starts a Python interpreter per call: allow for a busy machine.
  const SLOW = 240_000;

  it(
    'round-trips versioning and replication',
    async () => {
      await cli(['s3api', 'create-bucket', '--bucket', 'cli-src']);
      await cli(['s3api', 'create-bucket', '--bucket', 'cli-dst']);
      for (const b of ['cli-src', 'cli-dst'])
        await cli([
          's3api',
          'put-bucket-versioning',
          '--bucket',
          b,
          '--versioning-configuration',
          'Status=Enabled',
        ]);
      expect(await cli(['s3api', 'get-bucket-versioning', '--bucket', 'cli-src'])).toEqual({
        Status: 'Enabled',
        MFADelete: 'Disabled',
      });
      const replication = {
        Role: ROLE,
        Rules: [{ Status: 'Enabled', Prefix: 'exports/', Destination: { Bucket: 'arn:aws:s3:::cli-dst' } }],
      };
      await cli([
        's3api',
        'put-bucket-replication',
        '--bucket',
        'cli-src',
        '--replication-configuration',
        JSON.stringify(replication),
      ]);
      expect(await cli(['s3api', 'get-bucket-replication', '--bucket', 'cli-src'])).toEqual({
        ReplicationConfiguration: replication,
      });
    },
    SLOW,
  );

  it(
    'round-trips encryption, logging and website configurations',
    async () => {
      await cli([
        's3api',
        'put-bucket-encryption',
        '--bucket',
        'cli-src',
        '--server-side-encryption-configuration',
        '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/data"}}]}',
      ]);
      expect(await cli(['s3api', 'get-bucket-encryption', '--bucket', 'cli-src'])).toEqual({
        ServerSideEncryptionConfiguration: {
          Rules: [
            { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/data' } },
          ],
        },
      });
      await cli([
        's3api',
        'put-bucket-logging',
        '--bucket',
        'cli-src',
        '--bucket-logging-status',
        '{"LoggingEnabled":{"TargetBucket":"cli-dst","TargetPrefix":"logs/"}}',
      ]);
      expect(await cli(['s3api', 'get-bucket-logging', '--bucket', 'cli-src'])).toEqual({
        LoggingEnabled: { TargetBucket: 'cli-dst', TargetPrefix: 'logs/' },
      });
      await cli([
        's3api',
        'put-bucket-website',
        '--bucket',
        'cli-src',
        '--website-configuration',
        '{"RedirectAllRequestsTo":{"HostName":"example.net","Protocol":"https"}}',
      ]);
      expect(await cli(['s3api', 'get-bucket-website', '--bucket', 'cli-src'])).toEqual({
        RedirectAllRequestsTo: { HostName: 'example.net', Protocol: 'https' },
      });
      await cli(['s3api', 'delete-bucket-website', '--bucket', 'cli-src']);
      const gone = await runAws(sim, admin, ['s3api', 'get-bucket-website', '--bucket', 'cli-src']);
      expect(gone.stderr).toContain('NoSuchWebsiteConfiguration');
    },
    SLOW,
  );

  it(
    'grants read to another account and to everyone with grant headers',
    async () => {
      await cli(['s3api', 'create-bucket', '--bucket', 'cli-acl', '--object-ownership', 'ObjectWriter']);
      await cli(['s3api', 'delete-public-access-block', '--bucket', 'cli-acl']);
      await cli([
        's3api',
        'put-bucket-acl',
        '--bucket',
        'cli-acl',
        '--grant-read',
        `id=${canonicalId(EXTERNAL_ACCOUNT)},uri=${ALL_USERS}`,
      ]);
      const acl = (await cli(['s3api', 'get-bucket-acl', '--bucket', 'cli-acl'])) as {
        Grants: { Grantee: { ID?: string; URI?: string }; Permission: string }[];
      };
      expect(acl.Grants.map((g) => [g.Grantee.ID ?? g.Grantee.URI, g.Permission])).toEqual([
        [canonicalId(EXTERNAL_ACCOUNT), 'READ'],
        [ALL_USERS, 'READ'],
      ]);
      expect(lastRecord('PutBucketAcl')?.requestParameters).toMatchObject({
        'x-amz-grant-read': [`id=${canonicalId(EXTERNAL_ACCOUNT)},uri=${ALL_USERS}`],
      });
    },
    SLOW,
  );
});
