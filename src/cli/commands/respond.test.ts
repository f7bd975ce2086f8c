import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetAccessKeyLastUsedCommand, ListAccessKeysCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../sim/index.js';
import {
  attackerSessions,
  cli,
  deployRole,
  iam,
  outcome,
  probe,
  simWithResponder,
  sts,
  tempDir,
  victimUser,
  type Creds,
} from './contain.fixture.js';

const ATTACKER_IP = '203.0.113.66';

let sim: RunningSim;
let responder: Creds;
beforeAll(async () => {
  ({ sim, responder } = await simWithResponder());
});
afterAll(async () => {
  await sim.stop();
});

interface RespondJson {
  dir: string;
  resumed: boolean;
  contained: boolean;
  clean: boolean;
  partial: boolean;
  phases: { phase: string; state: string; summary: string }[];
  coverage: { source: string; region: string; state: string }[];
  needsHuman: string[];
  reports: { html: string; md: string; csv: string };
  facts: { regions: string[]; attackerIps: string[]; timeline: { eventName: string }[] };
}

/** A compromised user key, used by the attacker through the SDK from their own address. */
async function compromise(name: string) {
  const victim = await victimUser(sim.endpoint, responder, name);
  sim.state.setApparentIp(victim.key.accessKeyId, ATTACKER_IP);
  const roleArn = await deployRole(sim.endpoint, responder, victim.arn, `${name}-deploy`);
  await sts(sim.endpoint, victim.key).send(new GetCallerIdentityCommand({}));
  await iam(sim.endpoint, victim.key).send(new ListUsersCommand({}));
  const ec2 = new EC2Client({
    region: 'eu-north-1',
    endpoint: sim.endpoint,
    credentials: victim.key,
    maxAttempts: 1,
  });
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  await ec2.send(
    new RunInstancesCommand({
      ImageId: images.Images![0]!.ImageId!,
      InstanceType: 'p3.8xlarge',
      MinCount: 2,
      MaxCount: 2,
    }),
  );
  const sessions = await attackerSessions(sim.endpoint, victim.key, roleArn);
  return { victim, sessions };
}

