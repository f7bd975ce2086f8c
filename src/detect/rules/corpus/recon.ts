import { call, times } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const denied = (api: string): [string, string] => {
  const [service, name] = api.split(':') as [string, string];
  const ec2 = service === 'ec2';
  return [
    ec2
      ? 'Client.UnauthorizedOperation'
      : service === 'iam' || service === 's3'
        ? 'AccessDenied'
        : 'AccessDeniedException',
    ec2
      ? 'You are not authorized to perform this operation.'
      : `User: arn:aws:iam::{ACCOUNT}:user/ana.{SAMPLE} is not authorized to perform: ${service}:${name} because no identity-based policy allows the ${service}:${name} action`,
  ];
};
const refused = (api: string, at: number, request: Record<string, unknown> | null = null) =>
  call(api, request, { at, error: denied(api) });

const SWEEP = [
  'iam:ListUsers',
  'iam:ListRoles',
  's3:ListBuckets',
  'ec2:DescribeInstances',
  'lambda:ListFunctions20150331',
  'cloudtrail:DescribeTrails',
  'guardduty:ListDetectors',
  'rds:DescribeDBInstances',
  'secretsmanager:ListSecrets',
];
const BOTO3 =
  'Boto3/1.35.76 md/Botocore#1.35.76 ua/2.0 os/linux#6.8.0-1019-aws md/arch#x86_64 lang/python#3.12.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.76';

/** Discovery: probing, sweeps over IAM and regions, and the tools that do them. */
export const RECON_SAMPLES: Sample[] = [
  fires(
    'denied-burst',
    'twelve refused calls in two minutes',
    times(12, (i) => refused(SWEEP[i % SWEEP.length]!, i / 6)),
  ),
  quiet(
    'denied-burst',
    'three refused calls in an hour of work',
    times(3, (i) => refused('ec2:DescribeInstances', i * 20)),
  ),
  fires(
    'discovery-burst',
    'nine different read calls in five minutes',
    SWEEP.map((api, i) => call(api, null, { at: i * 0.5 })),
  ),
  quiet(
    'discovery-burst',
    'four different reads while debugging a deployment',
    SWEEP.slice(0, 4).map((api, i) => call(api, null, { at: i })),
  ),
  fires(
    'denied-many-services',
    'refusals from IAM, S3, EC2, Lambda and RDS in five minutes',
    [
      'iam:ListUsers',
      's3:ListBuckets',
      'ec2:DescribeInstances',
      'lambda:ListFunctions20150331',
      'rds:DescribeDBInstances',
    ].map((api, i) => refused(api, i)),
  ),
  quiet(
    'denied-many-services',
    'refusals from two services',
    refused('s3:ListBuckets', 0),
    refused('ec2:DescribeInstances', 2),
  ),
  fires(
    'iam-recon-denied',
    'six IAM listings refused',
    [
      'iam:ListUsers',
      'iam:ListRoles',
      'iam:ListGroups',
      'iam:ListPolicies',
      'iam:GetAccountAuthorizationDetails',
      'iam:ListAccessKeys',
    ].map((api, i) => refused(api, i * 0.5)),
  ),
  quiet(
    'iam-recon-denied',
    'two IAM listings refused',
    refused('iam:ListUsers', 0),
    refused('iam:ListRoles', 1),
  ),
  fires(
    'iam-authorization-details',
    'the whole IAM configuration read',
    call('iam:GetAccountAuthorizationDetails', { filter: ['User', 'Role', 'Group', 'LocalManagedPolicy'] }),
  ),
  quiet('iam-authorization-details', 'the account summary read', call('iam:GetAccountSummary')),
  fires(
    'iam-role-enumeration',
    'twelve roles read in four minutes',
    times(12, (i) => call('iam:GetRole', { roleName: `role-${i}` }, { at: i / 3 })),
  ),
  quiet(
    'iam-role-enumeration',
    'a deployment reading its three roles',
    times(3, (i) =>
      call('iam:GetRole', { roleName: ['deploy', 'app', 'worker'][i] }, { at: i, as: 'AssumedRole' }),
    ),
  ),
  fires(
    'iam-group-enumeration',
    'groups, members and group policies read',
    call('iam:ListGroups', null),
    call('iam:GetGroup', { groupName: 'admins' }, { at: 1 }),
    call('iam:ListAttachedGroupPolicies', { groupName: 'admins' }, { at: 2 }),
  ),
  quiet(
    'iam-group-enumeration',
    'a user’s own groups read',
    call('iam:ListGroupsForUser', { userName: 'ana.{SAMPLE}' }),
  ),
  fires(
    'iam-user-enumeration',
    'the keys of eleven users listed',
    times(11, (i) => call('iam:ListAccessKeys', { userName: `user-${i}` }, { at: i / 4 })),
  ),
  quiet(
    'iam-user-enumeration',
    'a user listing its own keys and MFA',
    call('iam:ListAccessKeys', { userName: 'ana.{SAMPLE}' }),
    call('iam:ListMFADevices', { userName: 'ana.{SAMPLE}' }, { at: 1 }),
  ),
  fires(
    'ua-credential-scanner',
    'a key verified by TruffleHog',
    call('sts:GetCallerIdentity', null, { userAgent: 'TruffleHog' }),
  ),
  quiet(
    'ua-credential-scanner',
    'the identity checked with Boto3',
    call('sts:GetCallerIdentity', null, { userAgent: BOTO3 }),
  ),
  fires(
    'ua-offensive-tool',
    'the AWS CLI on Kali Linux',
    call('iam:ListUsers', null, {
      userAgent: 'aws-cli/1.16.168 Python/3.7.3rc1 Linux/4.19.0-kali3-amd64 botocore/1.12.158',
    }),
  ),
  quiet(
    'ua-offensive-tool',
    'Boto3 on a build host whose name contains a tool’s name inside a word',
    call('iam:ListUsers', null, { userAgent: `${BOTO3} exec-env/parrotfish-runner` }),
  ),
  fires(
    'ua-audit-tool',
    'a Stratus Red Team detonation',
    call('ec2:DescribeInstances', null, {
      userAgent: 'stratus-red-team_8f1b6d1e-3c2a-4b5d-9e8f-7a6b5c4d3e2f',
    }),
  ),
  fires(
    'ua-audit-tool',
    'ScoutSuite listing buckets',
    call('s3:ListBuckets', { Host: 's3.amazonaws.com' }, { userAgent: `Scout Suite/5.14.0 ${BOTO3}` }),
  ),
  quiet(
    'ua-audit-tool',
    'Terraform reading instances',
    call('ec2:DescribeInstances', null, {
      userAgent:
        'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.196.0',
    }),
  ),
  fires(
    'sts-caller-identity-raw-client',
    'a key tried with python-requests',
    call('sts:GetCallerIdentity', null, { userAgent: 'python-requests/2.31.0' }),
  ),
  quiet(
    'sts-caller-identity-raw-client',
    'the identity checked with Boto3',
    call('sts:GetCallerIdentity', null, { userAgent: BOTO3 }),
  ),
];

