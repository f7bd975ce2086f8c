import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { amiFor } from '../../scenarios/world.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';
import { createUserWithKey } from '../iam/entities.js';

let sim: RunningSim;
let admin: Creds;
let reader: Creds;

const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Description: web tier
Parameters:
  Size:
    Type: String
    Default: t3.micro
Resources:
  WebSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0 }
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ${amiFor('us-east-1')}
      InstanceType: !Ref Size
      SecurityGroupIds: [!GetAtt WebSg.GroupId]
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub '\${AWS::StackName}-app'
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: web-assets-example
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: web-fn
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt AppRole.Arn
      Code:
        ZipFile: "def handler(e, c):\\n    return 1\\n"
Outputs:
  InstanceId:
    Value: !Ref Web
`;

beforeAll(async () => {
  sim = await startSim({ seed: 4, clock: new SimClock({ start: '2026-05-01T10:00:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  reader = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'reader', {
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  }).key;
});
afterAll(() => sim.stop());

describe('CloudFormation', () => {
  it('creates the template resources in the other services, describes, and deletes them', async () => {
    const cfn = new CloudFormationClient(sdkConfig(sim, admin));
    const { StackId } = await cfn.send(
      new CreateStackCommand({
        StackName: 'web',
        TemplateBody: TEMPLATE,
        Parameters: [{ ParameterKey: 'Size', ParameterValue: 't3.small' }],
      }),
    );
    expect(StackId).toMatch(/^arn:aws:cloudformation:us-east-1:111122223333:stack\/web\//);
    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: 'web' }))).Stacks ?? [];
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    const instanceId = stack?.Outputs?.find((o) => o.OutputKey === 'InstanceId')?.OutputValue;
    const ec2 = new EC2Client(sdkConfig(sim, admin));
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId!] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.InstanceType).toBe('t3.small');
    expect(
      (await new IAMClient(sdkConfig(sim, admin)).send(new GetRoleCommand({ RoleName: 'web-app' }))).Role
        ?.Arn,
    ).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:role/web-app`);
    await new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true }).send(
      new HeadBucketCommand({ Bucket: 'web-assets-example' }),
    );
    const fn = await new LambdaClient(sdkConfig(sim, admin)).send(
      new GetFunctionCommand({ FunctionName: 'web-fn' }),
    );
    expect(fn.Configuration?.Role).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:role/web-app`);
    expect((await cfn.send(new GetTemplateCommand({ StackName: 'web' }))).TemplateBody).toBe(TEMPLATE);
    const resources = await cfn.send(new DescribeStackResourcesCommand({ StackName: 'web' }));
    expect(resources.StackResources?.map((r) => r.LogicalResourceId)).toEqual([
      'WebSg',
      'Web',
      'AppRole',
      'Assets',
      'Fn',
    ]);

    const events = sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events;
    const run = events.find((e) => e.eventName === 'RunInstances');
    expect(run?.userIdentity).toMatchObject({ invokedBy: 'cloudformation.amazonaws.com', userName: 'admin' });
    expect(run?.sourceIPAddress).toBe('cloudformation.amazonaws.com');
    expect(events.find((e) => e.eventName === 'CreateRole')?.awsRegion).toBe('us-east-1');

    await cfn.send(new DeleteStackCommand({ StackName: 'web' }));
    const after = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId!] }));
    expect(after.Reservations?.[0]?.Instances?.[0]?.State?.Name).toMatch(/shutting-down|terminated/);
    await expect(
      new IAMClient(sdkConfig(sim, admin)).send(new GetRoleCommand({ RoleName: 'web-app' })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    const summaries = (await cfn.send(new ListStacksCommand({}))).StackSummaries ?? [];
    expect(summaries.map((s) => [s.StackName, s.StackStatus])).toEqual([['web', 'DELETE_COMPLETE']]);
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'web' }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it("acts with the caller's permissions: a read-only user's stack rolls back", async () => {
    const cfn = new CloudFormationClient(sdkConfig(sim, reader));
    await expect(
      cfn.send(new CreateStackCommand({ StackName: 'nope', TemplateBody: TEMPLATE })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const adminCfn = new CloudFormationClient(sdkConfig(sim, admin));
    await adminCfn.send(
      new CreateStackCommand({
        StackName: 'bad',
        TemplateBody: JSON.stringify({
          Resources: { U: { Type: 'AWS::IAM::User', Properties: { UserName: 'reader' } } },
        }),
      }),
    );
    const [bad] = (await adminCfn.send(new DescribeStacksCommand({ StackName: 'bad' }))).Stacks ?? [];
    expect(bad?.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(bad?.StackStatusReason).toContain('already exists');
  });

  it('answers the AWS CLI', async () => {
    const r = await runAws(sim, admin, [
      'cloudformation',
      'describe-stacks',
      '--query',
      'Stacks[].StackName',
      '--output',
      'text',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('bad');
  });
});
