import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetCommand,
  ListStackInstancesCommand,
  ListStackSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, CreateTrailCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateDetectorCommand,
  CreateFilterCommand,
  CreateIPSetCommand,
  GetFindingsCommand,
  GetIPSetCommand,
  GuardDutyClient,
  ListFindingsCommand,
  ListIPSetsCommand,
} from '@aws-sdk/client-guardduty';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateAssociationCommand,
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeDocumentPermissionCommand,
  ListAssociationsCommand,
  ListDocumentsCommand,
  ModifyDocumentPermissionCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { runAws, runShell, sdkConfig, type Creds } from '../test-support/aws.js';
import { createUserWithKey } from './iam/entities.js';

const FOREIGN = '444455556666';
let sim: RunningSim;
let admin: Creds;
let reader: Creds;

beforeAll(async () => {
  sim = await startSim({ seed: 12, clock: new SimClock({ start: '2026-08-01T00:00:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  reader = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'reader', {
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  }).key;
});
afterAll(() => sim.stop());

/** The account's CloudTrail records of one event name. */
const recorded = (name: string) =>
  sim.state
    .account(VICTIM_ACCOUNT)!
    .cloudtrail.events.filter((e) => e.eventName === name && e.errorCode === undefined);

/** The JSON document a CLI printed (after any earlier output). */
const lastJson = (out: string): unknown => JSON.parse(out.slice(out.lastIndexOf('\n{') + 1));

describe('the persistence surfaces scope reads, over the wire', () => {
  it('EventBridge: rules with targets and the bus policy (SDK, aws CLI, python awscli), recorded in CloudTrail', async () => {
    const eb = new EventBridgeClient(sdkConfig(sim, admin, 'eu-west-1'));
    const pattern = JSON.stringify({ source: ['aws.iam'], 'detail-type': ['AWS API Call via CloudTrail'] });
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name: 'keep-key', EventPattern: pattern }));
    expect(RuleArn).toBe(`arn:aws:events:eu-west-1:${VICTIM_ACCOUNT}:rule/keep-key`);
    await expect(
      eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"x"}' })),
    ).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
    await expect(eb.send(new PutRuleCommand({ Name: 'none' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const fn = `arn:aws:lambda:eu-west-1:${VICTIM_ACCOUNT}:function:minter`;
    const bus = `arn:aws:events:eu-west-1:${FOREIGN}:event-bus/default`;
    const put = await eb.send(
      new PutTargetsCommand({
        Rule: 'keep-key',
        Targets: [
          { Id: 'fn', Arn: fn },
          { Id: 'out', Arn: bus },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    await expect(
      eb.send(new PutTargetsCommand({ Rule: 'nope', Targets: [{ Id: 'a', Arn: fn }] })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect((await eb.send(new DescribeRuleCommand({ Name: 'keep-key' }))).EventPattern).toBe(pattern);
    expect((await eb.send(new ListRulesCommand({}))).Rules?.map((r) => r.Name)).toEqual(['keep-key']);
    expect(
      (await eb.send(new ListTargetsByRuleCommand({ Rule: 'keep-key' }))).Targets?.map((t) => t.Arn),
    ).toEqual([fn, bus]);
    await expect(eb.send(new DeleteRuleCommand({ Name: 'keep-key' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect((await eb.send(new DescribeEventBusCommand({}))).Policy).toBeUndefined();
    await eb.send(
      new PutPermissionCommand({ Action: 'events:PutEvents', Principal: FOREIGN, StatementId: 'partner' }),
    );
    const policy = JSON.parse((await eb.send(new DescribeEventBusCommand({}))).Policy ?? '{}') as {
      Statement: unknown[];
    };
    expect(policy.Statement).toEqual([
      {
        Sid: 'partner',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
        Action: 'events:PutEvents',
        Resource: `arn:aws:events:eu-west-1:${VICTIM_ACCOUNT}:event-bus/default`,
      },
    ]);
    await expect(eb.send(new RemovePermissionCommand({ StatementId: 'other' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // A reader may list but not write.
    await expect(
      new EventBridgeClient(sdkConfig(sim, reader, 'eu-west-1')).send(
        new PutRuleCommand({ Name: 'x', ScheduleExpression: 'rate(5 minutes)' }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const cli = await runAws(
      sim,
      admin,
      ['events', 'list-targets-by-rule', '--rule', 'keep-key', '--output', 'json'],
      'eu-west-1',
    );
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toMatchObject({
      Targets: [
        { Id: 'fn', Arn: fn },
        { Id: 'out', Arn: bus },
      ],
    });
    const py = await runShell(
      sim,
      admin,
      'python3 -m awscli events put-rule --name nightly --schedule-expression "cron(0 3 * * ? *)" --endpoint-url "$AWS_ENDPOINT_URL" --region eu-west-1 --output json',
    );
    expect(py.stderr).toBe('');
    expect(JSON.parse(py.stdout)).toEqual({
      RuleArn: `arn:aws:events:eu-west-1:${VICTIM_ACCOUNT}:rule/nightly`,
    });
    expect((await eb.send(new ListRulesCommand({}))).Rules?.map((r) => r.Name)).toEqual([
      'keep-key',
      'nightly',
    ]);
    for (const name of ['PutRule', 'PutTargets', 'PutPermission']) {
      const [record] = recorded(name);
      expect(record, name).toMatchObject({ eventSource: 'events.amazonaws.com', awsRegion: 'eu-west-1' });
    }
    expect(recorded('PutTargets')[0]!.requestParameters).toMatchObject({ rule: 'keep-key' });
  }, 120_000);

  it('SSM: documents (owner filter, sharing) and associations (SDK, aws CLI)', async () => {
    const ssm = new SSMClient(sdkConfig(sim, admin, 'ap-south-1'));
    const content = JSON.stringify({
      schemaVersion: '2.2',
      mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: ['id'] } }],
    });
    await ssm.send(new CreateDocumentCommand({ Name: 'ops-fix', Content: content, DocumentType: 'Command' }));
    await expect(
      ssm.send(new CreateDocumentCommand({ Name: 'ops-fix', Content: content })),
    ).rejects.toMatchObject({
      name: 'DocumentAlreadyExists',
    });
    await expect(
      ssm.send(new CreateDocumentCommand({ Name: 'broken', Content: 'not json' })),
    ).rejects.toMatchObject({
      name: 'InvalidDocumentContent',
    });
    const mine = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Self'] }] }));
    expect(mine.DocumentIdentifiers?.map((d) => [d.Name, d.Owner])).toEqual([['ops-fix', VICTIM_ACCOUNT]]);
    const all = await ssm.send(new ListDocumentsCommand({}));
    expect(all.DocumentIdentifiers?.map((d) => d.Name)).toContain('AWS-RunShellScript');
    await ssm.send(
      new ModifyDocumentPermissionCommand({
        Name: 'ops-fix',
        PermissionType: 'Share',
        AccountIdsToAdd: [FOREIGN],
      }),
    );
    const perms = await ssm.send(
      new DescribeDocumentPermissionCommand({ Name: 'ops-fix', PermissionType: 'Share' }),
    );
    expect(perms.AccountIds).toEqual([FOREIGN]);
    await expect(
      ssm.send(new DescribeDocumentPermissionCommand({ Name: 'missing', PermissionType: 'Share' })),
    ).rejects.toMatchObject({ name: 'InvalidDocument' });
    const made = await ssm.send(
      new CreateAssociationCommand({
        Name: 'ops-fix',
        AssociationName: 'hourly-fix',
        Targets: [{ Key: 'InstanceIds', Values: ['*'] }],
        ScheduleExpression: 'rate(1 hour)',
      }),
    );
    const id = made.AssociationDescription?.AssociationId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(ssm.send(new DeleteDocumentCommand({ Name: 'ops-fix' }))).rejects.toMatchObject({
      name: 'AssociatedInstances',
    });
    expect((await ssm.send(new ListAssociationsCommand({}))).Associations).toMatchObject([
      {
        AssociationId: id,
        Name: 'ops-fix',
        AssociationName: 'hourly-fix',
        ScheduleExpression: 'rate(1 hour)',
      },
    ]);
    const cli = await runShell(
      sim,
      admin,
      '$AWS ssm list-documents --filters Key=Owner,Values=Self --output json && ' +
        '$AWS ssm describe-document-permission --name ops-fix --permission-type Share --output json',
      'ap-south-1',
    );
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('"Owner": "111122223333"');
    expect(lastJson(cli.stdout)).toMatchObject({ AccountIds: [FOREIGN] });
    expect(recorded('CreateAssociation')[0]!.responseElements).toMatchObject({
      associationDescription: { associationId: id },
    });
  }, 120_000);

  it('GuardDuty: an ARCHIVE filter archives matching findings as they arrive; one trusted IP list per region', async () => {
    const gd = new GuardDutyClient(sdkConfig(sim, admin));
    const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: true }));
    await gd.send(
      new CreateFilterCommand({
        DetectorId,
        Name: 'quiet-trail',
        Action: 'ARCHIVE',
        FindingCriteria: { Criterion: { type: { Eq: ['Stealth:IAMUser/CloudTrailLoggingDisabled'] } } },
      }),
    );
    await expect(
      gd.send(
        new CreateFilterCommand({ DetectorId, Name: 'quiet-trail', FindingCriteria: { Criterion: {} } }),
      ),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    const { IpSetId } = await gd.send(
      new CreateIPSetCommand({
        DetectorId,
        Name: 'office',
        Format: 'TXT',
        Location: 'https://s3.amazonaws.com/acme-lists/trusted.txt',
        Activate: true,
      }),
    );
    await expect(
      gd.send(
        new CreateIPSetCommand({
          DetectorId,
          Name: 'b',
          Format: 'TXT',
          Location: 's3://a/b.txt',
          Activate: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    expect((await gd.send(new ListIPSetsCommand({ DetectorId }))).IpSetIds).toEqual([IpSetId]);
    expect(await gd.send(new GetIPSetCommand({ DetectorId, IpSetId }))).toMatchObject({
      Name: 'office',
      Status: 'ACTIVE',
      Format: 'TXT',
    });
    await new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true }).send(
      new CreateBucketCommand({ Bucket: 'gd-trail' }),
    );
    const ct = new CloudTrailClient(sdkConfig(sim, admin));
    await ct.send(new CreateTrailCommand({ Name: 'gd-trail', S3BucketName: 'gd-trail' }));
    await ct.send(new StopLoggingCommand({ Name: 'gd-trail' }));
    sim.clock.advance(10 * 60_000);
    const ids = (await gd.send(new ListFindingsCommand({ DetectorId }))).FindingIds ?? [];
    const findings = (await gd.send(new GetFindingsCommand({ DetectorId, FindingIds: ids }))).Findings ?? [];
    const stealth = findings.find((f) => f.Type === 'Stealth:IAMUser/CloudTrailLoggingDisabled');
    expect(stealth?.Service?.Archived).toBe(true);
    const cli = await runShell(
      sim,
      admin,
      `$AWS guardduty list-filters --detector-id ${DetectorId} --output json && $AWS guardduty get-filter --detector-id ${DetectorId} --filter-name quiet-trail --output json`,
    );
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('"quiet-trail"');
    expect(lastJson(cli.stdout)).toMatchObject({
      Action: 'ARCHIVE',
      FindingCriteria: { Criterion: { type: { Eq: ['Stealth:IAMUser/CloudTrailLoggingDisabled'] } } },
    });
  }, 120_000);

  it('CloudFormation StackSets: create, instances, describe, list, delete (SDK, aws CLI)', async () => {
    const cf = new CloudFormationClient(sdkConfig(sim, admin));
    const template = JSON.stringify({
      Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } } },
    });
    const { StackSetId } = await cf.send(
      new CreateStackSetCommand({ StackSetName: 'org-audit', TemplateBody: template }),
    );
    expect(StackSetId).toMatch(/^org-audit:[0-9a-f-]{36}$/);
    await expect(
      cf.send(new CreateStackSetCommand({ StackSetName: 'org-audit', TemplateBody: template })),
    ).rejects.toMatchObject({ name: 'NameAlreadyExistsException' });
    await cf.send(
      new CreateStackInstancesCommand({
        StackSetName: 'org-audit',
        Accounts: [FOREIGN],
        Regions: ['us-east-1', 'eu-west-1'],
      }),
    );
    const set = (await cf.send(new DescribeStackSetCommand({ StackSetName: 'org-audit' }))).StackSet;
    expect(set).toMatchObject({
      StackSetId,
      Status: 'ACTIVE',
      PermissionModel: 'SELF_MANAGED',
      StackSetARN: `arn:aws:cloudformation:us-east-1:${VICTIM_ACCOUNT}:stackset/${StackSetId}`,
    });
    const instances =
      (await cf.send(new ListStackInstancesCommand({ StackSetName: 'org-audit' }))).Summaries ?? [];
    expect(instances.map((i) => `${i.Account} ${i.Region} ${i.Status}`)).toEqual([
      `${FOREIGN} us-east-1 CURRENT`,
      `${FOREIGN} eu-west-1 CURRENT`,
    ]);
    await expect(cf.send(new DeleteStackSetCommand({ StackSetName: 'org-audit' }))).rejects.toMatchObject({
      name: 'StackSetNotEmptyException',
    });
    await expect(cf.send(new DescribeStackSetCommand({ StackSetName: 'nope' }))).rejects.toMatchObject({
      name: 'StackSetNotFoundException',
    });
    const cli = await runAws(sim, admin, [
      'cloudformation',
      'list-stack-sets',
      '--status',
      'ACTIVE',
      '--output',
      'json',
    ]);
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toMatchObject({ Summaries: [{ StackSetName: 'org-audit', StackSetId }] });
    await cf.send(
      new DeleteStackInstancesCommand({
        StackSetName: 'org-audit',
        Accounts: [FOREIGN],
        Regions: ['us-east-1', 'eu-west-1'],
        RetainStacks: false,
      }),
    );
    await cf.send(new DeleteStackSetCommand({ StackSetName: 'org-audit' }));
    expect((await cf.send(new ListStackSetsCommand({ Status: 'ACTIVE' }))).Summaries).toEqual([]);
    expect(recorded('CreateStackSet')[0]!.requestParameters).toMatchObject({ stackSetName: 'org-audit' });
  });
});
