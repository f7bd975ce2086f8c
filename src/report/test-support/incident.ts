import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaseFolder } from '../../case/case.js';
import type { Clock } from '../../clock.js';
import type { Finding } from '../../detect/finding.js';
import { openEventStore, STORE_FILE } from '../../store/store.js';
import { ingestPaths } from '../../trail/ingest.js';
import type { AttackerEvent } from '../input.js';

/** Strings attackers plant for the tools that read their traces. */
export const HOSTILE = {
  script: '<script>alert("xss")</script>',
  img: '"><img src=x onerror=alert(1)>',
  ansi: '\u001b[31mRED\u001b[0m\u001b]0;pwned\u0007\u009b2J',
  formula: '=HYPERLINK("http://evil.example/","click")',
};
/** One string carrying all of them. */
export const HOSTILE_ALL = `${HOSTILE.script}${HOSTILE.img}${HOSTILE.ansi}${HOSTILE.formula}`;

export const ACCOUNT = '123456789012';
export const LEAKED_KEY = 'AKIAEXAMPLELEAKED001';
export const SESSION_KEY = 'ASIAEXAMPLESESSION01';
export const ATTACKER_IP = '203.0.113.7';
export const AWARENESS = '2026-03-02T10:00:00.000Z';
export const CONTAINED = '2026-03-02T10:30:00.000Z';
export const AS_OF = new Date('2026-03-02T18:05:00.000Z');

interface RecordSpec {
  id: string;
  time: string;
  name: string;
  source: string;
  region: string;
  key?: string;
  ip?: string;
  agent?: string;
  error?: string;
  req?: unknown;
  resp?: unknown;
}

