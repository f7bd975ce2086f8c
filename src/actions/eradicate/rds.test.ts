import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  CopyDBSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
  StartExportTaskCommand,
} from '@aws-sdk/client-rds';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_ACCOUNT } from '../../sim/state.js';
import { A, caseVerifies, planAndApply, startBed, type Bed, type Run } from './test-support/bed.js';
import { planFromCalls } from './test-support/from-calls.js';
import { scheduleKmsKeyDeletion } from './kms.js';

const FOREIGN = EXTERNAL_ACCOUNT;
const PARTNER = '777788889999';
let bed: Bed;
let run: Run;
let manual: string[];
let attackStart = '';
let key: { KeyId?: string; Arn?: string };
const rds = (region = 'us-east-1') => bed.client(RDSClient, region);

beforeAll(async () => {
  bed = await startBed('rds-eradicate');
  await rds().send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'orders',
      DBInstanceClass: 'db.t4g.medium',
      Engine: 'postgres',
      AllocatedStorage: 50,
      MasterUsername: 'orders',
      MasterUserPassword: 'Orders-Initial-1',
    }),
  );
  // The company's own snapshot, shared with its partner since before the attack.
  await rds().send(
    new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'orders-own' }),
  );
  await rds().send(
    new ModifyDBSnapshotAttributeCommand({
      DBSnapshotIdentifier: 'orders-own',
      AttributeName: 'restore',
      ValuesToAdd: [PARTNER],
    }),
  );
  await bed.iam.send(
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
  await bed.client(S3Client, 'eu-west-1').send(
    new CreateBucketCommand({
      Bucket: 'drop-4471',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
  bed.sim.clock.advance(3_600_000);
  attackStart = new Date(bed.sim.clock.nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // The attack: the company's snapshot shared with the attacker too, a snapshot, a copy, a share, an export.
  await rds().send(
    new ModifyDBSnapshotAttributeCommand({
      DBSnapshotIdentifier: 'orders-own',
      AttributeName: 'restore',
      ValuesToAdd: [FOREIGN],
    }),
  );
  await rds().send(
    new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'orders', DBSnapshotIdentifier: 'orders-x' }),
  );
  key = (await bed.client(KMSClient, 'eu-west-1').send(new CreateKeyCommand({}))).KeyMetadata!;
  // The key's policy admits the attacker's account (what lets them open the copy).
  await bed.client(KMSClient, 'eu-west-1').send(
    new PutKeyPolicyCommand({
      KeyId: key.KeyId,
      PolicyName: 'default',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' },
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
            Action: 'kms:Decrypt',
            Resource: '*',
          },
        ],
      }),
    }),
  );
  await rds('eu-west-1').send(
    new CopyDBSnapshotCommand({
      SourceDBSnapshotIdentifier: `arn:aws:rds:us-east-1:${A}:snapshot:orders-x`,
      TargetDBSnapshotIdentifier: 'orders-x-dr',
      KmsKeyId: key.Arn,
    }),
  );
  await rds('eu-west-1').send(
    new ModifyDBSnapshotAttributeCommand({
      DBSnapshotIdentifier: 'orders-x-dr',
      AttributeName: 'restore',
      ValuesToAdd: [FOREIGN],
    }),
  );
  await rds('eu-west-1').send(
    new StartExportTaskCommand({
      ExportTaskIdentifier: 'x-export',
      SourceArn: `arn:aws:rds:eu-west-1:${A}:snapshot:orders-x-dr`,
      S3BucketName: 'drop-4471',
      S3Prefix: 'dump',
      IamRoleArn: `arn:aws:iam::${A}:role/rds-s3-export`,
      KmsKeyId: key.Arn,
    }),
  );
  const planned = await planFromCalls(
    bed,
    A,
    bed.sim.state.accountOrThrow(A).cloudtrail.events.filter((e) => e.eventTime >= attackStart),
    attackStart,
  );
  manual = planned.manual;
  // The company's own snapshot named for deletion too: the creation-date guard must refuse it.
  run = await planAndApply(bed, [
    ...planned.requests,
    {
      action: 'delete-rds-snapshot',
      account: A,
      params: { region: 'us-east-1', snapshotId: 'orders-own', createdAfter: attackStart },
    },
  ]);
}, 120_000);
afterAll(() => bed.stop());

