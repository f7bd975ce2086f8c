import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE_FILE } from './scope.js';
import { jsonOf, scenarioBed, type ScenarioBed, type ScopeJson } from './test-support/respond.js';
import { runShell } from '../sim/test-support/aws.js';
import { EXISTING_GROUP, FOREIGN_ACCOUNT, plantWithCli, type Planted } from './test-support/plant-cli.js';

// The quiet scenario's scope (nothing the attacker's) is checked on eradication's quiet run:
// src/eradicate/scenarios-hostile-quiet.test.ts.
describe('scope of a persistence intrusion scripted with the AWS CLI', () => {
  let bed: ScenarioBed;
  let scope: ScopeJson;
  let planted: Planted[];
  beforeAll(async () => {
    bed = await scenarioBed('quiet');
    // The attacker works from an address the key never used.
    bed.sim.state.setApparentIp(bed.leaked!.accessKeyId, '185.220.101.47');
    const group = await runShell(
      bed.sim,
      bed.responder,
      `$AWS iam create-group --group-name ${EXISTING_GROUP} >/dev/null && $AWS iam attach-group-policy --group-name ${EXISTING_GROUP} --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess`,
    );
    expect(group.code, group.stderr).toBe(0);
    planted = await plantWithCli(bed.sim, bed.leaked!);
    await jsonOf(bed, ['respond', bed.leaked!.accessKeyId, '--yes']);
    // What respond's Scope phase found, before its Eradication phase removed it.
    scope = JSON.parse(readFileSync(join(bed.caseDir(), SCOPE_FILE), 'utf8')) as ScopeJson;
  }, 300_000);
  afterAll(() => bed?.sim.stop());

  it('finds every planted item with its kind, name and the attacker’s events', () => {
    for (const p of planted) {
      const found = scope.persistence.filter(
        (i) => i.kind === p.kind && i.name === p.name && i.region === p.region,
      );
      expect(
        found.map((i) => i.attribution),
        `${p.kind} ${p.name}`,
      ).toEqual(['attacker']);
      expect(found[0]!.eventIds.length, `${p.kind} ${p.name}`).toBeGreaterThan(0);
    }
  });

  it("respond's eradication takes svc-reporting out of the group and closes the bus; the group stays", async () => {
    const read = await runShell(
      bed.sim,
      bed.responder,
      `$AWS iam list-groups-for-user --user-name svc-reporting --output json && $AWS iam get-group --group-name ${EXISTING_GROUP} --query Group.GroupName --output text && $AWS events describe-event-bus --region eu-west-1 --output json`,
    );
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain('"Groups": []');
    expect(read.stdout).toContain(`${EXISTING_GROUP}\n`);
    expect(read.stdout).not.toContain('Policy');
  });

  it('names the owner and the foreign account each one admits', () => {
    const one = (kind: string, name: string) =>
      scope.persistence.find((i) => i.kind === kind && i.name === name)!;
    expect(one('role-trust', 'deploy-role').admits).toContain(`arn:aws:iam::${FOREIGN_ACCOUNT}:root`);
    expect(one('bucket-policy', 'acme-customer-data').admits).toContain(
      `arn:aws:iam::${FOREIGN_ACCOUNT}:root`,
    );
    const snapshot = planted.find((p) => p.kind === 'snapshot-share')!;
    expect(one('snapshot-share', snapshot.name).admits).toEqual([FOREIGN_ACCOUNT]);
    expect(one('lambda-url', 'acme-api').admits).toEqual(['*']);
    const key = planted.find((p) => p.kind === 'access-key')!;
    expect(one('access-key', key.name).owner).toBe('ops-admin');
  });

  it('keeps the existing admin, role, bucket, function and snapshot out of the attacker’s creations', () => {
    const origin = (type: string, id: string) =>
      scope.inventory.find((i) => i.type === type && i.id === id)?.attribution;
    expect(origin('AWS::IAM::User', 'ops-admin')?.origin).toBe('pre-existing');
    expect(origin('AWS::IAM::Role', 'deploy-role')).toMatchObject({ origin: 'attacker', how: 'changed' });
    expect(origin('AWS::S3::Bucket', 'acme-customer-data')).toMatchObject({
      origin: 'attacker',
      how: 'changed',
    });
    expect(origin('AWS::Lambda::Function', 'acme-api')).toMatchObject({ origin: 'attacker', how: 'changed' });
    expect(origin('AWS::IAM::User', 'backup-admin')).toMatchObject({ origin: 'attacker', how: 'created' });
    // Nothing planted is reported as pre-existing.
    for (const p of planted)
      expect(
        scope.persistence.filter(
          (i) => i.kind === p.kind && i.name === p.name && i.attribution === 'pre-existing',
        ),
      ).toEqual([]);
  });
});
