import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStore, type EventStore } from '../../store/store.js';
import { ingestPaths } from '../../trail/ingest.js';
import { runRules } from '../engine.js';
import { compileSigma } from './compile.js';
import { loadSigmaRules, type SigmaLoad } from './load.js';

const DATASETS = join(process.cwd(), '..', 'shared', 'datasets');
const SIGMA = join(DATASETS, 'sigma-aws-cloudtrail');
const STRATUS = join(DATASETS, 'stratus-detonation-logs');

/** SigmaHQ rule → Stratus files whose records its logic matches (rules by their authors, SigmaHQ, DRL 1.1). */
const FIRES_ON: Record<string, string[]> = {
  aws_cloudtrail_disable_logging: [
    'aws.defense-evasion.cloudtrail-stop',
    'aws.defense-evasion.cloudtrail-delete',
  ],
  aws_cloudtrail_vpc_flow_logs_deleted: ['aws.defense-evasion.vpc-remove-flow-logs'],
  aws_cloudtrail_console_login_success_without_mfa: ['aws.initial-access.console-login-without-mfa'],
  aws_cloudtrail_ssm_malicious_usage: [
    'aws.execution.ssm-send-command',
    'aws.credential-access.ec2-steal-instance-credentials',
  ],
  aws_cloudtrail_security_group_change_ingress_egress: [
    'aws.exfiltration.ec2-security-group-open-port-22-ingress',
  ],
  aws_snapshot_backup_exfiltration: ['aws.exfiltration.ec2-share-ebs-snapshot'],
  aws_iam_backdoor_users_keys: ['aws.persistence.iam-backdoor-user', 'aws.persistence.iam-create-admin-user'],
  aws_new_lambda_layer_attached: ['aws.persistence.lambda-layer-extension'],
  aws_update_login_profile: ['aws.privilege-escalation.iam-update-user-login-profile'],
  aws_sts_assumerole_misuse: [
    'aws.execution.ec2-launch-unusual-instances',
    'aws.defense-evasion.organizations-leave',
  ],
};

