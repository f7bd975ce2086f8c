import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { readAlert } from './read.js';
import type { Trigger } from './trigger.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const json = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown>;

/** Each documented alert shape and what it must say; written from AWS's and GitHub's documented examples. */
const CASES: {
  file: string;
  expect: Partial<Trigger>;
}[] = [
  {
    file: 'guardduty-exfiltration.eventbridge.json',
    expect: {
      source: 'guardduty',
      name: 'GuardDuty finding UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      candidates: ['ASIAEXFILTRATED00001'],
      account: '111122223333',
      region: 'eu-west-1',
      awareness: '2026-03-02T10:06:55.311Z',
      envelopes: ['EventBridge event'],
    },
  },
  {
    file: 'guardduty-bitcointool-dns.json',
    expect: {
      source: 'guardduty',
      candidates: [],
      lead: {
        kind: 'instance',
        instanceId: 'i-0f1e2d3c4b5a69788',
        region: 'ap-southeast-1',
        launchTime: '2026-03-02T08:14:03.000Z',
      },
      account: '111122223333',
      awareness: '2026-03-02T08:21:00.000Z',
      envelopes: [],
    },
  },
  {
    file: 'guardduty-discovery.cli.json',
    expect: {
      name: 'GuardDuty finding Discovery:IAMUser/AnomalousBehavior',
      candidates: ['AKIAIOSFODNN7EXAMPLE'],
      region: 'us-east-1',
      awareness: '2026-03-02T08:09:12.000Z',
      envelopes: ['GuardDuty GetFindings output'],
    },
  },
  {
    file: 'health-credentials-exposed.eventbridge.json',
    expect: {
      source: 'aws-health',
      candidates: ['AKIAIOSFODNN7EXAMPLE'],
      account: '111122223333',
      region: 'us-east-1',
      // startTime is RFC 1123 in Health events.
      awareness: '2026-03-02T09:58:02.000Z',
      reference:
        'arn:aws:health:us-east-1::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_0a1b2c3d4e',
    },
  },
  {
    file: 'health-credentials-exposed.sns.json',
    expect: {
      source: 'aws-health',
      candidates: ['AKIAI44QH8DHBEXAMPLE'],
      account: '111122223333',
      envelopes: ['SNS notification', 'EventBridge event'],
    },
  },
  {
    file: 'quarantine-v2.cloudtrail.json',
    expect: {
      source: 'aws-quarantine',
      name: 'AWS quarantine AWSCompromisedKeyQuarantineV2 attached',
      candidates: ['arn:aws:iam::111122223333:user/dev-sam'],
      awareness: '2026-03-02T09:57:48.000Z',
    },
  },
  {
    file: 'quarantine-v3.eventbridge.json',
    expect: {
      source: 'aws-quarantine',
      candidates: ['arn:aws:iam::111122223333:user/ci-deploy'],
      envelopes: ['EventBridge event'],
    },
  },
  {
    file: 'github-alert.rest.json',
    expect: {
      source: 'github-secret-scanning',
      name: 'GitHub secret-scanning alert #42 in example-org/example-app',
      candidates: ['AKIAIOSFODNN7EXAMPLE'],
      account: null,
      awareness: '2026-03-02T09:55:12.000Z',
    },
  },
  {
    // A list from the REST API: only the access-key alert names a key; the others are not kept.
    file: 'github-alerts.rest-list.json',
    expect: { candidates: ['AKIAIOSFODNN7EXAMPLE'], envelopes: ['list'] },
  },
  {
    file: 'github-alert.webhook.json',
    expect: { source: 'github-secret-scanning', candidates: [], lead: null },
  },
  {
    file: 'cost-anomaly.eventbridge.json',
    expect: {
      source: 'cost-anomaly',
      candidates: [],
      // Root causes by contribution, largest first.
      lead: {
        kind: 'spend',
        service: 'Amazon Elastic Compute Cloud - Compute',
        regions: ['ap-southeast-1', 'sa-east-1'],
        since: '2026-03-02T00:00:00.000Z',
      },
      account: '111122223333',
      awareness: '2026-03-03T06:12:45.000Z',
    },
  },
  {
    file: 'cost-anomaly.sns-lambda.json',
    expect: {
      lead: {
        kind: 'spend',
        service: 'Amazon Elastic Compute Cloud - Compute',
        regions: ['eu-north-1'],
        since: '2026-03-02T00:00:00.000Z',
      },
      awareness: '2026-03-03T06:12:47.330Z',
      envelopes: ['SNS event (Lambda)', 'SNS notification'],
    },
  },
];

