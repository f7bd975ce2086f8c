import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { EXTERNAL_ACCOUNT, VICTIM_ACCOUNT } from '../../state.js';
import { createUserWithKey } from '../iam/entities.js';
import { runAws, sdkConfig } from '../../test-support/aws.js';
import { createOrganization } from './index.js';

const ADMIN = ['arn:aws:iam::aws:policy/AdministratorAccess'];
const MEMBER = '222233334444';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function setup(inOrganization: boolean) {
  sim = await startSim({ seed: 3, clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }) });
  if (!sim.state.account(MEMBER)) sim.state.addAccount(MEMBER, 'member');
  const management = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'org-admin', {
    managedPolicies: ADMIN,
  }).key;
  const member = createUserWithKey(sim.state, MEMBER, 'member-admin', { managedPolicies: ADMIN }).key;
  const outsider = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'outsider', { managedPolicies: ADMIN }).key;
  const org = inOrganization
    ? createOrganization(sim.state, {
        management: VICTIM_ACCOUNT,
        members: [{ account: MEMBER, ou: 'prod' }],
        policies: [
          {
            name: 'deny-s3',
            content: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }],
            },
            targets: ['prod'],
          },
        ],
      })
    : undefined;
  return { sim, management, member, outsider, org };
}

describe('simulated Organizations', () => {
  it('gives the management account the chain of parents and the SCPs at each level (SDK)', async () => {
    const { sim, management, org } = await setup(true);
    const client = new OrganizationsClient(sdkConfig(sim, management));
    const described = await client.send(new DescribeOrganizationCommand({}));
    expect(described.Organization).toMatchObject({
      Id: org!.id,
      MasterAccountId: VICTIM_ACCOUNT,
      FeatureSet: 'ALL',
    });
    const [ou] = (await client.send(new ListParentsCommand({ ChildId: MEMBER }))).Parents!;
    expect(ou).toMatchObject({ Type: 'ORGANIZATIONAL_UNIT' });
    const [root] = (await client.send(new ListParentsCommand({ ChildId: ou!.Id }))).Parents!;
    expect(root).toEqual({ Id: org!.rootId, Type: 'ROOT' });
    const names = async (target: string) =>
      (
        await client.send(
          new ListPoliciesForTargetCommand({ TargetId: target, Filter: 'SERVICE_CONTROL_POLICY' }),
        )
      ).Policies!.map((p) => p.Name);
    expect(await names(org!.rootId)).toEqual(['FullAWSAccess']);
    expect(await names(ou!.Id!)).toEqual(['FullAWSAccess', 'deny-s3']);
    expect(await names(MEMBER)).toEqual(['FullAWSAccess']);
    const policies = await client.send(
      new ListPoliciesForTargetCommand({ TargetId: ou!.Id, Filter: 'SERVICE_CONTROL_POLICY' }),
    );
    const deny = await client.send(new DescribePolicyCommand({ PolicyId: policies.Policies![1]!.Id }));
    expect(JSON.parse(deny.Policy!.Content!)).toMatchObject({
      Statement: [{ Effect: 'Deny', Action: 's3:*' }],
    });
    await expect(client.send(new ListParentsCommand({ ChildId: '999999999999' }))).rejects.toMatchObject({
      name: 'ChildNotFoundException',
    });
    client.destroy();
  });

  it('refuses a member account the organisation policies, and tells an outsider it is in none (SDK)', async () => {
    const { sim, member, outsider } = await setup(true);
    const asMember = new OrganizationsClient(sdkConfig(sim, member));
    await expect(asMember.send(new DescribeOrganizationCommand({}))).resolves.toBeDefined();
    await expect(asMember.send(new ListParentsCommand({ ChildId: MEMBER }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    const asOutsider = new OrganizationsClient(sdkConfig(sim, outsider));
    await expect(asOutsider.send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({
      name: 'AWSOrganizationsNotInUseException',
    });
    asMember.destroy();
    asOutsider.destroy();
  });

  it('answers the AWS CLI the same way', async () => {
    const { sim, management, outsider, org } = await setup(true);
    const described = await runAws(sim, management, [
      'organizations',
      'describe-organization',
      '--output',
      'json',
    ]);
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({ Organization: { Id: org!.id } });
    const listed = await runAws(sim, management, [
      'organizations',
      'list-policies-for-target',
      '--target-id',
      org!.rootId,
      '--filter',
      'SERVICE_CONTROL_POLICY',
      '--output',
      'json',
    ]);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      Policies: [{ Name: 'FullAWSAccess', AwsManaged: true }],
    });
    const refused = await runAws(sim, outsider, ['organizations', 'describe-organization']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/AWSOrganizationsNotInUseException/);
  });

  it('records the calls in CloudTrail as AWS does (organizations.amazonaws.com, us-east-1)', async () => {
    const { sim, management } = await setup(true);
    const client = new OrganizationsClient(sdkConfig(sim, management, 'eu-west-1'));
    await client.send(new DescribeOrganizationCommand({}));
    client.destroy();
    const record = sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events.at(-1)!;
    expect(record).toMatchObject({
      eventSource: 'organizations.amazonaws.com',
      eventName: 'DescribeOrganization',
      awsRegion: 'us-east-1',
    });
  });
});
