import { publicImages } from '../services/ec2/images.js';
import { EXTERNAL_ACCOUNT, VICTIM_ACCOUNT, type SimState } from '../state.js';
import { createOrganization, type Organization } from '../services/organizations/index.js';
import type { Actor, Step } from './types.js';
import { zipOneFile } from '../services/lambda/zip.js';

/** The organisation's production account, reachable from the victim's deploy role. */
export const PROD_ACCOUNT = '222233334444';

/** The organisation's log-archive account (the organisation trail's bucket) and security-tooling account. */
export const LOG_ARCHIVE_ACCOUNT = '555566667777';
export const TOOLING_ACCOUNT = '666677778888';

/** Names of the victim account's resources, shared by the setup, the baseline and the scenarios. */
export const W = {
  account: VICTIM_ACCOUNT,
  external: EXTERNAL_ACCOUNT,
  prod: PROD_ACCOUNT,
  /** The external auditors' account, trusted by `auditRole` since the set-up (legitimately). */
  auditor: '777788889999',
  auditRole: 'partner-audit',
  /** The developer whose key leaks; the same key also runs the CI pipeline. */
  devUser: 'dev-sam',
  adminUser: 'ops-admin',
  reportingUser: 'svc-reporting',
  deployRole: 'deploy-role',
  appRole: 'app-server-role',
  lambdaRole: 'lambda-exec-role',
  prodRole: 'prod-deploy',
  deployPolicy: 'app-deploy-policy',
  artifacts: 'acme-app-artifacts',
  customerData: 'acme-customer-data',
  trailBucket: 'acme-cloudtrail-logs',
  trail: 'acme-main',
  logArchive: LOG_ARCHIVE_ACCOUNT,
  tooling: TOOLING_ACCOUNT,
  orgTrailBucket: 'acme-org-trail-logs',
  orgTrail: 'acme-organisation',
  fn: 'acme-api',
  stack: 'acme-static',
  staticBucket: 'acme-static-assets',
  region: 'us-east-1',
  secrets: ['prod/db/password', 'prod/stripe/api-key', 'prod/partner/api-token'],
  parameters: [
    '/app/prod/db-host',
    '/app/prod/db-password',
    '/app/prod/stripe-key',
    '/app/dev/feature-flags',
  ],
  customerObjects: [
    'customers/2026-09.csv',
    'customers/2026-10.csv',
    'exports/cards-tokenized.csv',
    'hr/salaries-2026.xlsx',
  ],
};

export const arn = {
  user: (name: string) => `arn:aws:iam::${VICTIM_ACCOUNT}:user/${name}`,
  role: (name: string, account = VICTIM_ACCOUNT) => `arn:aws:iam::${account}:role/${name}`,
  policy: (name: string) => `arn:aws:iam::${VICTIM_ACCOUNT}:policy/${name}`,
};

/** Amazon Linux 2023 (x86_64) in a region: the public image the simulated EC2 offers there. */
export function amiFor(region: string): string {
  const image = publicImages(region).find(
    (i) => i.name.startsWith('al2023-ami') && i.architecture === 'x86_64',
  );
  if (!image) throw new Error(`no Amazon Linux image in ${region}`);
  return image.imageId;
}

/** The people and machines of the normal workload. */
export const NORMAL_ACTORS: Actor[] = [
  {
    name: 'developer',
    kind: 'developer',
    ip: '198.51.100.23',
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Darwin/23.3.0 exe/x86_64 prompt/off',
  },
  {
    name: 'ci',
    kind: 'ci',
    ip: '3.91.44.107',
    userAgent: 'aws-sdk-js/3.600.0 ua/2.0 os/linux#5.15.0-1051-aws lang/js md/nodejs#20.11.1 api/ci-pipeline',
  },
  {
    name: 'admin',
    kind: 'admin',
    ip: '198.51.100.40',
    userAgent: 'aws-cli/2.17.2 Python/3.11.9 Linux/6.5.0-35-generic exe/x86_64.ubuntu.22 prompt/off',
  },
  {
    name: 'admin-browser',
    kind: 'admin',
    ip: '198.51.100.40',
    userAgent: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  },
  {
    name: 'prod-admin',
    kind: 'admin',
    ip: '198.51.100.40',
    userAgent: 'aws-cli/2.17.2 Python/3.11.9 Linux/6.5.0-35-generic exe/x86_64.ubuntu.22 prompt/off',
  },
];

const doc = (statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statement });

