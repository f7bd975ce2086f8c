/**
 * A small synthetic CloudTrail history for lineage, baseline and timeline tests: alice's key is
 * used normally for weeks, then from a new address to mint sessions (GetSessionToken → role →
 * cross-account role; GetFederationToken → console sign-in), a backdoor key for bob, GPU
 * instances, and a trail stopped. The responder's own calls carry the tourniquet user agent.
 */
export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const ALICE_KEY = 'AKIAALICE0000000001';
export const KEYS = {
  session: 'ASIASESSION00000001',
  role: 'ASIAROLE00000000001',
  cross: 'ASIACROSS0000000001',
  federation: 'ASIAFED000000000001',
  console: 'ASIACONSOLE00000001',
  bob: 'AKIABOB000000000002',
} as const;

const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/s1`;
const CROSS_SESSION = `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/Cross/s2`;
const FEDERATED = `arn:aws:sts::${ACCOUNT}:federated-user/evil`;
const ATTACKER_IP = '198.51.100.7';
const ATTACKER_UA = 'python-requests/2.31';

type Identity = Record<string, unknown>;
const alice = (key: string): Identity => ({
  type: 'IAMUser',
  arn: ALICE,
  accountId: ACCOUNT,
  userName: 'alice',
  principalId: 'AIDAALICE',
  accessKeyId: key,
});
const session = (
  arn: string,
  key: string,
  account = ACCOUNT,
  type = 'AssumedRole',
  created = '',
): Identity => ({
  type,
  arn,
  accountId: account,
  accessKeyId: key,
  sessionContext: { attributes: { creationDate: created, mfaAuthenticated: 'false' } },
});

let counter = 0;
function record(
  time: string,
  source: string,
  name: string,
  identity: Identity,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  counter++;
  return {
    eventVersion: '1.08',
    eventID: `ev-${String(counter).padStart(3, '0')}`,
    eventTime: time,
    eventSource: `${source}.amazonaws.com`,
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: ATTACKER_IP,
    userAgent: ATTACKER_UA,
    userIdentity: identity,
    recipientAccountId: identity.accountId ?? ACCOUNT,
    readOnly: /^(Get|List|Describe)/.test(name),
    eventType: 'AwsApiCall',
    ...extra,
  };
}

const creds = (key: string): Record<string, unknown> => ({
  accessKeyId: key,
  sessionToken: 'x',
  expiration: 'Nov 30, 2024, 8:43:17 PM',
});

/** The records, oldest first. */
export function scenarioRecords(): Record<string, unknown>[] {
  counter = 0;
  const legit = { sourceIPAddress: '10.0.0.5', userAgent: 'aws-cli/2.15.0' };
  const out: Record<string, unknown>[] = [];
  // Baseline: three weeks of normal use from the office.
  for (const day of ['2024-05-01', '2024-05-08', '2024-05-15']) {
    out.push(record(`${day}T09:00:00Z`, 's3', 'ListBuckets', alice(ALICE_KEY), legit));
    out.push(record(`${day}T09:05:00Z`, 'sts', 'GetCallerIdentity', alice(ALICE_KEY), legit));
  }
  // Someone else's activity, never attributed.
  out.push(
    record(
      '2024-05-20T10:00:00Z',
      'iam',
      'CreateUser',
      {
        type: 'IAMUser',
        arn: `arn:aws:iam::${ACCOUNT}:user/carol`,
        accountId: ACCOUNT,
        accessKeyId: 'AKIACAROL0000000001',
      },
      { ...legit, requestParameters: { userName: 'svc' } },
    ),
  );
  // The incident.
  out.push(
    record('2024-05-20T10:00:00Z', 'sts', 'GetSessionToken', alice(ALICE_KEY), {
      responseElements: { credentials: creds(KEYS.session) },
    }),
  );
  out.push(
    record('2024-05-20T10:01:00Z', 'sts', 'AssumeRole', session(ALICE, KEYS.session, ACCOUNT, 'IAMUser'), {
      requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, roleSessionName: 's1' },
      responseElements: { credentials: creds(KEYS.role), assumedRoleUser: { arn: ROLE_SESSION } },
    }),
  );
  out.push(
    record('2024-05-20T10:02:00Z', 'sts', 'AssumeRole', session(ROLE_SESSION, KEYS.role), {
      requestParameters: { roleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Cross`, roleSessionName: 's2' },
      responseElements: { credentials: creds(KEYS.cross), assumedRoleUser: { arn: CROSS_SESSION } },
    }),
  );
  out.push(
    record('2024-05-20T10:03:00Z', 's3', 'ListBuckets', session(CROSS_SESSION, KEYS.cross, OTHER_ACCOUNT)),
  );
  out.push(
    record('2024-05-20T10:05:00Z', 'sts', 'GetFederationToken', alice(ALICE_KEY), {
      requestParameters: { name: 'evil' },
      responseElements: {
        credentials: creds(KEYS.federation),
        federatedUser: { arn: FEDERATED, federatedUserId: `${ACCOUNT}:evil` },
      },
    }),
  );
  out.push(
    record(
      '2024-05-20T10:06:00Z',
      'signin',
      'GetSigninToken',
      session(FEDERATED, KEYS.federation, ACCOUNT, 'FederatedUser'),
    ),
  );
  out.push(
    record(
      '2024-05-20T10:07:00Z',
      'signin',
      'ConsoleLogin',
      { type: 'FederatedUser', arn: FEDERATED, accountId: ACCOUNT },
      {
        responseElements: { ConsoleLogin: 'Success' },
        additionalEventData: { MFAUsed: 'No' },
        eventType: 'AwsConsoleSignIn',
        userAgent: 'Mozilla/5.0',
      },
    ),
  );
  out.push(
    record(
      '2024-05-20T10:08:00Z',
      'ec2',
      'RunInstances',
      session(FEDERATED, KEYS.console, ACCOUNT, 'FederatedUser', '2024-05-20T10:07:02Z'),
      {
        awsRegion: 'ap-southeast-3',
        userAgent: 'Mozilla/5.0',
        sessionCredentialFromConsole: 'true',
        requestParameters: {
          instanceType: 'p3.16xlarge',
          instancesSet: { items: [{ imageId: 'ami-1', minCount: 1, maxCount: 4 }] },
        },
      },
    ),
  );
  out.push(
    record('2024-05-20T10:10:00Z', 'iam', 'CreateAccessKey', session(ROLE_SESSION, KEYS.role), {
      requestParameters: { userName: 'bob' },
      responseElements: { accessKey: { accessKeyId: KEYS.bob, userName: 'bob', status: 'Active' } },
    }),
  );
  for (let i = 0; i < 12; i++) {
    out.push(
      record(`2024-05-20T10:${String(11 + i).padStart(2, '0')}:00Z`, 'iam', 'ListUsers', alice(ALICE_KEY), {
        errorCode: 'AccessDenied',
      }),
    );
  }
  out.push(
    record('2024-05-20T11:30:00Z', 'cloudtrail', 'StopLogging', alice(KEYS.bob), {
      userIdentity: {
        type: 'IAMUser',
        arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
        accountId: ACCOUNT,
        accessKeyId: KEYS.bob,
      },
      requestParameters: { name: 'main' },
    }),
  );
  // The responder's own calls: never findings, never attacker activity.
  out.push(
    record('2024-05-20T12:00:00Z', 'iam', 'PutUserPolicy', alice(ALICE_KEY), {
      userAgent: 'aws-sdk-js/3.0 tourniquet/0.1.0 case/tq-1',
      requestParameters: {
        userName: 'alice',
        policyName: 'TourniquetDenyAll',
        policyDocument: '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
      },
    }),
  );
  return out;
}

/**
 * One call of an IAM user's key (`dev` in ACCOUNT) from `ip`: `api` is `service:Name`
 * (ListUsers by default), for tests of which networks a key had used.
 */
export function keyCall(
  key: string,
  id: string,
  time: string,
  ip: string,
  api = 'iam:ListUsers',
): Record<string, unknown> {
  const [service, name] = api.split(':');
  return {
    eventVersion: '1.08',
    eventID: id,
    eventTime: time,
    eventSource: `${service}.amazonaws.com`,
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: ip,
    userAgent: 'aws-cli/2.9',
    userIdentity: {
      type: 'IAMUser',
      accountId: ACCOUNT,
      accessKeyId: key,
      arn: `arn:aws:iam::${ACCOUNT}:user/dev`,
    },
    recipientAccountId: ACCOUNT,
  };
}
