import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStore, type EventStore } from '../../store/store.js';
import { ingestPaths } from '../../trail/ingest.js';
import { runRules, severityRank } from '../engine.js';
import type { Category, Finding } from '../finding.js';
import { BUILTIN_RULES, checkRules } from './index.js';

const DATASETS = join(process.cwd(), '..', 'shared', 'datasets');
const STRATUS = join(DATASETS, 'stratus-detonation-logs');
const INVICTUS = join(DATASETS, 'invictus-sigma-aws');

/** Stratus Red Team tactic (the file name's second part) → the category a finding must have. */
const EXPECTED: Record<string, Category> = {
  'credential-access': 'credential-access',
  'defense-evasion': 'defense-evasion',
  discovery: 'recon',
  execution: 'execution',
  exfiltration: 'exfiltration',
  impact: 'impact',
  'initial-access': 'initial-access',
  'lateral-movement': 'lateral-movement',
  persistence: 'persistence',
  'privilege-escalation': 'privilege-escalation',
};

describe('the rule catalogue', () => {
  it('is well-formed: unique ids, known categories and severities, ATT&CK ids, one-line explanations', () => {
    expect(checkRules(BUILTIN_RULES)).toEqual([]);
    expect(BUILTIN_RULES.length).toBeGreaterThan(80);
  });

  it('covers every API call the playbook names', () => {
    const text = BUILTIN_RULES.map((r) => r.where).join('\n');
    for (const call of [
      'RunInstances',
      'CreateStack',
      'CreateFunction',
      'CreateBucket',
      'CreateUser',
      'AttachUserPolicy',
      'PutUserPolicy',
      'CreateAccessKey',
      'CreateLoginProfile',
      'UpdateLoginProfile',
      'UpdateAssumeRolePolicy',
      'CreatePolicyVersion',
      'SetDefaultPolicyVersion',
      'GetObject',
      'ListBucket',
      'GetParameter',
      'GetSecretValue',
      'PutBucketPolicy',
      'ModifySnapshotAttribute',
      'ModifyImageAttribute',
      'StopLogging',
      'DeleteTrail',
      'PutEventSelectors',
      'DeleteDetector',
      'ConsoleLogin',
      'GetFederationToken',
      'GetSessionToken',
      'AWSCompromisedKeyQuarantine',
    ]) {
      expect(text, call).toContain(call);
    }
  });
});

describe('on the Stratus Red Team detonation logs', () => {
  let store: EventStore;
  let findings: Finding[];
  const fileOf = new Map<string, string>();

  beforeAll(async () => {
    store = await openEventStore(':memory:');
    await ingestPaths(store, [STRATUS]);
    for (const row of await store.query<{ eventid: string; sourceref: string }>(
      'SELECT eventid, sourceref FROM cloudtrail_events',
    )) {
      fileOf.set(row.eventid, row.sourceref.replace(/^.*\//, '').replace(/\.json$/, ''));
    }
    const run = await runRules(store, BUILTIN_RULES);
    expect(run.failures).toEqual([]);
    findings = run.findings;
  });
  afterAll(() => store.close());

  it('every technique file yields a finding of its tactic category (at least 95% of files)', () => {
    const files = readdirSync(STRATUS)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    expect(files).toHaveLength(35);
    const missed: string[] = [];
    for (const file of files) {
      const want = EXPECTED[file.split('.')[1]!];
      expect(want, file).toBeDefined();
      const hit = findings.some(
        (f) => f.category === want && f.eventIds.some((id) => fileOf.get(id) === file),
      );
      if (!hit) missed.push(file);
    }
    expect(missed).toEqual([]);
    expect((files.length - missed.length) / files.length).toBeGreaterThanOrEqual(0.95);
  });

  it('matches suffixed event names (UpdateFunctionCode20150331v2)', () => {
    const f = findings.find((x) => x.ruleId === 'lambda-code-updated');
    expect(f?.eventIds.map((id) => fileOf.get(id))).toEqual(['aws.persistence.lambda-overwrite-code']);
  });

  it('reports attempts that AWS refused, with the failure count', () => {
    const f = findings.find((x) => x.ruleId === 'ec2-unusual-instances')!;
    expect(f.failedEvents).toBe(1);
    expect(f.summary).toContain('1 failed');
    expect(findings.some((x) => x.ruleId === 'ec2-crypto-mining-launch')).toBe(false);
  });
});

/**
 * Records whose user agent is not Stratus Red Team's that still give high or critical findings,
 * each justified by what the record itself says (the user agent is attacker-controlled, so it is
 * never a reason to stay silent).
 */
const JUSTIFIED: Record<string, string> = {
  'cloudtrail-deleted':
    'Terraform tearing down the Stratus trails: the records are successful DeleteTrail calls, which is exactly what the rule reports.',
  'secrets-read-burst':
    'Terraform refreshing 20 secrets: 20 successful GetSecretValue of distinct secrets within minutes by one principal, the sweep pattern itself.',
  'ec2-instance-credentials-outside':
    'The Stratus steal-instance-credentials detonation with the SDK default user agent: the instance-role session of stratus-red-team-ec2-steal-credentials-role is used from the workstation address 192.168.10.20 as well as the instance.',
};

describe('on the Invictus dataset (one hour of a real account)', () => {
  let store: EventStore;
  let findings: Finding[];
  let userAgent: Map<string, string>;

  beforeAll(async () => {
    store = await openEventStore(':memory:');
    const report = await ingestPaths(store, [INVICTUS]);
    expect(report.records).toBe(2900);
    userAgent = new Map(
      (
        await store.query<{ eventid: string; ua: string | null }>(
          'SELECT eventid, useragent AS ua FROM cloudtrail_events',
        )
      ).map((r) => [r.eventid, r.ua ?? '']),
    );
    findings = (await runRules(store, BUILTIN_RULES)).findings;
  });
  afterAll(() => store.close());

  it('non-Stratus records give no high or critical finding except the justified ones', () => {
    const offenders = new Map<string, number>();
    for (const f of findings.filter((x) => severityRank(x.severity) >= severityRank('high'))) {
      const others = f.eventIds.filter((id) => !userAgent.get(id)!.includes('stratus-red-team'));
      if (others.length) offenders.set(f.ruleId, (offenders.get(f.ruleId) ?? 0) + others.length);
    }
    expect([...offenders.keys()].filter((rule) => !JUSTIFIED[rule])).toEqual([]);
    // The false-positive count reported in the issue note: 2 DeleteTrail + 20 GetSecretValue
    // (the 2 instance-credential records are the real detonation).
    expect(Object.fromEntries(offenders)).toEqual({
      'cloudtrail-deleted': 2,
      'secrets-read-burst': 20,
      'ec2-instance-credentials-outside': 2,
    });
  });

  it('finds the Stratus detonations in the same hour', () => {
    const rules = new Set(findings.map((f) => f.ruleId));
    for (const id of [
      'cloudtrail-stopped',
      'organization-leave',
      's3-bucket-policy-foreign-account',
      'log-bucket-lifecycle-short',
    ]) {
      expect(rules, id).toContain(id);
    }
  });
});