/** The developer's permissions: nearly everything, minus billing and account-wide IAM reports. */
export const DEVELOPER_POLICY = doc([
  { Effect: 'Allow', Action: '*', Resource: '*' },
  {
    Sid: 'NoBillingNoAccountReports',
    Effect: 'Deny',
    Action: [
      'ce:*',
      'iam:GetAccountAuthorizationDetails',
      'iam:GenerateCredentialReport',
      'iam:GetCredentialReport',
    ],
    Resource: '*',
  },
]);

const trust = (principal: unknown) =>
  doc([{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }]);

const APP_ZIP = zipOneFile(
  'app.py',
  'import json\n\ndef handler(event, context):\n    return {"statusCode": 200, "body": json.dumps({"ok": True})}\n',
);

/** A deployment package as CI builds it (build number in the code). */
export function appZip(build: number): Uint8Array {
  return zipOneFile(
    'app.py',
    `BUILD = ${build}\n\ndef handler(event, context):\n    return {"statusCode": 200, "body": str(BUILD)}\n`,
  );
}

const adm = (
  at: number,
  service: Step['service'],
  op: string,
  input?: Step['input'],
  extra: Partial<Step> = {},
): Step => ({
  at,
  actor: 'admin',
  service,
  op,
  ...(input ? { input } : {}),
  ...extra,
});

const MIN = 60_000;

/**
 * How the account came to be, a month before the end of the history: made by the admin through
 * the API, so it is in Event history and in the trail like any real set-up.
 */