describe('tourniquet respond against the simulated account', () => {
  it('contains the key and its sessions, collects every region, investigates and writes the reports; a re-run skips what is done', async () => {
    const cwd = tempDir();
    const { victim, sessions } = await compromise('build-bot');
    expect(await probe(sim.endpoint, sessions.session)).toBe('ok');

    const first = await cli(
      ['respond', victim.key.accessKeyId, '--yes', '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    expect(first.err).not.toMatch(/error:/);
    const r = JSON.parse(first.out) as RespondJson;
    expect(r.phases.map((p) => [p.phase, p.state === 'done' || p.state === 'partial'])).toEqual([
      ['triage', true],
      ['contain', true],
      ['collect', true],
      ['investigate', true],
      ['scope', true],
      ['eradicate', true],
      ['recover', true],
      ['report', true],
    ]);
    expect(r.contained).toBe(true);
    expect([0, 3]).toContain(first.code);
    expect(first.code).toBe(r.partial ? 3 : 0);

    // Read back from the account: the key is inactive and every derived session is refused.
    const keys = await iam(sim.endpoint, responder).send(
      new ListAccessKeysCommand({ UserName: 'build-bot' }),
    );
    expect(keys.AccessKeyMetadata?.find((k) => k.AccessKeyId === victim.key.accessKeyId)?.Status).toBe(
      'Inactive',
    );
    for (const s of [sessions.session, sessions.federated, sessions.role!])
      expect(await probe(sim.endpoint, s)).not.toBe('ok');
    expect(
      await outcome(() =>
        iam(sim.endpoint, victim.key).send(
          new GetAccessKeyLastUsedCommand({ AccessKeyId: victim.key.accessKeyId }),
        ),
      ),
    ).not.toBe('ok');

    // Collection covered every region; the attacker's launch region and address are in the facts.
    const regions = new Set(
      r.coverage.filter((c) => c.source.startsWith('LookupEvents')).map((c) => c.region),
    );
    expect(regions.size).toBeGreaterThanOrEqual(17);
    expect(r.facts.regions).toContain('eu-north-1');
    expect(r.facts.attackerIps).toContain(ATTACKER_IP);
    expect(r.facts.timeline.map((e) => e.eventName)).toContain('RunInstances');
    for (const file of Object.values(r.reports)) expect(existsSync(file)).toBe(true);
    const html = readFileSync(r.reports.html, 'utf8');
    expect(html).toContain('RunInstances');
    expect(html).toContain(ATTACKER_IP);
    expect(existsSync(join(r.dir, 'coverage.json'))).toBe(true);
    expect(r.needsHuman.join('\n')).toMatch(/AWS Support|resources? the attacker created/);

    // With --yes the attacker's instances are eradicated, each after an evidence snapshot; the case is clean.
    const ec2 = new EC2Client({
      region: 'eu-north-1',
      endpoint: sim.endpoint,
      credentials: responder,
      maxAttempts: 1,
    });
    const instances =
      (await ec2.send(new DescribeInstancesCommand({}))).Reservations?.flatMap((x) => x.Instances ?? []) ??
      [];
    expect(instances.map((i) => i.State?.Name)).toEqual(['terminated', 'terminated']);
    const snapshots = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag-key', Values: ['tourniquet:case'] }],
      }),
    );
    expect(snapshots.Snapshots).toHaveLength(2);
    expect(r.clean).toBe(true);

    const again = await cli(
      ['respond', victim.key.accessKeyId, '--yes', '--json', '--case', r.dir],
      sim.endpoint,
      responder,
      cwd,
    );
    const r2 = JSON.parse(again.out) as RespondJson;
    expect(r2.resumed).toBe(true);
    expect(r2.phases.map((p) => p.state)).toEqual([
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
  }, 120_000);

  it('without --yes and without a terminal, containment is planned but not applied (exit 3); a re-run with --yes continues the same case', async () => {
    const cwd = tempDir();
    const { victim, sessions } = await compromise('report-bot');
    const first = await cli(['respond', victim.key.accessKeyId, '--json'], sim.endpoint, responder, cwd);
    expect(first.code).toBe(3);
    const r = JSON.parse(first.out) as RespondJson;
    expect(r.phases.find((p) => p.phase === 'contain')?.state).toBe('declined');
    expect(r.contained).toBe(false);
    expect(await probe(sim.endpoint, sessions.session)).toBe('ok');

    const second = await cli(
      ['respond', victim.key.accessKeyId, '--yes', '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    const r2 = JSON.parse(second.out) as RespondJson;
    expect(r2.dir).toBe(r.dir);
    expect(r2.resumed).toBe(true);
    expect(r2.phases.map((p) => [p.phase, p.state])).toEqual([
      ['triage', 'skipped'],
      ['contain', 'done'],
      ['collect', 'skipped'],
      ['investigate', 'skipped'],
      ['scope', 'skipped'],
      ['eradicate', 'done'],
      ['recover', 'skipped'],
      ['report', 'done'],
    ]);
    expect(r2.contained).toBe(true);
    expect(await probe(sim.endpoint, sessions.session)).not.toBe('ok');
    expect(readFileSync(r2.reports.md, 'utf8')).not.toMatch(/containment has not been verified/);
  }, 120_000);

  it('a collection cut off mid-way (the endpoint goes away) resumes on the next run without asking a finished region again', async () => {
    const cwd = tempDir();
    const { victim } = await compromise('sync-bot');
    const first = sim;
    // At AWS's pace: the collection must still be under way when the endpoint goes.
    const run1 = cli(
      ['respond', victim.key.accessKeyId, '--yes', '--json'],
      first.endpoint,
      responder,
      cwd,
      2,
    );
    // Cut the connection once the first regions are checkpointed in the journal.
    const journal = (): string[] => {
      const root = join(cwd, 'cases');
      const [id] = existsSync(root) ? readdirSync(root) : [];
      const file = id ? join(root, id, 'journal.jsonl') : '';
      return file && existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
    };
    while (journal().filter((l) => l.includes('"collect.lookup"')).length < 3)
      await new Promise((r) => setTimeout(r, 20));
    await first.stop();
    const cut = await run1;
    expect(cut.code).toBe(1);
    const doneBefore = journal().filter((l) => l.includes('"collect.lookup"')).length;

    sim = await startSim({ port: 0, state: first.state, lookupEventsPerSecond: 20 });
    const again = await cli(
      ['respond', victim.key.accessKeyId, '--yes', '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    const r = JSON.parse(again.out) as RespondJson;
    expect(r.resumed).toBe(true);
    expect(r.phases.map((p) => [p.phase, p.state === 'skipped'])).toEqual([
      ['triage', true],
      ['contain', true],
      ['collect', false],
      ['investigate', false],
      ['scope', false],
      ['eradicate', false],
      ['recover', false],
      ['report', false],
    ]);
    const checkpoints = journal()
      .filter((l) => l.includes('"collect.lookup"'))
      .map((l) => (JSON.parse(l) as { data: { region: string; value: string; status: string } }).data)
      .filter((c) => c.status === 'complete')
      .map((c) => `${c.region} ${c.value}`);
    expect(doneBefore).toBeGreaterThanOrEqual(3);
    expect(checkpoints.length).toBeGreaterThanOrEqual(doneBefore);
    expect(new Set(checkpoints).size).toBe(checkpoints.length);
    expect(r.facts.regions).toContain('eu-north-1');
  }, 120_000);
});