describe('RDS theft eradication', () => {
  it('plans the shares off first, then the attacker’s snapshot and copy deleted, and names the export’s bucket', () => {
    expect(run.plan.steps.map((s) => [s.action, s.target, s.noop])).toEqual([
      ['unshare-rds-snapshot', 'us-east-1/orders-own', false],
      ['unshare-rds-snapshot', 'eu-west-1/orders-x-dr', false],
      ['delete-rds-snapshot', 'us-east-1/orders-x', false],
      ['delete-rds-snapshot', 'eu-west-1/orders-x-dr', false],
      ['schedule-kms-key-deletion', `eu-west-1/${key.KeyId}`, false],
      ['delete-rds-snapshot', 'us-east-1/orders-own', true],
    ]);
    expect(run.plan.steps.at(-2)!.change).toContain(`its policy admits ${FOREIGN}`);
    expect(run.plan.steps.at(-1)!.refused).toMatch(/before the attack/);
    expect(manual).toEqual([expect.stringContaining('s3://drop-4471/dump')]);
    expect(manual[0]).toContain(`arn:aws:rds:eu-west-1:${A}:snapshot:orders-x-dr`);
  });

  it('keeps the evidence, removes only the attacker’s share from the company’s snapshot, deletes the copies', async () => {
    const own = await rds().send(
      new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: 'orders-own' }),
    );
    expect(own.DBSnapshotAttributesResult?.DBSnapshotAttributes?.[0]?.AttributeValues).toEqual([PARTNER]);
    for (const [region, id] of [
      ['us-east-1', 'orders-x'],
      ['eu-west-1', 'orders-x-dr'],
    ] as const) {
      await expect(
        rds(region).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id })),
      ).rejects.toMatchObject({
        name: 'DBSnapshotNotFoundFault',
      });
    }
    expect(
      (await rds().send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'orders-own' }))).DBSnapshots,
    ).toHaveLength(1);
    const kept = run.evidence.filter((p) => /rds-snapshot/.test(p));
    expect(kept).toHaveLength(4);
    const copy = kept.find((p) => p.includes('orders-x-dr') && p.endsWith('rds-snapshot.json'));
    expect(copy).toBeDefined();
    const doc = JSON.parse(readFileSync(join(run.dir, 'evidence', copy!), 'utf8')) as {
      snapshot: { KmsKeyId: string; SourceDBSnapshotIdentifier: string };
    };
    expect(doc.snapshot.SourceDBSnapshotIdentifier).toBe(`arn:aws:rds:us-east-1:${A}:snapshot:orders-x`);
    expect(run.apply.verified).toBe(true);
    expect(await caseVerifies(run.dir)).toBe(true);
  });

  it('schedules the attacker’s key for deletion after the shortest wait, its policy kept first; undo brings it back', async () => {
    const kms = bed.client(KMSClient, 'eu-west-1');
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
    expect(meta.KeyState).toBe('PendingDeletion');
    expect(meta.PendingDeletionWindowInDays).toBe(7);
    const kept = run.evidence.find((p) => p.endsWith('kms-key.json'));
    const doc = JSON.parse(readFileSync(join(run.dir, 'evidence', kept!), 'utf8')) as {
      key: { KeyState: string };
      policy: string;
    };
    expect(doc.key.KeyState).toBe('Enabled');
    expect(doc.policy).toContain(`arn:aws:iam::${FOREIGN}:root`);
    // Pending deletion counts as gone: a second plan has nothing to do on it.
    const again = await planAndApply(bed, [
      { action: 'schedule-kms-key-deletion', account: A, params: { region: 'eu-west-1', keyId: key.KeyId! } },
    ]);
    expect(again.plan.steps.map((s) => [s.noop, s.change])).toEqual([[true, 'already gone']]);
    const step = run.plan.steps.find((s) => s.action === 'schedule-kms-key-deletion')!;
    await scheduleKmsKeyDeletion.undo!(bed.env, step, undefined);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe(
      'Enabled',
    );
  });
});