export function setupSteps(): Step[] {
  const steps: Step[] = [];
  let t = 0;
  const next = () => (t += 2 * MIN);
  const s = (service: Step['service'], op: string, input?: Step['input'], extra: Partial<Step> = {}) =>
    steps.push(adm(next(), service, op, input, extra));
  // Logging first: bucket with CloudTrail's delivery policy, then the trail with S3 data events
  // for the sensitive bucket.
  s('s3', 'CreateBucket', { Bucket: W.trailBucket });
  s('s3', 'PutBucketPolicy', {
    Bucket: W.trailBucket,
    Policy: doc([
      {
        Sid: 'AWSCloudTrailAclCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${W.trailBucket}`,
      },
      {
        Sid: 'AWSCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${W.trailBucket}/AWSLogs/${VICTIM_ACCOUNT}/*`,
      },
    ]),
  });
  s('cloudtrail', 'CreateTrail', {
    Name: W.trail,
    S3BucketName: W.trailBucket,
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: false,
  });
  s('cloudtrail', 'PutEventSelectors', {
    TrailName: W.trail,
    EventSelectors: [
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [{ Type: 'AWS::S3::Object', Values: [`arn:aws:s3:::${W.customerData}/`] }],
      },
    ],
  });
  s('cloudtrail', 'StartLogging', { Name: W.trail });
  for (const region of GUARDDUTY_REGIONS)
    s(
      'guardduty',
      'CreateDetector',
      { Enable: true, FindingPublishingFrequency: 'FIFTEEN_MINUTES' },
      { region },
    );
  // People and roles.
  s('iam', 'CreateUser', { UserName: W.devUser, Tags: [{ Key: 'team', Value: 'platform' }] });
  s('iam', 'PutUserPolicy', {
    UserName: W.devUser,
    PolicyName: 'developer-access',
    PolicyDocument: DEVELOPER_POLICY,
  });
  s('iam', 'CreateLoginProfile', {
    UserName: W.devUser,
    Password: 'Correct-Horse-Battery-9',
    PasswordResetRequired: false,
  });
  s(
    'iam',
    'CreateAccessKey',
    { UserName: W.devUser },
    {
      save: (out, v) => {
        const k = out.AccessKey as { AccessKeyId: string; SecretAccessKey: string };
        v.leakedKey = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
      },
    },
  );
  s('iam', 'CreateUser', { UserName: W.reportingUser });
  s('iam', 'AttachUserPolicy', {
    UserName: W.reportingUser,
    PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  // The reporting job's key, then a second one for the new dashboard: two legitimate keys on one
  // user, weeks before any incident (scope must not take the second one for a backdoor).
  s('iam', 'CreateAccessKey', { UserName: W.reportingUser });
  s(
    'iam',
    'CreateAccessKey',
    { UserName: W.reportingUser },
    { save: (out, v) => (v.reportingSecondKey = (out.AccessKey as { AccessKeyId: string }).AccessKeyId) },
  );
  // The external auditors read the account through a role they assume from their own account.
  s('iam', 'CreateRole', {
    RoleName: W.auditRole,
    Description: 'Quarterly security audit by the external auditors',
    AssumeRolePolicyDocument: doc([
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${W.auditor}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'acme-audit-2026' } },
      },
    ]),
  });
  s('iam', 'AttachRolePolicy', {
    RoleName: W.auditRole,
    PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
  });
  s('iam', 'CreateRole', {
    RoleName: W.deployRole,
    MaxSessionDuration: 43_200,
    AssumeRolePolicyDocument: trust({ AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` }),
  });
  s('iam', 'PutRolePolicy', {
    RoleName: W.deployRole,
    PolicyName: 'deploy',
    PolicyDocument: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
  });
  s('iam', 'CreateRole', {
    RoleName: W.appRole,
    AssumeRolePolicyDocument: trust({ Service: 'ec2.amazonaws.com' }),
  });
  s('iam', 'CreateRole', {
    RoleName: W.lambdaRole,
    AssumeRolePolicyDocument: trust({ Service: 'lambda.amazonaws.com' }),
  });
  s('iam', 'CreatePolicy', {
    PolicyName: W.deployPolicy,
    PolicyDocument: doc([
      {
        Effect: 'Allow',
        Action: ['lambda:UpdateFunctionCode', 's3:PutObject', 's3:GetObject'],
        Resource: '*',
      },
    ]),
  });
  s('iam', 'AttachRolePolicy', { RoleName: W.lambdaRole, PolicyArn: arn.policy(W.deployPolicy) });
  // Data and configuration.
  s('s3', 'CreateBucket', { Bucket: W.artifacts });
  s('s3', 'CreateBucket', { Bucket: W.customerData });
  W.customerObjects.forEach((key, i) =>
    s('s3', 'PutObject', {
      Bucket: W.customerData,
      Key: key,
      Body: `id,name,email\n${i},customer ${i},c${i}@example.com\n`,
      ContentType: 'text/csv',
    }),
  );
  s('secretsmanager', 'CreateSecret', {
    Name: W.secrets[0],
    SecretString: JSON.stringify({ username: 'app', password: 'pr0d-db-S3cret!' }),
  });
  s('secretsmanager', 'CreateSecret', {
    Name: W.secrets[1],
    SecretString: 'sk_live_51Hxxxxxxxxxxxxxxxxxxxxxx',
  });
  s('secretsmanager', 'CreateSecret', { Name: W.secrets[2], SecretString: 'partner-token-7f3e9a' });
  s('ssm', 'PutParameter', { Name: W.parameters[0], Type: 'String', Value: 'db.internal.acme.example' });
  s('ssm', 'PutParameter', { Name: W.parameters[1], Type: 'SecureString', Value: 'pr0d-db-S3cret!' });
  s('ssm', 'PutParameter', {
    Name: W.parameters[2],
    Type: 'SecureString',
    Value: 'sk_live_51Hxxxxxxxxxxxxxxxxxxxxxx',
  });
  s('ssm', 'PutParameter', { Name: W.parameters[3], Type: 'String', Value: 'new-checkout=on' });
  s('lambda', 'CreateFunction', {
    FunctionName: W.fn,
    Runtime: 'python3.12',
    Role: arn.role(W.lambdaRole),
    Handler: 'app.handler',
    Code: { ZipFile: APP_ZIP },
  });
  // Static hosting, deployed as a CloudFormation stack.
  s('cloudformation', 'CreateStack', {
    StackName: W.stack,
    TemplateBody: JSON.stringify({
      Description: 'static assets',
      Resources: {
        Assets: { Type: 'AWS::S3::Bucket', Properties: { BucketName: W.staticBucket } },
        Deployer: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'static-deployer',
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { AWS: arn.role(W.deployRole) }, Action: 'sts:AssumeRole' },
              ],
            },
          },
        },
      },
      Outputs: { Bucket: { Value: { Ref: 'Assets' } } },
    }),
  });
  // The application server and its nightly backup snapshot.
  s(
    'ec2',
    'CreateSecurityGroup',
    { GroupName: 'app-sg', Description: 'application server' },
    {
      save: (out, v) => (v.appSg = out.GroupId),
    },
  );
  s(
    'ec2',
    'RunInstances',
    (v: Record<string, unknown>) => ({
      ImageId: amiFor(W.region),
      InstanceType: 't3.small',
      MinCount: 1,
      MaxCount: 1,
      SecurityGroupIds: [v.appSg],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'app-server' }] }],
    }),
    {
      save: (out, v) => {
        const i = (
          out.Instances as { InstanceId: string; BlockDeviceMappings?: { Ebs?: { VolumeId?: string } }[] }[]
        )[0]!;
        v.appInstance = i.InstanceId;
      },
    },
  );
  s(
    'ec2',
    'DescribeVolumes',
    (v: Record<string, unknown>) => ({
      Filters: [{ Name: 'attachment.instance-id', Values: [v.appInstance] }],
    }),
    {
      save: (out, v) => (v.appVolume = (out.Volumes as { VolumeId: string }[])[0]?.VolumeId),
    },
  );
  s(
    'ec2',
    'CreateSnapshot',
    (v: Record<string, unknown>) => ({ VolumeId: v.appVolume, Description: 'nightly backup app-server' }),
    {
      save: (out, v) => (v.backupSnapshot = out.SnapshotId),
    },
  );
  return steps;
}

/** Regions where the organisation enabled GuardDuty (the default regions it uses). */
export const GUARDDUTY_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-1',
  'ap-northeast-1',
  'sa-east-1',
];

/**
 * The organisation of a scenario with `organisation: true`, the victim account its management
 * account (as in many small companies, where the first account became the management account and
 * the developers still work in it): production under Workloads, log-archive and security tooling
 * under Security; SCPs that keep members in the organisation and protect CloudTrail and the log
 * archive; security tooling the delegated administrator of GuardDuty and Security Hub. Laid
 * in-process (the simulated Organizations serves reads only); the organisation trail itself is made
 * through the API (`organisationTrailSteps`).
 */
export function layOrganisation(sim: SimState): Organization {
  for (const [account, label] of [
    [LOG_ARCHIVE_ACCOUNT, 'log-archive'],
    [TOOLING_ACCOUNT, 'security-tooling'],
  ] as const)
    if (!sim.account(account)) sim.addAccount(account, label);
  return createOrganization(sim, {
    management: VICTIM_ACCOUNT,
    members: [
      { account: PROD_ACCOUNT, ou: 'Workloads' },
      { account: LOG_ARCHIVE_ACCOUNT, ou: 'Security' },
      { account: TOOLING_ACCOUNT, ou: 'Security' },
    ],
    policies: [
      {
        name: 'deny-leave-organization',
        targets: ['root'],
        content: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }],
        },
      },
      {
        name: 'protect-cloudtrail',
        targets: ['Workloads', 'Security'],
        content: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail'],
              Resource: '*',
            },
          ],
        },
      },
      {
        name: 'protect-log-archive',
        targets: [LOG_ARCHIVE_ACCOUNT],
        content: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: ['s3:DeleteObject', 's3:DeleteBucket', 's3:PutLifecycleConfiguration'],
              Resource: '*',
            },
          ],
        },
      },
    ],
    delegatedAdministrators: [
      { account: TOOLING_ACCOUNT, service: 'guardduty.amazonaws.com' },
      { account: TOOLING_ACCOUNT, service: 'securityhub.amazonaws.com' },
    ],
  });
}

/** The log-archive account's bucket and the organisation trail the management account makes into it. */
export function organisationTrailSteps(): Step[] {
  return [
    {
      at: 0,
      actor: 'log-archive-admin',
      service: 's3',
      op: 'CreateBucket',
      input: { Bucket: W.orgTrailBucket },
    },
    {
      at: MIN,
      actor: 'log-archive-admin',
      service: 's3',
      op: 'PutBucketPolicy',
      input: {
        Bucket: W.orgTrailBucket,
        Policy: doc([
          {
            Sid: 'AWSCloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${W.orgTrailBucket}/AWSLogs/*`,
          },
          {
            // The security team works from the management account and reads the archive in place.
            Sid: 'SecurityTeamRead',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` },
            Action: ['s3:ListBucket', 's3:GetObject', 's3:GetBucketLocation'],
            Resource: [`arn:aws:s3:::${W.orgTrailBucket}`, `arn:aws:s3:::${W.orgTrailBucket}/*`],
          },
        ]),
      },
    },
    adm(2 * MIN, 'cloudtrail', 'CreateTrail', {
      Name: W.orgTrail,
      S3BucketName: W.orgTrailBucket,
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
    }),
    adm(3 * MIN, 'cloudtrail', 'StartLogging', { Name: W.orgTrail }),
  ];
}

/** The production account's role the deploy role can reach (set up by the prod admin). */
export function prodSetupSteps(): Step[] {
  return [
    {
      at: 0,
      actor: 'prod-admin',
      service: 'iam',
      op: 'CreateRole',
      input: { RoleName: W.prodRole, AssumeRolePolicyDocument: trust({ AWS: arn.role(W.deployRole) }) },
    },
    {
      at: MIN,
      actor: 'prod-admin',
      service: 'iam',
      op: 'PutRolePolicy',
      input: {
        RoleName: W.prodRole,
        PolicyName: 'deploy',
        PolicyDocument: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
      },
    },
  ];
}
