import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
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
  it('binds members by their SCPs, administrators included, and never the management account (SDK)', async () => {
    const { sim, management, member } = await setup(true);
    const asMember = new S3Client({ ...sdkConfig(sim, member), forcePathStyle: true });
    await expect(asMember.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    asMember.destroy();
    const asManagement = new S3Client({ ...sdkConfig(sim, management), forcePathStyle: true });
    await expect(asManagement.send(new ListBucketsCommand({}))).resolves.toBeDefined();
    asManagement.destroy();
  });

  it('lists the accounts to the management account and a delegated administrator, and the delegations (SDK, AWS CLI)', async () => {
    sim = await startSim({ seed: 4, clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }) });
    sim.state.addAccount(MEMBER, 'member');
    sim.state.addAccount('666677778888', 'security-tooling');
    const management = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'org-admin', {
      managedPolicies: ADMIN,
    }).key;
    const tooling = createUserWithKey(sim.state, '666677778888', 'tooling-admin', {
      managedPolicies: ADMIN,
    }).key;
    const member = createUserWithKey(sim.state, MEMBER, 'member-admin', { managedPolicies: ADMIN }).key;
    createOrganization(sim.state, {
      management: VICTIM_ACCOUNT,
      members: [{ account: MEMBER }, { account: '666677778888', ou: 'Security' }],
      delegatedAdministrators: [{ account: '666677778888', service: 'guardduty.amazonaws.com' }],
    });
    const asTooling = new OrganizationsClient(sdkConfig(sim, tooling));
    const { Accounts } = await asTooling.send(new ListAccountsCommand({}));
    expect(Accounts?.map((a) => [a.Id, a.Name, a.Status]).sort()).toEqual(
      [
        [VICTIM_ACCOUNT, 'victim', 'ACTIVE'],
        [MEMBER, 'member', 'ACTIVE'],
        ['666677778888', 'security-tooling', 'ACTIVE'],
      ].sort(),
    );
    asTooling.destroy();
    const asMember = new OrganizationsClient(sdkConfig(sim, member));
    await expect(asMember.send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    asMember.destroy();
    const client = new OrganizationsClient(sdkConfig(sim, management));
    const admins = await client.send(new ListDelegatedAdministratorsCommand({}));
    expect(admins.DelegatedAdministrators?.map((a) => a.Id)).toEqual(['666677778888']);
    expect(admins.DelegatedAdministrators?.[0]?.DelegationEnabledDate).toBeInstanceOf(Date);
    const services = await client.send(
      new ListDelegatedServicesForAccountCommand({ AccountId: '666677778888' }),
    );
    expect(services.DelegatedServices?.map((d) => d.ServicePrincipal)).toEqual(['guardduty.amazonaws.com']);
    await expect(
      client.send(new ListDelegatedServicesForAccountCommand({ AccountId: MEMBER })),
    ).rejects.toMatchObject({ name: 'AccountNotRegisteredException' });
    client.destroy();
    const cli = await runAws(sim, management, [
      'organizations',
      'list-delegated-administrators',
      '--service-principal',
      'guardduty.amazonaws.com',
      '--output',
      'json',
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ DelegatedAdministrators: [{ Id: '666677778888' }] });
  });

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
