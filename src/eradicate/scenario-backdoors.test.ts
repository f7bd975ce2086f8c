import { CloudFormationClient, ListStackSetsCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient, ListLayersCommand } from '@aws-sdk/client-lambda';
import { ListDocumentsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCleanState } from '../sim/scenarios/index.js';
import { W } from '../sim/scenarios/world.js';
import { respondTo, type EradicateJson, type Played } from './test-support/bar.js';

const ACTIONS = [
  'delete-event-rule',
  'delete-ssm-document',
  'delete-layer-versions',
  'delete-stack-set',
  'restore-function-environment',
];
const FIVE = ['eventbridge-rule', 'ssm-document', 'lambda-layer', 'stackset', 'lambda-env'];

describe('respond --yes on the backdoors scenario: rules, documents, layers, StackSets, environments', () => {
  let p: Played;
  beforeAll(async () => {
    p = await respondTo('backdoors');
  }, 300_000);
  afterAll(() => p?.sim.stop());

  const client = <C>(Client: new (config: Record<string, unknown>) => C, region: string) =>
    new Client({ region, endpoint: p.sim.endpoint, credentials: p.responder, maxAttempts: 1 });

  it('leaves none of the five kinds open, each removed or restored by a step, not a line to do by hand', async () => {
    const unmet = checkCleanState(p.sim.state, p.truth).unmet;
    expect(unmet).toEqual([]);
    const truth = p.truth.persistence.filter((t) => FIVE.includes(t.kind));
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
    const manifest = p.manifest();
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
      (await p.cli(['eradicate', '--case', p.dir, '--verify', '--json'])).out,
    ) as EradicateJson;
    expect(verified.state).toBe('verified');
    const before = p.writes();
    const second = JSON.parse(
      (await p.cli(['eradicate', '--case', p.dir, '--apply', '--json'])).out,
    ) as EradicateJson;
    const ours = (second.plan?.steps ?? []).filter((s) => ACTIONS.includes(s.action));
    expect(ours.map((s) => s.action).sort()).toEqual([...ACTIONS].sort());
    expect(ours.filter((s) => !s.noop)).toEqual([]);
    expect(p.writes()).toBe(before);
    expect(
      second.manual.filter((m) => /EventBridge|SSM document|layer|StackSet|environment/.test(m)),
    ).toEqual([]);
  });
});