/** A CloudTrail record in the shape AWS delivers it (aws-facts.md §1.1–1.2). */
export function cloudTrailRecord(spec: RecordSpec): Record<string, unknown> {
  const key = spec.key ?? LEAKED_KEY;
  const session = key.startsWith('ASIA');
  return {
    eventVersion: '1.11',
    userIdentity: session
      ? {
          type: 'AssumedRole',
          principalId: `AROAEXAMPLE:${HOSTILE.img}`,
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/${HOSTILE.img}`,
          accountId: ACCOUNT,
          accessKeyId: key,
        }
      : {
          type: 'IAMUser',
          principalId: 'AIDAEXAMPLE',
          arn: `arn:aws:iam::${ACCOUNT}:user/ci-bot`,
          accountId: ACCOUNT,
          accessKeyId: key,
          userName: 'ci-bot',
        },
    eventTime: spec.time,
    eventSource: spec.source,
    eventName: spec.name,
    awsRegion: spec.region,
    sourceIPAddress: spec.ip ?? ATTACKER_IP,
    userAgent: spec.agent ?? `aws-cli/2.15 ${HOSTILE_ALL}`,
    ...(spec.error ? { errorCode: spec.error, errorMessage: `denied ${HOSTILE.script}` } : {}),
    requestParameters: spec.req ?? null,
    responseElements: spec.resp ?? null,
    requestID: `req-${spec.id}`,
    eventID: spec.id,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

const at = (hhmm: string) => `2026-03-02T${hhmm}:00Z`;
const epoch = (hhmm: string) => Date.parse(at(hhmm));

function instances(ids: string[], type: string, launched: string) {
  return {
    instancesSet: {
      items: ids.map((instanceId) => ({
        instanceId,
        instanceType: type,
        launchTime: epoch(launched),
        blockDeviceMapping: {
          items: [{ deviceName: '/dev/xvda', ebs: { volumeId: `vol-${instanceId.slice(2)}` } }],
        },
      })),
    },
  };
}

/**
 * A crypto-mining intrusion across two regions, with hostile strings in every field an attacker
 * controls; plus one owner call (baseline) and the responder's terminate call.
 */
export function incidentRecords(): Record<string, unknown>[] {
  return [
    cloudTrailRecord({
      id: 'ev-owner',
      time: at('07:00'),
      name: 'ListBuckets',
      source: 's3.amazonaws.com',
      region: 'us-east-1',
      ip: '198.51.100.20',
      agent: 'owner-ci/1.0',
    }),
    cloudTrailRecord({
      id: 'ev-01',
      time: at('08:00'),
      name: 'GetCallerIdentity',
      source: 'sts.amazonaws.com',
      region: 'us-east-1',
    }),
    cloudTrailRecord({
      id: 'ev-assume',
      time: at('08:03'),
      name: 'AssumeRole',
      source: 'sts.amazonaws.com',
      region: 'us-east-1',
      req: { roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy`, roleSessionName: HOSTILE.img },
      resp: {
        credentials: {
          accessKeyId: SESSION_KEY,
          sessionToken: 'token',
          expiration: 'Mar 2, 2026, 9:03:00 AM',
        },
        assumedRoleUser: {
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/${HOSTILE.img}`,
          assumedRoleId: `AROAEXAMPLE:${HOSTILE.img}`,
        },
      },
    }),
    cloudTrailRecord({
      id: 'ev-02',
      time: at('08:01'),
      name: 'ListUsers',
      source: 'iam.amazonaws.com',
      region: 'us-east-1',
      error: 'AccessDenied',
    }),
    cloudTrailRecord({
      id: 'ev-03',
      time: at('08:05'),
      name: 'RunInstances',
      source: 'ec2.amazonaws.com',
      region: 'us-east-1',
      req: {
        instanceType: 'p3.16xlarge',
        tagSpecificationSet: { items: [{ tags: [{ key: 'Name', value: HOSTILE_ALL }] }] },
      },
      resp: instances(['i-0aaa0000000000001', 'i-0aaa0000000000002'], 'p3.16xlarge', '08:05'),
    }),
    cloudTrailRecord({
      id: 'ev-04',
      time: at('08:05'),
      name: 'RunInstances',
      source: 'ec2.amazonaws.com',
      region: 'eu-north-1',
      key: SESSION_KEY,
      req: { instanceType: 'p3.16xlarge' },
      resp: instances(
        ['i-0bbb0000000000001', 'i-0bbb0000000000002', 'i-0bbb0000000000003'],
        'p3.16xlarge',
        '08:05',
      ),
    }),
    cloudTrailRecord({
      id: 'ev-05',
      time: at('08:20'),
      name: 'CreateUser',
      source: 'iam.amazonaws.com',
      region: 'us-east-1',
      agent: `${HOSTILE.formula} ${HOSTILE.ansi}`,
      req: { userName: `backdoor${HOSTILE.img}` },
    }),
    cloudTrailRecord({
      id: 'ev-06',
      time: at('08:30'),
      name: 'GetObject',
      source: 's3.amazonaws.com',
      region: 'us-east-1',
      req: { bucketName: 'payroll', key: `${HOSTILE.formula}.csv` },
    }),
    cloudTrailRecord({
      id: 'ev-responder',
      time: at('18:05'),
      name: 'TerminateInstances',
      source: 'ec2.amazonaws.com',
      region: 'us-east-1',
      key: 'AKIARESPONDER0000001',
      ip: '192.0.2.1',
      agent: 'aws-sdk-js/3 tourniquet/0.1.0 case/tq-test',
      req: {
        instancesSet: {
          items: [{ instanceId: 'i-0aaa0000000000001' }, { instanceId: 'i-0aaa0000000000002' }],
        },
      },
    }),
  ];
}

export const ATTACKER_EVENT_IDS = ['ev-01', 'ev-02', 'ev-assume', 'ev-03', 'ev-04', 'ev-05', 'ev-06'];

/** Findings as the investigation writes them. */
export function incidentFindings(): Finding[] {
  const f = (
    id: string,
    category: Finding['category'],
    severity: Finding['severity'],
    events: string[],
    title: string,
  ): Finding => ({
    id,
    ruleId: `rule-${id}`,
    title,
    category,
    technique: 'T1078.004',
    severity,
    eventIds: events,
    principal: `arn:aws:iam::${ACCOUNT}:user/ci-bot`,
    accessKey: LEAKED_KEY,
    region: 'us-east-1',
    firstSeen: at('08:00'),
    lastSeen: at('08:30'),
    summary: `Check ${HOSTILE.script}`,
  });
  return [
    f('f1', 'recon', 'low', ['ev-01', 'ev-02'], 'Reconnaissance from a new address'),
    f('f2', 'crypto-mining', 'critical', ['ev-03', 'ev-04'], `GPU instances launched ${HOSTILE.img}`),
    f('f3', 'persistence', 'high', ['ev-05'], 'IAM user created'),
    f('f4', 'data-access', 'high', ['ev-06'], 'Object read from a sensitive bucket'),
  ];
}

/** The investigation's lineage (src/detect/lineage.ts shape): the key and one role session. */
export function incidentLineage() {
  const node = (
    key: string,
    via: string,
    principal: string,
    createdAt: string | null,
    createdBy: string | null,
    children: unknown[],
  ) => ({
    key,
    via,
    principal,
    target: null,
    account: ACCOUNT,
    crossAccount: false,
    createdAt,
    createdBy,
    eventCount: 1,
    firstSeen: createdAt,
    lastSeen: createdAt,
    children,
  });
  return {
    roots: [
      node(LEAKED_KEY, 'subject', `arn:aws:iam::${ACCOUNT}:user/ci-bot`, null, null, [
        node(
          SESSION_KEY,
          'AssumeRole',
          `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/${HOSTILE.img}`,
          at('08:03'),
          'ev-assume',
          [],
        ),
      ]),
    ],
    keys: [LEAKED_KEY, SESSION_KEY],
    consoleLoginEventIds: [],
  };
}

/**
 * A real case folder for the incident: case.json and a journal (triage, a verified containment
 * plan), the investigation's output, and a DuckDB event store loaded through the ingest path.
 */
export async function makeIncidentCase(
  dir: string,
  clock: Clock & { set(iso: string): void },
  scratch: string,
  id?: string,
): Promise<string> {
  clock.set(AWARENESS);
  const folder = CaseFolder.create(dir, {
    clock,
    actor: 'responder@test',
    subject: { input: LEAKED_KEY, kind: 'access-key', accessKeyId: LEAKED_KEY, userName: 'ci-bot' },
    awareness: new Date(AWARENESS),
    ...(id ? { id } : {}),
  });
  try {
    folder.update({ account: ACCOUNT });
    folder.record('triage.result', {
      credential: 'access-key',
      owner: `arn:aws:iam::${ACCOUNT}:user/ci-bot`,
      severity: { level: 'P1', reasons: ['admin rights'] },
      notChecked: [],
    });
    await folder.addEvidence(
      'triage.json',
      JSON.stringify({ key: { accessKeyId: LEAKED_KEY, status: 'Active' } }),
      'tourniquet triage',
    );
    clock.set('2026-03-02T10:20:00.000Z');
    folder.markPhase('contain', 'started');
    folder.record('plan.created', {
      planId: 'contain-1',
      purpose: 'contain',
      steps: [{ id: `deactivate-access-key:${ACCOUNT}:${LEAKED_KEY}` }],
    });
    folder.record('step.applied', {
      planId: 'contain-1',
      stepId: `deactivate-access-key:${ACCOUNT}:${LEAKED_KEY}`,
      detail: {},
    });
    clock.set(CONTAINED);
    folder.record('step.verified', {
      planId: 'contain-1',
      stepId: `deactivate-access-key:${ACCOUNT}:${LEAKED_KEY}`,
      ok: true,
      observed: 'Inactive',
    });
    folder.record('plan.applied', { planId: 'contain-1', verified: true, resumed: false, at: CONTAINED });
    folder.record('contain.timing', {
      awareness: AWARENESS,
      commandStart: '2026-03-02T10:20:00.000Z',
      planned: '2026-03-02T10:20:00.000Z',
      verified: CONTAINED,
    });
    folder.markPhase('contain', 'completed');
    folder.update({ status: 'contained' });
  } finally {
    folder.close();
  }
  writeFileSync(
    join(dir, 'investigation.json'),
    JSON.stringify({
      subjectKeys: [LEAKED_KEY],
      findings: incidentFindings(),
      lineage: incidentLineage(),
      window: { since: at('08:00'), until: at('08:30') },
    }),
  );
  const logs = join(scratch, 'incident.json');
  writeFileSync(logs, JSON.stringify({ Records: incidentRecords() }));
  const store = await openEventStore(join(dir, STORE_FILE));
  try {
    await ingestPaths(store, [logs], {});
  } finally {
    store.close();
  }
  return dir;
}

/** An attacker event for pure tests (no store). */
export function attackerEvent(
  partial: Partial<AttackerEvent> & Pick<AttackerEvent, 'eventId' | 'time' | 'eventName'>,
): AttackerEvent {
  return {
    region: 'us-east-1',
    eventSource: 'ec2.amazonaws.com',
    sourceIp: ATTACKER_IP,
    userAgent: 'aws-cli/2.15',
    errorCode: null,
    accessKeyId: LEAKED_KEY,
    principalArn: `arn:aws:iam::${ACCOUNT}:user/ci-bot`,
    requestParameters: null,
    responseElements: null,
    ...partial,
  };
}

/** The incident case built under `root` (a test clock set by the fixture), and its facts as of `AS_OF`. */
export async function incidentFacts(root: string) {
  let now = 0;
  const clock = {
    now: () => new Date(now),
    sleep: () => Promise.resolve(),
    set: (iso: string) => void (now = Date.parse(iso)),
  };
  const dir = await makeIncidentCase(join(root, 'case'), clock, root);
  const { buildFacts } = await import('../build.js');
  return { dir, facts: await buildFacts(dir, { asOf: AS_OF }) };
}