describe('the 57 SigmaHQ CloudTrail rules', () => {
  let load: SigmaLoad;
  let store: EventStore;
  const fileOf = new Map<string, string>();

  beforeAll(async () => {
    load = loadSigmaRules(SIGMA);
    store = await openEventStore(':memory:');
    await ingestPaths(store, [STRATUS]);
    for (const r of await store.query<{ eventid: string; sourceref: string }>(
      'SELECT eventid, sourceref FROM cloudtrail_events',
    )) {
      fileOf.set(r.eventid, r.sourceref.replace(/^.*\//, '').replace(/\.json$/, ''));
    }
  });
  afterAll(() => store.close());

  it('all compile or are reported unsupported with a reason, none dropped', () => {
    const files = readdirSync(SIGMA).filter((f) => f.endsWith('.yml'));
    expect(files).toHaveLength(57);
    expect(load.report.map((r) => r.file).sort()).toEqual(files.sort());
    const unsupported = load.report.filter((r) => r.status === 'unsupported');
    expect(unsupported).toEqual([
      expect.objectContaining({
        file: 'aws_delete_saml_provider.yml',
        reason: 'field status is not a CloudTrail record field',
      }),
    ]);
    expect(load.rules).toHaveLength(56);
    for (const rule of load.rules) {
      expect(rule.source).toMatchObject({ kind: 'sigma', license: 'Detection Rule License 1.1' });
    }
  });

  it('every compiled rule runs on the store, and the mapped ones fire on their Stratus files', async () => {
    const run = await runRules(store, load.rules);
    expect(run.failures).toEqual([]);
    for (const [rule, files] of Object.entries(FIRES_ON)) {
      const hit = new Set(
        run.findings
          .filter((f) => f.ruleId === `sigma:${rule}`)
          .flatMap((f) => f.eventIds.map((id) => fileOf.get(id))),
      );
      for (const file of files) expect(hit, `${rule} on ${file}`).toContain(file);
    }
    const finding = run.findings.find((f) => f.ruleId === 'sigma:aws_iam_backdoor_users_keys')!;
    expect(finding.attribution).toBe(
      'Sigma rule aws_iam_backdoor_users_keys by faloker (SigmaHQ, Detection Rule License 1.1)',
    );
    expect(finding.category).toBe('persistence');
    expect(finding.technique).toBe('T1098');
  });
});

describe('the Sigma compiler', () => {
  let store: EventStore;
  let dir: string;
  const rule = (detection: string): string =>
    `title: t\nlogsource:\n  product: aws\n  service: cloudtrail\nlevel: high\ntags:\n  - attack.impact\ndetection:\n${detection}`;
  const fired = async (detection: string): Promise<string[]> => {
    const result = compileSigma(rule(detection), 'x.yml');
    if (!result.ok) throw new Error(result.reason);
    const run = await runRules(store, [result.rule]);
    expect(run.failures).toEqual([]);
    return run.findings.flatMap((f) => f.eventIds).sort();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tq-sigma-'));
    const event = (
      id: string,
      name: string,
      extra: Record<string, unknown> = {},
    ): Record<string, unknown> => ({
      eventVersion: '1.08',
      eventID: id,
      eventTime: '2024-05-01T10:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: name,
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.9',
      userAgent: 'aws-cli/2.15',
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/alice',
        accessKeyId: 'AKIAALICE',
      },
      requestParameters: { userName: 'bob' },
      ...extra,
    });
    writeFileSync(
      join(dir, 'events.json'),
      JSON.stringify({
        Records: [
          event('e1', 'CreateUser'),
          event('e2', 'CreateAccessKey', { userAgent: 'S3 Browser 9.5' }),
          event('e3', 'UpdateFunctionCode20150331v2', {
            eventSource: 'lambda.amazonaws.com',
            requestParameters: { functionName: 'f*n' },
          }),
          event('e4', 'DeleteTrail', { errorCode: 'AccessDenied', eventSource: 'cloudtrail.amazonaws.com' }),
        ],
      }),
    );
    store = await openEventStore(':memory:');
    await ingestPaths(store, [dir]);
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('matches case-insensitively, with lists as OR and suffixed event names', async () => {
    expect(
      await fired('  sel:\n    eventName:\n      - createuser\n      - UpdateFunctionCode\n  condition: sel'),
    ).toEqual(['e1', 'e3']);
  });

  it('matches an API named in another case than CloudTrail writes it, source and name together', async () => {
    // The source and name together make the rule's gate on the APIs present (engine.ts).
    expect(
      await fired('  sel:\n    eventSource: IAM.amazonaws.com\n    eventName: createuser\n  condition: sel'),
    ).toEqual(['e1']);
    expect(
      await fired(
        '  sel:\n    eventSource: lambda.amazonaws.com\n    eventName: updatefunctioncode\n  condition: sel',
      ),
    ).toEqual(['e3']);
  });

  it('supports contains, startswith, endswith, all and wildcards', async () => {
    expect(await fired("  sel:\n    userAgent|contains: 's3 browser'\n  condition: sel")).toEqual(['e2']);
    expect(await fired("  sel:\n    eventName|startswith: 'Update'\n  condition: sel")).toEqual(['e3']);
    expect(await fired("  sel:\n    eventName|endswith: 'Trail'\n  condition: sel")).toEqual(['e4']);
    expect(
      await fired("  sel:\n    userAgent|contains|all:\n      - S3\n      - '9.5'\n  condition: sel"),
    ).toEqual(['e2']);
    expect(await fired("  sel:\n    eventName: 'Create*'\n  condition: sel")).toEqual(['e1', 'e2']);
    // An escaped wildcard is a literal star.
    expect(await fired("  sel:\n    requestParameters.functionName: 'f\\*n'\n  condition: sel")).toEqual([
      'e3',
    ]);
  });

  it('supports re, null, nested JSON fields and fieldref', async () => {
    expect(await fired("  sel:\n    eventName|re: '^Create(User|AccessKey)$'\n  condition: sel")).toEqual([
      'e1',
      'e2',
    ]);
    expect(await fired('  sel:\n    errorCode: null\n  condition: sel')).toEqual(['e1', 'e2', 'e3']);
    expect(await fired('  sel:\n    requestParameters.userName: BOB\n  condition: sel')).toEqual([
      'e1',
      'e2',
      'e4',
    ]);
    expect(
      await fired('  sel:\n    userIdentity.arn|fieldref: userIdentity.arn\n  condition: sel'),
    ).toHaveLength(4);
  });

  it('supports and / or / not, 1 of, all of, them and parentheses', async () => {
    const searches =
      '  a:\n    eventName: CreateUser\n  b:\n    eventName: CreateAccessKey\n  c:\n    errorCode: AccessDenied\n';
    expect(await fired(`${searches}  condition: 1 of a or b`)).toEqual(['e1', 'e2']);
    expect(await fired(`${searches}  condition: not (a or b)`)).toEqual(['e3', 'e4']);
    expect(await fired(`${searches}  condition: all of them`)).toEqual([]);
    expect(await fired(`${searches}  condition: 1 of them and not c`)).toEqual(['e1', 'e2']);
    expect(await fired(`${searches}  condition: (a or c) and not b`)).toEqual(['e1', 'e4']);
  });

  it('reports unsupported constructs by name and reason', () => {
    const reason = (detection: string): string => {
      const r = compileSigma(rule(detection), 'x.yml');
      return r.ok ? 'compiled' : r.reason;
    };
    expect(reason('  sel:\n    eventName|base64: x\n  condition: sel')).toContain('modifier "base64"');
    expect(reason('  sel:\n    - keyword\n  condition: sel')).toContain('keyword list');
    expect(reason('  sel:\n    eventName: x\n  condition: sel | count() by userIdentity.arn > 5')).toContain(
      'aggregation',
    );
    expect(reason('  sel:\n    eventName: x\n  timeframe: 5m\n  condition: sel')).toContain('timeframe');
    expect(reason("  sel:\n    eventName|re: '(?=x)'\n  condition: sel")).toContain('lookaround');
    expect(reason('  sel:\n    resources.ARN: x\n  condition: sel')).toContain('resources array');
    expect(reason('  sel:\n    eventName: x\n  condition: missing')).toContain('unknown search');
    const other = compileSigma(
      'title: w\nlogsource:\n  product: windows\ndetection:\n  s:\n    a: b\n  condition: s',
      'w.yml',
    );
    expect(other).toEqual({
      ok: false,
      title: 'w',
      reason: 'logsource is not product aws, service cloudtrail',
    });
  });
});
