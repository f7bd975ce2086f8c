import { CloudFormationClient, ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient, ListLayersCommand } from '@aws-sdk/client-lambda';
import { ListDocumentsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestPaths, responderWrites, type EradicateJson } from '../eradicate/test-support/bar.js';
import { checkCleanState } from '../sim/scenarios/index.js';
import { W } from '../sim/scenarios/world.js';
import { demoRuns, describeDemo } from '../cli/commands/test-support/demo.js';
import { bedFromDemo, jsonOf, type ScenarioBed, type ScopeJson } from './test-support/respond.js';
import { SCOPE_FILE } from './scope.js';
import { openToAttacker } from './types.js';

/** The name scope gives an item the truth names by ARN (user, role, policy, provider). */
const nameOf = (resource: string): string =>
  resource.replace(/^arn:aws:iam::\d+:(user|role|policy|oidc-provider|saml-provider)\//, '');

const ACTIONS = [
  'delete-event-rule',
  'delete-ssm-document',
  'delete-layer-versions',
  'delete-stack-set',
  'restore-function-environment',
];
const FIVE = ['eventbridge-rule', 'ssm-document', 'lambda-layer', 'stackset', 'lambda-env'];

const demos = demoRuns(['backdoors']);
describeDemo('backdoors', demos);

describe('the backdoors scenario: scope, then eradication of every kind (one respond run)', () => {
  let bed: ScenarioBed;
  let scope: ScopeJson;
  beforeAll(async () => {
    // The demo's respond --yes, served again: the demo's and these checks share one run.
    bed = await bedFromDemo(demos.get('backdoors'));
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

  const client = <C>(Client: new (config: Record<string, unknown>) => C, region: string) =>
    new Client({ region, endpoint: bed.sim.endpoint, credentials: bed.responder, maxAttempts: 1 });

  it('leaves none of the five kinds open, each removed or restored by a step, not a line to do by hand', async () => {
    const unmet = checkCleanState(bed.sim.state, bed.truth).unmet;
    expect(unmet).toEqual([]);
    const truth = bed.truth.persistence.filter((t) => FIVE.includes(t.kind));
    expect(truth.map((t) => t.kind).sort()).toEqual([...FIVE].sort());
    const eu = 'eu-west-1';
    expect((await client(EventBridgeClient, eu).send(new ListRulesCommand({}))).Rules).toEqual([]);
    const docs = await client(SSMClient, eu).send(
      new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Self'] }] }),
    );
    expect(docs.DocumentIdentifiers).toEqual([]);
    const layers = await client(LambdaClient, 'ap-southeast-2').send(new ListLayersCommand({}));
    expect(layers.Layers).toEqual([]);
    const sets = await client(CloudFormationClient, W.region).send(
      new ListStackSetsCommand({ Status: 'ACTIVE' }),
    );
    expect(sets.Summaries).toEqual([]);
    // The environment the attacker set is gone: the function was created without one.
    const fn = await client(LambdaClient, W.region).send(
      new GetFunctionConfigurationCommand({ FunctionName: W.fn }),
    );
    expect(fn.Environment?.Variables ?? {}).toEqual({});
    // Each by a step of the plan, its evidence in the case.
    const manifest = manifestPaths(bed.caseDir());
    for (const file of [
      'rule.json',
      'targets.json',
      'content.json',
      'permissions.json',
      'template',
      'instances.json',
      'configuration.json',
    ])
      expect(
        manifest.some((f) => f.endsWith(`/${file}`)),
        file,
      ).toBe(true);
    expect(manifest.some((f) => /delete-layer-versions.*\/version-1\.json$/.test(f))).toBe(true);
    // Their steps verify, and a second apply changes nothing (no write reaches AWS).
    const verified = JSON.parse(
      (await bed.cli(['eradicate', '--case', bed.caseDir(), '--verify', '--json'])).out,
    ) as EradicateJson;
    expect(verified.state).toBe('verified');
    const before = responderWrites(bed.sim);
    const second = JSON.parse(
      (await bed.cli(['eradicate', '--case', bed.caseDir(), '--apply', '--json'])).out,
    ) as EradicateJson;
    const ours = (second.plan?.steps ?? []).filter((s) => ACTIONS.includes(s.action));
    expect(ours.map((s) => s.action).sort()).toEqual([...ACTIONS].sort());
    expect(ours.filter((s) => !s.noop)).toEqual([]);
    expect(responderWrites(bed.sim)).toBe(before);
    expect(
      second.manual.filter((m) => /EventBridge|SSM document|layer|StackSet|environment/.test(m)),
    ).toEqual([]);
  }, 180_000);
});
