import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { expect, it } from 'vitest';
import { VICTIM_ACCOUNT } from '../sim/index.js';
import { W } from '../sim/scenarios/world.js';
import { runAws } from '../sim/test-support/aws.js';
import { checkBar, eradicationBar, respondTo } from './test-support/bar.js';

eradicationBar(() => {
  it('persistence: every backdoor gone, the policy and the role trust back byte for byte, the existing admin and its own key intact', async () => {
    const p = await respondTo('persistence');
    await checkBar(p);
    const account = p.sim.state.accountOrThrow(VICTIM_ACCOUNT);
    // The pre-attack documents, as their owners sent them (the set-up's own CloudTrail records).
    const setup = account.cloudtrail.events.filter((e) => !p.truth.attackerEventIds.includes(e.eventID));
    const createRole = setup.find(
      (e) =>
        e.eventName === 'CreateRole' &&
        (e.requestParameters as { roleName?: string }).roleName === W.deployRole,
    )!;
    expect(account.iam.roles[W.deployRole]!.assumeRolePolicyDocument).toBe(
      (createRole.requestParameters as { assumeRolePolicyDocument: string }).assumeRolePolicyDocument,
    );
    const policy = account.iam.policies[`arn:aws:iam::${VICTIM_ACCOUNT}:policy/${W.deployPolicy}`]!;
    const createPolicy = setup.find(
      (e) =>
        e.eventName === 'CreatePolicy' &&
        (e.requestParameters as { policyName?: string }).policyName === W.deployPolicy,
    )!;
    expect(policy.versions.map((v) => v.versionId)).toEqual(['v1']);
    expect(policy.versions[0]!.document).toBe(
      (createPolicy.requestParameters as { policyDocument: string }).policyDocument,
    );
    expect(account.iam.users[W.adminUser]).toBeDefined();
    // The evidence: the backdoor's record, the function's code package, every document changed.
    const files = p.manifest().map((f) => f.split('/').at(-1));
    expect(files).toEqual(
      expect.arrayContaining([
        'user.json',
        'code.zip',
        'configuration.json',
        'trust-policy.json',
        'policy-version-v2.json',
        'oidc-provider.json',
        'key-pair.json',
      ]),
    );
    // The official CLI reads the same account.
    const cli = await runAws(p.sim, p.responder, ['iam', 'get-user', '--user-name', 'svc-backup']);
    expect(cli.stderr).toContain('NoSuchEntity');
  });

  it('cryptomining: instances terminated after a snapshot of every volume (ids in the evidence, snapshots in EC2), groups gone', async () => {
    const p = await respondTo('cryptomining');
    await checkBar(p);
    const listed = p
      .manifest()
      .filter((f) => f.endsWith('/snapshots.json'))
      .flatMap(
        (f) =>
          JSON.parse(readFileSync(join(p.dir, 'evidence', f), 'utf8')) as {
            snapshotId: string;
            volumeId: string;
          }[],
      );
    const instances = p.truth.resourcesCreated.filter((r) => r.type === 'AWS::EC2::Instance');
    expect(listed).toHaveLength(instances.length);
    for (const region of [...new Set(instances.map((i) => i.region!))]) {
      const ec2 = new EC2Client({
        region,
        endpoint: p.sim.endpoint,
        credentials: p.responder,
        maxAttempts: 1,
      });
      const snaps =
        (
          await ec2.send(
            new DescribeSnapshotsCommand({
              OwnerIds: ['self'],
              Filters: [{ Name: 'tag-key', Values: ['tourniquet:case'] }],
            }),
          )
        ).Snapshots ?? [];
      for (const s of snaps) expect(listed.map((l) => l.snapshotId)).toContain(s.SnapshotId);
    }
    expect(p.manifest().filter((f) => f.endsWith('/user-data'))).toHaveLength(instances.length);
    const described = await runAws(
      p.sim,
      p.responder,
      [
        'ec2',
        'describe-instances',
        '--instance-ids',
        instances[0]!.id,
        '--query',
        'Reservations[0].Instances[0].State.Name',
        '--output',
        'text',
      ],
      instances[0]!.region,
    );
    expect(described.stdout.trim()).toBe('terminated');
  });
});
