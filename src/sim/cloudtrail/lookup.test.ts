import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupAttributeKey,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { createUserWithKey } from '../services/iam/entities.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { sdkConfig, type Creds } from '../test-support/aws.js';

let sim: RunningSim;
let admin: Creds;
const START = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const ct = (region = 'us-east-1', maxAttempts = 1) =>
  new CloudTrailClient(sdkConfig(sim, admin, region, maxAttempts));

async function lookup(input: LookupEventsCommandInput, region = 'us-east-1') {
  return ct(region).send(new LookupEventsCommand(input));
}

beforeAll(async () => {
  // The throttle has its own test below; here it would only slow the test down.
  sim = await startSim({
    seed: 'lookup',
    clock: new SimClock({ start: START, frozen: true }),
    lookupEventsPerSecond: 1000,
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  const iam = new IAMClient(sdkConfig(sim, admin));
  await iam.send(new ListUsersCommand({})); // day 0: will fall out of the 90-day window
  sim.clock.set(START + 10 * DAY);
  await iam.send(new CreateUserCommand({ UserName: 'mallory' }));
  sim.clock.set(START + 20 * DAY);
  await new EC2Client(sdkConfig(sim, admin, 'eu-west-1')).send(new DescribeRegionsCommand({}));
  sim.clock.set(START + 30 * DAY);
  for (let i = 0; i < 7; i++) await iam.send(new ListUsersCommand({}));
  await expect(
    new STSClient(sdkConfig(sim, admin)).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${VICTIM_ACCOUNT}:role/none`,
        RoleSessionName: 'probe',
      }),
    ),
  ).rejects.toThrow();
  sim.clock.set(START + 95 * DAY);
});
afterAll(() => sim.stop());

describe('LookupEvents', () => {
  it('returns management events of the region, newest first, within 90 days, with the real Event shape', async () => {
    const r = await lookup({});
    const names = r.Events!.map((e) => e.EventName);
    expect(names[0]).toBe('AssumeRole');
    expect(names.filter((n) => n === 'ListUsers')).toHaveLength(7); // the day-0 call is older than 90 days
    expect(names.at(-1)).toBe('CreateUser');
    expect(names).not.toContain('DescribeRegions');
    const times = r.Events!.map((e) => e.EventTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const create = r.Events!.find((e) => e.EventName === 'CreateUser')!;
    expect(create).toMatchObject({
      ReadOnly: 'false',
      EventSource: 'iam.amazonaws.com',
      Username: 'admin',
      AccessKeyId: admin.accessKeyId,
    });
    expect(create.Resources).toContainEqual({ ResourceType: 'AWS::IAM::User', ResourceName: 'mallory' });
    const record = JSON.parse(create.CloudTrailEvent!) as Record<string, unknown>;
    expect(record).toMatchObject({
      eventID: create.EventId,
      eventTime: '2026-01-11T00:00:00Z',
      requestParameters: { userName: 'mallory' },
    });
    expect((record.responseElements as { user: { createDate: string } }).user.createDate).toBe(
      'Jan 11, 2026 12:00:00 AM',
    );
    const eu = await lookup({}, 'eu-west-1');
    expect(eu.Events!.map((e) => e.EventName)).toEqual(['DescribeRegions']);
  });

  // LookupEvents calls are themselves recorded (at day 95); the seeded history ends at day 30.
  const seeded = { EndTime: new Date(START + 31 * DAY) };

  it('filters on each of the eight attribute keys', async () => {
    const all = (await lookup(seeded)).Events!;
    const create = all.find((e) => e.EventName === 'CreateUser')!;
    const cases: [LookupAttributeKey, string, number][] = [
      ['EventId', create.EventId!, 1],
      ['EventName', 'ListUsers', 7],
      ['ReadOnly', 'false', 2],
      ['Username', 'admin', 9],
      ['ResourceType', 'AWS::IAM::User', 1],
      ['ResourceName', 'mallory', 1],
      ['EventSource', 'sts.amazonaws.com', 1],
      ['AccessKeyId', admin.accessKeyId, 9],
    ];
    for (const [AttributeKey, AttributeValue, n] of cases) {
      const r = await lookup({ ...seeded, LookupAttributes: [{ AttributeKey, AttributeValue }] });
      expect([AttributeKey, r.Events!.length]).toEqual([AttributeKey, n]);
    }
  });

  it('honours the time range (inclusive), MaxResults and NextToken, and rejects bad input as AWS does', async () => {
    const inRange = await lookup({
      StartTime: new Date(START + 10 * DAY),
      EndTime: new Date(START + 20 * DAY),
    });
    expect(inRange.Events!.map((e) => e.EventName)).toEqual(['CreateUser']);
    const first = await lookup({ ...seeded, MaxResults: 4 });
    expect(first.Events).toHaveLength(4);
    expect(first.NextToken).toBeDefined();
    const second = await lookup({ ...seeded, MaxResults: 4, NextToken: first.NextToken });
    const third = await lookup({ ...seeded, MaxResults: 4, NextToken: second.NextToken });
    expect(third.NextToken).toBeUndefined();
    expect(new Set([...first.Events!, ...second.Events!, ...third.Events!].map((e) => e.EventId)).size).toBe(
      9,
    );
    await expect(
      lookup({
        ...seeded,
        MaxResults: 4,
        NextToken: first.NextToken,
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListUsers' }],
      }),
    ).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
    await expect(
      lookup({ StartTime: new Date(START + 20 * DAY), EndTime: new Date(START) }),
    ).rejects.toMatchObject({ name: 'InvalidTimeRangeException' });
    await expect(lookup({ MaxResults: 51 })).rejects.toMatchObject({ name: 'InvalidMaxResultsException' });
    await expect(
      lookup({
        LookupAttributes: [
          { AttributeKey: 'EventName', AttributeValue: 'a' },
          { AttributeKey: 'Username', AttributeValue: 'b' },
        ],
      }),
    ).rejects.toMatchObject({ name: 'InvalidLookupAttributesException' });
  });

  it('throttles above 2 requests per second per region, and the SDK retry gets through', async () => {
    sim.state.limits.lookupEventsPerSecond = 2;
    // Hold the wall clock still during the burst so the outcome does not depend on machine load.
    const t0 = Date.now();
    sim.state.wallClock = () => t0;
    const burst = await Promise.allSettled(
      [1, 2, 3, 4].map(() => ct('ap-south-1').send(new LookupEventsCommand({}))),
    );
    expect(burst.filter((b) => b.status === 'fulfilled')).toHaveLength(2);
    const throttled = burst.filter((b) => b.status === 'rejected');
    expect(throttled).toHaveLength(2);
    expect((throttled[0] as PromiseRejectedResult).reason).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    sim.state.wallClock = Date.now;
    // Another region has its own allowance.
    await expect(ct('us-west-2').send(new LookupEventsCommand({}))).resolves.toBeDefined();
    const retrying = ct('ap-south-1', 10);
    const results = await Promise.all([1, 2, 3, 4].map(() => retrying.send(new LookupEventsCommand({}))));
    expect(results.some((r) => r.$metadata.attempts! > 1)).toBe(true);
    const recorded = sim.state
      .account(VICTIM_ACCOUNT)!
      .cloudtrail.events.filter((e) => e.eventName === 'LookupEvents' && e.awsRegion === 'ap-south-1');
    expect(recorded.some((e) => e.errorCode === 'ThrottlingException')).toBe(true);
  });
});
