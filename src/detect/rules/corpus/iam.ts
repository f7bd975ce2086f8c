import { call } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const document = (statement: Record<string, unknown>): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const trust = (principal: Record<string, unknown>): string =>
  document({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });
const POLICY = 'arn:aws:iam::{ACCOUNT}:policy/deploy';

/** IAM (iam.amazonaws.com, recorded in us-east-1): identities, keys, passwords, policies, trust. */
export const IAM_SAMPLES: Sample[] = [
  fires(
    'iam-quarantine-policy-attached',
    'AWS attaching its quarantine policy to a user whose key was published',
    call('iam:AttachUserPolicy', {
      userName: 'ci-bot',
      policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
    }),
  ),
  quiet(
    'iam-quarantine-policy-attached',
    'the quarantine policy detached after the key was rotated',
    call('iam:DetachUserPolicy', {
      userName: 'ci-bot',
      policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
    }),
  ),
  fires(
    'iam-create-user',
    'a user created',
    call(
      'iam:CreateUser',
      { userName: 'svc-backup' },
      {
        response: {
          user: {
            path: '/',
            userName: 'svc-backup',
            userId: 'AIDAQQQQEXAMPLE00003',
            arn: 'arn:aws:iam::{ACCOUNT}:user/svc-backup',
            createDate: 'Mar 3, 2025, 8:00:00 AM',
          },
        },
      },
    ),
  ),
  quiet('iam-create-user', 'a user read', call('iam:GetUser', { userName: 'svc-backup' })),
  fires(
    'iam-access-key-for-other-user',
    'a key created for another user',
    call(
      'iam:CreateAccessKey',
      { userName: 'bob' },
      {
        response: {
          accessKey: {
            userName: 'bob',
            accessKeyId: 'AKIAQQQQEXAMPLE00004',
            status: 'Active',
            createDate: 'Mar 3, 2025, 8:00:00 AM',
          },
        },
      },
    ),
  ),
  quiet(
    'iam-access-key-for-other-user',
    'another user’s old key deactivated during rotation',
    call('iam:UpdateAccessKey', { userName: 'bob', accessKeyId: 'AKIAQQQQEXAMPLE00005', status: 'Inactive' }),
  ),
  fires(
    'iam-access-key-for-self',
    'a second key created by the user itself',
    call('iam:CreateAccessKey', null, {
      response: {
        accessKey: {
          userName: 'ana.{SAMPLE}',
          accessKeyId: 'AKIAQQQQEXAMPLE00006',
          status: 'Active',
          createDate: 'Mar 3, 2025, 8:00:00 AM',
        },
      },
    }),
  ),
  quiet(
    'iam-access-key-for-self',
    'the user deleting its own old key',
    call('iam:DeleteAccessKey', { accessKeyId: 'AKIAQQQQEXAMPLE00007' }),
  ),
  fires(
    'iam-admin-policy-attached',
    'AdministratorAccess attached to a role',
    call('iam:AttachRolePolicy', {
      roleName: 'lambda-exec',
      policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
  ),
  quiet(
    'iam-admin-policy-attached',
    'ReadOnlyAccess attached to a role',
    call('iam:AttachRolePolicy', {
      roleName: 'auditor',
      policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    }),
  ),
  fires(
    'iam-policy-attached',
    'a managed policy attached to a user',
    call('iam:AttachUserPolicy', {
      userName: 'ana',
      policyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    }),
  ),
  quiet(
    'iam-policy-attached',
    'a managed policy detached',
    call('iam:DetachUserPolicy', {
      userName: 'ana',
      policyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    }),
  ),
  fires(
    'iam-inline-policy-allows-all',
    'an inline policy allowing * on *',
    call('iam:PutRolePolicy', {
      roleName: 'lambda-exec',
      policyName: 'ops',
      policyDocument: document({ Effect: 'Allow', Action: '*', Resource: '*' }),
    }),
  ),
  quiet(
    'iam-inline-policy-allows-all',
    'an inline policy allowing reads of one bucket',
    call('iam:PutRolePolicy', {
      roleName: 'lambda-exec',
      policyName: 'reports',
      policyDocument: document({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::reports/*',
      }),
    }),
  ),
  fires(
    'iam-inline-policy',
    'an inline policy written on a user',
    call('iam:PutUserPolicy', {
      userName: 'ana',
      policyName: 'logs',
      policyDocument: document({ Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' }),
    }),
  ),
  quiet(
    'iam-inline-policy',
    'an inline policy deleted',
    call('iam:DeleteUserPolicy', { userName: 'ana', policyName: 'logs' }),
  ),
  fires(
    'iam-policy-version-default',
    'an older policy version made default',
    call('iam:SetDefaultPolicyVersion', { policyArn: POLICY, versionId: 'v1' }),
  ),
  quiet(
    'iam-policy-version-default',
    'an old policy version deleted',
    call('iam:DeletePolicyVersion', { policyArn: POLICY, versionId: 'v1' }),
  ),
  fires(
    'iam-policy-version-created',
    'a new non-default version',
    call('iam:CreatePolicyVersion', {
      policyArn: POLICY,
      policyDocument: document({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }),
      setAsDefault: false,
    }),
  ),
  quiet(
    'iam-policy-version-created',
    'policy versions listed',
    call('iam:ListPolicyVersions', { policyArn: POLICY }),
  ),
  fires(
    'iam-login-profile-created',
    'a console password given to another user',
    call(
      'iam:CreateLoginProfile',
      { userName: 'svc-backup', passwordResetRequired: false },
      { as: 'AssumedRole' },
    ),
  ),
  quiet(
    'iam-login-profile-created',
    'another user’s login profile read',
    call('iam:GetLoginProfile', { userName: 'svc-backup' }),
  ),
  fires(
    'iam-login-profile-created-self',
    'the user giving itself a console password',
    call(
      'iam:CreateLoginProfile',
      { userName: 'ana.{SAMPLE}', passwordResetRequired: false },
      { name: 'ana.{SAMPLE}' },
    ),
  ),
  quiet(
    'iam-login-profile-created-self',
    'the user deleting its console password',
    call('iam:DeleteLoginProfile', { userName: 'ana.{SAMPLE}' }, { name: 'ana.{SAMPLE}' }),
  ),
  fires(
    'iam-login-profile-updated',
    'another user’s password reset',
    call('iam:UpdateLoginProfile', { userName: 'cfo', passwordResetRequired: false }),
  ),
  quiet(
    'iam-login-profile-updated',
    'a user changing its own password in the console',
    call('iam:ChangePassword', null, { userAgent: 'AWS Internal' }),
  ),
  fires(
    'iam-login-profile-updated-self',
    'a user resetting its own password with its key',
    call(
      'iam:UpdateLoginProfile',
      { userName: 'ana.{SAMPLE}', passwordResetRequired: false },
      { name: 'ana.{SAMPLE}' },
    ),
  ),
  quiet(
    'iam-login-profile-updated-self',
    'a user changing its own password in the console',
    call('iam:ChangePassword', null, { name: 'ana.{SAMPLE}' }),
  ),
  fires(
    'iam-role-trust-foreign',
    'a role’s trust opened to another account',
    call('iam:UpdateAssumeRolePolicy', {
      roleName: 'admin',
      policyDocument: trust({ AWS: 'arn:aws:iam::{FOREIGN}:root' }),
    }),
  ),
  quiet(
    'iam-role-trust-foreign',
    'a role created for EC2 instances',
    call('iam:CreateRole', {
      roleName: 'app-instance',
      assumeRolePolicyDocument: trust({ Service: 'ec2.amazonaws.com' }),
    }),
  ),
  fires(
    'iam-role-trust-updated',
    'a role’s trust changed within the account',
    call('iam:UpdateAssumeRolePolicy', {
      roleName: 'deploy',
      policyDocument: trust({ AWS: 'arn:aws:iam::{ACCOUNT}:role/ci' }),
    }),
  ),
  quiet('iam-role-trust-updated', 'a role read', call('iam:GetRole', { roleName: 'deploy' })),
  fires(
    'iam-user-added-to-group',
    'a user added to a group',
    call('iam:AddUserToGroup', { groupName: 'admins', userName: 'svc-backup' }),
  ),
  quiet(
    'iam-user-added-to-group',
    'a user removed from a group',
    call('iam:RemoveUserFromGroup', { groupName: 'admins', userName: 'svc-backup' }),
  ),
  fires(
    'iam-identity-provider-changed',
    'an OIDC provider registered',
    call('iam:CreateOpenIDConnectProvider', {
      url: 'https://token.actions.githubusercontent.com',
      clientIDList: ['sts.amazonaws.com'],
      thumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
    }),
  ),
  quiet('iam-identity-provider-changed', 'the SAML providers listed', call('iam:ListSAMLProviders')),
  fires(
    'iam-mfa-removed',
    'a user’s MFA device deactivated',
    call('iam:DeactivateMFADevice', { userName: 'cfo', serialNumber: 'arn:aws:iam::{ACCOUNT}:mfa/cfo' }),
  ),
  quiet(
    'iam-mfa-removed',
    'an MFA device enabled',
    call('iam:EnableMFADevice', { userName: 'cfo', serialNumber: 'arn:aws:iam::{ACCOUNT}:mfa/cfo' }),
  ),
  fires(
    'iam-password-policy-weakened',
    'the password policy shortened to 6 characters',
    call(
      'iam:UpdateAccountPasswordPolicy',
      { minimumPasswordLength: 6, requireSymbols: false, requireNumbers: false },
      { as: 'Root' },
    ),
  ),
  quiet('iam-password-policy-weakened', 'the password policy read', call('iam:GetAccountPasswordPolicy')),
  fires(
    'iam-roles-anywhere-trust',
    'a Roles Anywhere trust anchor for an outside CA',
    call(
      'rolesanywhere:CreateTrustAnchor',
      {
        name: 'ops',
        enabled: true,
        source: {
          sourceType: 'CERTIFICATE_BUNDLE',
          sourceData: { x509CertificateData: '-----BEGIN CERTIFICATE-----…' },
        },
      },
      { region: 'eu-west-1' },
    ),
  ),
  quiet(
    'iam-roles-anywhere-trust',
    'trust anchors listed',
    call('rolesanywhere:ListTrustAnchors', null, { region: 'eu-west-1' }),
  ),
];