function refusal(text: string, name = 'alert.json'): UserError {
  try {
    readAlert(text, name);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('readAlert', () => {
  it.each(CASES)('reads $file', ({ file, expect: expected }) => {
    const trigger = readAlert(fixture(file), file);
    expect(trigger).toMatchObject(expected);
    expect(trigger.summary.length).toBeGreaterThan(0);
    expect(trigger.details.length).toBeGreaterThan(0);
  });

  it('keeps only the chosen alert of a GitHub list as evidence, never the other secrets', () => {
    const trigger = readAlert(fixture('github-alerts.rest-list.json'), 'list.json');
    expect(trigger.evidence).toContain('AKIAIOSFODNN7EXAMPLE');
    expect(trigger.evidence).not.toContain('ghp_');
    expect(trigger.evidence).not.toContain('wJalrXUtnFEMI');
  });

  it('keeps any other document whole as evidence', () => {
    const text = fixture('guardduty-exfiltration.eventbridge.json');
    expect(readAlert(text, 'f.json').evidence).toBe(text);
  });

  it('says what to do with a webhook, which carries no secret', () => {
    const t = readAlert(fixture('github-alert.webhook.json'), 'hook.json');
    expect(t.unresolved).toContain('gh api repos/example-org/example-app/secret-scanning/alerts/42');
  });

  it('reads an alert from a Lambda SNS event holding an EventBridge event', () => {
    const eventBridge = json('quarantine-v3.eventbridge.json');
    const lambda = {
      Records: [
        { EventSource: 'aws:sns', Sns: { Type: 'Notification', Message: JSON.stringify(eventBridge) } },
      ],
    };
    expect(readAlert(JSON.stringify(lambda), 'x').envelopes).toEqual([
      'SNS event (Lambda)',
      'SNS notification',
      'EventBridge event',
    ]);
  });

  it('reads the quarantine record from LookupEvents output, as the AWS CLI prints it', () => {
    const record = json('quarantine-v2.cloudtrail.json');
    const output = {
      Events: [
        { EventId: 'x', EventName: 'AttachUserPolicy', CloudTrailEvent: JSON.stringify(record) },
        {
          EventId: 'y',
          EventName: 'ListUsers',
          CloudTrailEvent: JSON.stringify({ ...record, eventName: 'ListUsers', requestParameters: null }),
        },
      ],
    };
    expect(readAlert(JSON.stringify(output), 'lookup.json')).toMatchObject({
      candidates: ['arn:aws:iam::111122223333:user/dev-sam'],
      envelopes: ['LookupEvents output', 'LookupEvents event'],
    });
  });

  it('reads `aws ce get-anomalies` output (the API members, PascalCase)', () => {
    const output = {
      Anomalies: [
        {
          AnomalyId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
          AnomalyStartDate: '2026-03-02',
          AnomalyEndDate: '2026-03-03',
          DimensionValue: 'Amazon Elastic Compute Cloud - Compute',
          RootCauses: [
            {
              Service: 'Amazon Elastic Compute Cloud - Compute',
              Region: 'eu-north-1',
              LinkedAccount: '111122223333',
              UsageType: 'EUN1-BoxUsage:p3.16xlarge',
              Impact: { Contribution: 640.2 },
            },
          ],
          AnomalyScore: { MaxScore: 0.88, CurrentScore: 0.88 },
          Impact: { MaxImpact: 640.2, TotalImpact: 640.2 },
          MonitorArn: 'arn:aws:ce::111122223333:anomalymonitor/abcdef12-1234-4ea0-84cc-918a97d736ef',
        },
      ],
    };
    expect(readAlert(JSON.stringify(output), 'anomalies.json')).toMatchObject({
      source: 'cost-anomaly',
      lead: { kind: 'spend', regions: ['eu-north-1'], since: '2026-03-02T00:00:00.000Z' },
      account: '111122223333',
      awareness: null,
      envelopes: ['Cost Explorer GetAnomalies output'],
    });
  });

  it('picks the alerts about SUBJECT from a file about several credentials, and refuses to guess', () => {
    const one = json('health-credentials-exposed.eventbridge.json');
    const other = json('quarantine-v3.eventbridge.json');
    const text = JSON.stringify([one, other]);
    expect(refusal(text).message).toMatch(
      /holds 2 alerts about 2 different credentials \(AKIAIOSFODNN7EXAMPLE; arn:aws:iam::111122223333:user\/ci-deploy\)/,
    );
    expect(readAlert(text, 'x', 'AKIAIOSFODNN7EXAMPLE').source).toBe('aws-health');
  });

  it('takes the earliest of several alerts about the same credential', () => {
    const late = json('guardduty-exfiltration.eventbridge.json');
    const early = structuredClone(late);
    (early.detail as Record<string, unknown>).createdAt = '2026-03-02T09:00:00.000Z';
    const t = readAlert(JSON.stringify([late, early]), 'x');
    expect(t.awareness).toBe('2026-03-02T09:00:00.000Z');
    expect(t.details).toContainEqual([
      'Alerts in the file',
      '2 about the same credential; the earliest is used',
    ]);
  });

  const EXPECTED =
    /expected a GuardDuty finding, an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event, .*Cost Anomaly Detection alert/;

  it.each([
    ['an empty file', '', /alert\.json is empty; expected a GuardDuty finding/],
    [
      'text that is not JSON',
      'GuardDuty says hi',
      /alert\.json is not JSON \(.*\); expected a GuardDuty finding/,
    ],
    ['truncated JSON', fixture('guardduty-bitcointool-dns.json').slice(0, 300), /is not JSON/],
    ['an unknown document', '{"hello": "world"}', EXPECTED],
    [
      'an unknown document in an EventBridge event',
      JSON.stringify({ 'detail-type': 'x', source: 'aws.x', detail: { a: 1 } }),
      /\(inside EventBridge event\) is not an alert Tourniquet reads/,
    ],
    ['a JSON number', '42', EXPECTED],
  ])('refuses %s (exit 2, one line naming what was expected)', (_what, text, message) => {
    const e = refusal(text);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  const mutate = (file: string, change: (doc: Record<string, unknown>) => void) => {
    const doc = json(file);
    change(doc);
    return JSON.stringify(doc);
  };

  it.each([
    [
      'a GuardDuty finding whose severity is a word',
      mutate('guardduty-bitcointool-dns.json', (d) => (d.severity = 'HIGH')),
      'ALERT_MALFORMED',
      /malformed GuardDuty finding: severity: Expected number, received string/,
    ],
    [
      'a GuardDuty finding with a date that is not one',
      mutate('guardduty-bitcointool-dns.json', (d) => (d.createdAt = 'yesterday')),
      'ALERT_MALFORMED',
      /createdAt: not a date/,
    ],
    [
      'a GuardDuty finding about an S3 bucket',
      mutate('guardduty-bitcointool-dns.json', (d) => {
        d.type = 'Policy:S3/BucketBlockPublicAccessDisabled';
        d.resource = { resourceType: 'S3Bucket' };
      }),
      'ALERT_UNUSABLE',
      /is about a S3Bucket; Tourniquet starts from findings about an access key/,
    ],
    [
      'a sample GuardDuty finding',
      mutate('guardduty-bitcointool-dns.json', (d) => {
        (d.service as { additionalInfo: Record<string, unknown> }).additionalInfo.sample = true;
      }),
      'ALERT_UNUSABLE',
      /is a sample \(CreateSampleFindings\)/,
    ],
    [
      'a Health event of another type',
      mutate('health-credentials-exposed.eventbridge.json', (d) => {
        (d.detail as Record<string, unknown>).eventTypeCode = 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED';
      }),
      'ALERT_UNUSABLE',
      /AWS Health event AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED is not about exposed credentials; expected AWS_RISK_CREDENTIALS_EXPOSED/,
    ],
    [
      'the attachment of another policy',
      mutate('quarantine-v2.cloudtrail.json', (d) => {
        d.requestParameters = { userName: 'x', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
      }),
      'ALERT_UNUSABLE',
      /AttachUserPolicy of arn:aws:iam::aws:policy\/AdministratorAccess; expected the CloudTrail AttachUserPolicy event of an AWSCompromisedKeyQuarantine policy/,
    ],
    [
      'another CloudTrail event',
      mutate('quarantine-v2.cloudtrail.json', (d) => (d.eventName = 'CreateUser')),
      'ALERT_UNUSABLE',
      /CloudTrail event CreateUser \(iam\.amazonaws\.com\); expected/,
    ],
    [
      'a failed quarantine attachment',
      mutate('quarantine-v2.cloudtrail.json', (d) => (d.errorCode = 'NoSuchEntity')),
      'ALERT_UNUSABLE',
      /failed \(NoSuchEntity\): nothing was quarantined/,
    ],
    [
      'a GitHub alert for a secret access key',
      mutate('github-alert.rest.json', (d) => {
        d.secret_type = 'aws_secret_access_key';
        d.secret_type_display_name = 'Amazon AWS Secret Access Key';
        d.secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
      }),
      'ALERT_UNUSABLE',
      /Amazon AWS Secret Access Key: a secret access key or session token does not name its key id/,
    ],
    [
      'a GitHub alert for a GitHub token',
      mutate('github-alert.rest.json', (d) => (d.secret_type = 'github_personal_access_token')),
      'ALERT_UNUSABLE',
      /expected an Amazon AWS access key id alert/,
    ],
    [
      'a GitHub alert fetched without its secret',
      mutate('github-alert.rest.json', (d) => delete d.secret),
      'ALERT_UNUSABLE',
      /came without its secret \(fetched with hide_secret=true\?\)/,
    ],
    [
      'a cost anomaly whose impact is missing',
      mutate('cost-anomaly.eventbridge.json', (d) => delete (d.detail as Record<string, unknown>).impact),
      'ALERT_MALFORMED',
      /malformed Cost Anomaly Detection alert: impact: Required/,
    ],
    [
      'a cost anomaly with root causes that are not a list',
      mutate(
        'cost-anomaly.eventbridge.json',
        (d) => ((d.detail as Record<string, unknown>).rootCauses = 'EC2'),
      ),
      'ALERT_MALFORMED',
      /malformed Cost Anomaly Detection alert: rootCauses: Expected array, received string/,
    ],
  ])('refuses %s', (_what, text, code, message) => {
    const e = refusal(text);
    expect(e.code).toBe(code);
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
    // The secret of a refused secret-access-key alert is never repeated.
    expect(e.message).not.toContain('wJalrXUtnFEMI');
  });

  it('names the item of a list that is wrong', () => {
    const bad = json('guardduty-bitcointool-dns.json');
    bad.severity = 'HIGH';
    expect(refusal(JSON.stringify([{ hello: 1 }, bad])).message).toMatch(
      /^alert\.json \(item 2\): malformed GuardDuty finding/,
    );
  });
});