const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-central-1',
  'ap-southeast-1',
  'ap-northeast-1',
];

/** Regions: first use after weeks elsewhere, opt-in regions, sweeps over all regions. */
export const REGION_SAMPLES: Sample[] = [
  fires(
    'region-first-use',
    'two weeks of work in us-east-1, then a security group made in ap-south-2',
    call('ec2:DescribeInstances', null, { at: -20160 }),
    call('ec2:DescribeInstances', null, { at: -60 }),
    call(
      'ec2:CreateSecurityGroup',
      { groupName: 'x', groupDescription: 'x', vpcId: 'vpc-0a1b2c3d' },
      { region: 'ap-south-2' },
    ),
  ),
  quiet(
    'region-first-use',
    'two weeks of work in us-east-1 and ap-south-2, then a security group in ap-south-2',
    call('ec2:DescribeInstances', null, { at: -20160 }),
    call('ec2:DescribeInstances', null, { at: -20100, region: 'ap-south-2' }),
    call(
      'ec2:CreateSecurityGroup',
      { groupName: 'x', groupDescription: 'x', vpcId: 'vpc-0a1b2c3d' },
      { region: 'ap-south-2' },
    ),
  ),
  fires(
    'region-opt-in-enabled',
    'an opt-in region enabled',
    call('account:EnableRegion', { regionName: 'me-central-1' }, { as: 'Root' }),
  ),
  quiet(
    'region-opt-in-enabled',
    'an opt-in region’s status read',
    call('account:GetRegionOptStatus', { regionName: 'me-central-1' }),
  ),
  fires(
    'multi-region-sweep',
    'instances described in nine regions in three minutes',
    REGIONS.map((region, i) => call('ec2:DescribeInstances', null, { region, at: i / 3 })),
  ),
  quiet(
    'multi-region-sweep',
    'the console’s global view describing the same regions for a person',
    REGIONS.map((region, i) =>
      call('ec2:DescribeInstances', null, {
        region,
        at: i / 3,
        userAgent: 'AWS Internal',
        extra: { sessionCredentialFromConsole: 'true' },
      }),
    ),
  ),
];
