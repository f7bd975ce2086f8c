import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, scenarioBed, type ScenarioBed, type ScopeJson } from './test-support/respond.js';
import { SCOPE_FILE } from './scope.js';
import { openToAttacker } from './types.js';

/** The name scope gives an item the truth names by ARN (user, role, policy, provider). */
const nameOf = (resource: string): string =>
  resource.replace(/^arn:aws:iam::\d+:(user|role|policy|oidc-provider|saml-provider)\//, '');

describe('scope of the backdoors scenario (one respond run)', () => {
  let bed: ScenarioBed;
  let scope: ScopeJson;
  beforeAll(async () => {
    bed = await scenarioBed('backdoors');
    await jsonOf(bed, ['respond', bed.truth.leakedAccessKeyId!, '--yes']);
    scope = JSON.parse(readFileSync(join(bed.caseDir(), SCOPE_FILE), 'utf8')) as ScopeJson;
  }, 300_000);
  afterAll(() => bed?.sim.stop());

  const matches = (p: ScopeJson['persistence'][number], kind: string, resource: string): boolean =>
    p.kind === kind && (p.name === resource || p.name === nameOf(resource) || p.arn === resource);

  it('finds every backdoor the attacker left, by kind and name, with the events that made it', () => {
    const truth = bed.truth.persistence;
    // One of each kind of the scope data contract (BOARD.md), in four regions.
    expect(truth.map((t) => t.kind).sort()).toEqual(
      [
        'iam-user',
        'access-key',
        'login-profile',
        'mfa-device',
        'ssh-key',
        'inline-policy',
        'policy-attachment',
        'policy-version',
        'role-trust',
        'saml-provider',
        'oidc-provider',
        'key-pair',
        'snapshot-share',
        'ami-share',
        'bucket-policy',
        'bucket-acl',
        'lambda-url',
        'lambda-permission',
        'lambda-layer',
        'lambda-env',
        'eventbridge-rule',
        'ssm-document',
        'stackset',
        'role-session',
        'federation-token',
      ].sort(),
    );
    expect(new Set(truth.map((t) => t.region)).size).toBeGreaterThanOrEqual(4);
    const attackerEvents = new Set(bed.truth.attackerEventIds);
    const missing: string[] = [];
    for (const t of truth) {
      const found = scope.persistence.filter((p) => matches(p, t.kind, t.resource));
      if (found.length === 0) {
        missing.push(`${t.kind} ${t.resource}`);
        continue;
      }
      const label = `${t.kind} ${t.resource}`;
      expect(
        found.map((p) => p.attribution),
        label,
      ).toEqual(found.map(() => 'attacker'));
      expect(t.eventIds?.length, label).toBeGreaterThan(0);
      const ids = new Set(found.flatMap((p) => p.eventIds));
      for (const id of t.eventIds ?? []) expect(ids.has(id), `${label}: truth event ${id}`).toBe(true);
      for (const id of ids)
        expect(attackerEvents.has(id), `${label}: ${id} is not the attacker's`).toBe(true);
    }
    expect(missing).toEqual([]);
  });

  it('tells the legitimate cross-account trust and old second key apart, and marks nothing of the owner attacker', () => {
    expect(bed.truth.preExisting.map((p) => p.kind).sort()).toEqual(['access-key', 'role-trust']);
    for (const p of bed.truth.preExisting) {
      const found = scope.persistence.filter((i) => matches(i, p.kind, p.resource));
      expect(found.length, `${p.kind} ${p.resource}`).toBeGreaterThan(0);
      expect(new Set(found.map((i) => i.attribution)), `${p.kind} ${p.resource}`).toEqual(
        new Set(['pre-existing']),
      );
    }
    const attackerEvents = new Set(bed.truth.attackerEventIds);
    for (const p of scope.persistence.filter((i) => i.attribution === 'attacker'))
      expect(
        p.eventIds.length > 0 && p.eventIds.every((id) => attackerEvents.has(id)),
        `${p.kind} ${p.name}`,
      ).toBe(true);
  });

  it('respond’s eradication leaves none of them open: a scope run afterwards finds each gone or put back', async () => {
    const { json: after } = await jsonOf<ScopeJson>(bed, ['scope']);
    const open = after.persistence.filter(openToAttacker).map((p) => p.id);
    expect(open).toEqual([]);
    // Put back, not deleted: the trust, the policy's default version, the bucket policy, the function's environment.
    expect(
      after.persistence
        .filter((p) => p.restored)
        .map((p) => p.kind)
        .sort(),
    ).toEqual(['bucket-policy', 'lambda-env', 'policy-version', 'role-trust']);
    // The sessions the key minted are live until they expire, refused by containment.
    expect(
      after.persistence
        .filter((p) => p.cutOffBy)
        .map((p) => p.kind)
        .sort(),
    ).toEqual(['federation-token', 'role-session']);
    // The owner's legitimate trust and key are still there.
    for (const p of bed.truth.preExisting)
      expect(
        after.persistence.some((i) => matches(i, p.kind, p.resource)),
        `${p.kind} ${p.resource}`,
      ).toBe(true);
  });
});
