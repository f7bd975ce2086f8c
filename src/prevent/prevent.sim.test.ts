import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateLoginProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createUserWithKey, SimClock, startSim, VICTIM_ACCOUNT, type RunningSim } from '../sim/index.js';
import { runAws, sdkConfig, type Creds } from '../sim/test-support/aws.js';
import { runCli } from '../test-support/cli.js';
import type { AuditReport } from '../audit/types.js';
import type { PreventResult } from './prevent.js';

let sim: RunningSim;
let admin: Creds;
let root: string;
let out: string;
let result: PreventResult;

const clock = () => ({
  now: () => sim.clock.now(),
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
});

beforeAll(async () => {
  sim = await startSim({
    port: 0,
    seed: 23,
    clock: new SimClock({ start: '2026-03-01T00:00:00Z', frozen: true }),
  });
  root = mkdtempSync(join(tmpdir(), 'tq-prevent-'));
  out = join(root, 'guard-rails');
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  // A CI user whose key works in eu-west-1, and a person with a console password and a key.
  const ci = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'ci-deploy', {
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  }).key;
  createUserWithKey(sim.state, VICTIM_ACCOUNT, 'dana');
  await new IAMClient(sdkConfig(sim, admin)).send(
    new CreateLoginProfileCommand({ UserName: 'dana', Password: 'Correct-Horse-9' }),
  );
  sim.clock.advance(30 * 86_400_000);
  await new EC2Client(sdkConfig(sim, ci, 'eu-west-1')).send(new DescribeInstancesCommand({}));
  const r = await runCli(['prevent', '--json', '--out', out, '--break-glass-role', 'IncidentBreakGlass'], {
    endpoint: sim.endpoint,
    creds: admin,
    root,
    clock: clock(),
  });
  if (r.code !== 0) throw new Error(r.err);
  result = JSON.parse(r.out) as PreventResult;
}, 120_000);
afterAll(async () => {
  await sim.stop();
});

describe('tourniquet prevent on a simulated account', () => {
  it('tailors the region allow-list to where keys are used and names the break-glass role', () => {
    expect(result.regions).toEqual({
      allowed: ['eu-west-1', 'us-east-1'],
      fromKeys: ['eu-west-1', 'us-east-1'],
      given: [],
    });
    const regionScp = JSON.parse(readFileSync(join(out, 'scp-region-allow-list.json'), 'utf8')) as {
      Statement: {
        Condition: { StringNotEquals: Record<string, string[]>; ArnNotLike: Record<string, string> };
      }[];
    };
    expect(regionScp.Statement[0]!.Condition.StringNotEquals['aws:RequestedRegion']).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);
    expect(regionScp.Statement[0]!.Condition.ArnNotLike['aws:PrincipalArn']).toBe(
      'arn:aws:iam::*:role/IncidentBreakGlass',
    );
    for (const f of ['scp-protect-security.json', 'scp-data-and-compute.json', 'iam-mfa-enforcement.json'])
      expect(() => JSON.parse(readFileSync(join(out, f), 'utf8')) as unknown).not.toThrow();
  });

  it('plans to replace every key: the person to Identity Center, the workload to a role', () => {
    const plan = Object.fromEntries(result.keyPlan.map((k) => [k.user, k]));
    expect(plan['ci-deploy']).toMatchObject({
      lastUsedRegion: 'eu-west-1',
      lastUsedService: 'ec2',
      consoleUser: false,
      ageDays: 30,
    });
    expect(plan['ci-deploy']!.replaceWith).toMatch(/^a workload calling ec2 in eu-west-1: give it a role/);
    expect(plan.dana!.consoleUser).toBe(true);
    expect(plan.dana!.lastUsed).toBeUndefined();
    expect(plan.dana!.replaceWith).toBe('never used: deactivate now, delete after a week without complaints');
    const md = readFileSync(join(out, 'key-replacement-plan.md'), 'utf8');
    expect(md).toContain(`| ci-deploy | ${plan['ci-deploy']!.keyId} | Active | 30 |`);
  });

  it('the alert template deploys on the simulated CloudFormation (AWS CLI) and its rules exist; audit then passes the alarm checks', async () => {
    const template = parse(readFileSync(join(out, 'alerts.cfn.yaml'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    expect(
      Object.values(template.Resources)
        .map((r) => r.Type)
        .sort(),
    ).toEqual([
      'AWS::Events::Rule',
      'AWS::Events::Rule',
      'AWS::Events::Rule',
      'AWS::Events::Rule',
      'AWS::Events::Rule',
      'AWS::SNS::Topic',
      'AWS::SNS::TopicPolicy',
    ]);
    const deploy = await runAws(sim, admin, [
      'cloudformation',
      'create-stack',
      '--stack-name',
      'tourniquet-alerts',
      '--template-body',
      `file://${join(out, 'alerts.cfn.yaml')}`,
    ]);
    expect(deploy.stderr).toBe('');
    const events = new EventBridgeClient(sdkConfig(sim, admin));
    const rules = (await events.send(new ListRulesCommand({}))).Rules ?? [];
    expect(rules.map((r) => [r.Name, r.State])).toEqual([
      ['tourniquet-access-key-created', 'ENABLED'],
      ['tourniquet-console-failures', 'ENABLED'],
      ['tourniquet-guardduty-high', 'ENABLED'],
      ['tourniquet-iam-changes', 'ENABLED'],
      ['tourniquet-root-use', 'ENABLED'],
    ]);
    const targets =
      (await events.send(new ListTargetsByRuleCommand({ Rule: 'tourniquet-root-use' }))).Targets ?? [];
    expect(targets).toEqual([
      { Id: 'security-alerts', Arn: `arn:aws:sns:us-east-1:${VICTIM_ACCOUNT}:tourniquet-security-alerts` },
    ]);
    const audit = await runCli(['audit', '--json', '--only-region', 'us-east-1'], {
      endpoint: sim.endpoint,
      creds: admin,
      root,
      clock: clock(),
    });
    const report = JSON.parse(audit.out) as AuditReport;
    expect(report.checks.filter((c) => c.id.startsWith('alarms.')).map((c) => [c.id, c.status])).toEqual([
      ['alarms.root-use', 'pass'],
      ['alarms.iam-changes', 'pass'],
      ['alarms.console-failures', 'pass'],
    ]);
  });
});
