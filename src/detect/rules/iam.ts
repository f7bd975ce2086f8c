import { and, api, grantsForeignAccount, grantsPublic, matches, not, or, req } from '../sql.js';
import { rules } from './types.js';

/** The caller acts on an IAM user other than itself (`requestParameters.userName` names someone else). */
const OTHER_USER = and(
  `${req('userName')} IS NOT NULL`,
  not(`coalesce(useridentity.arn, '') LIKE '%/' || ${req('userName')}`),
);
const SELF = not(OTHER_USER);

const ADMIN_POLICY = matches(
  req('policyArn'),
  ':policy/(AdministratorAccess|IAMFullAccess|PowerUserAccess|AWSOrganizationsFullAccess)$',
);
const QUARANTINE_POLICY = matches(req('policyArn'), ':policy/AWSCompromisedKeyQuarantine');
// An inline policy that allows every action: `"Effect":"Allow"` and `"Action":"*"` (text may be
// minified by the store or pretty-printed by Athena, hence the \s*).
const ALLOWS_EVERYTHING = and(
  matches('requestparameters', '\\\\?"Effect\\\\?"\\s*:\\s*\\\\?"Allow'),
  matches('requestparameters', '\\\\?"Action\\\\?"\\s*:\\s*\\[?\\s*\\\\?"\\*\\\\?"'),
);

/** IAM: new identities, keys, passwords, policies and trust changes. */
export const IAM_RULES = rules([
  {
    id: 'iam-quarantine-policy-attached',
    title: 'AWS attached its compromised-key quarantine policy',
    category: 'credential-access',
    technique: 'T1552.001',
    severity: 'critical',
    where: and(api('iam', 'AttachUserPolicy'), QUARANTINE_POLICY),
    explain:
      "AWS found this user's access key exposed in public and attached AWSCompromisedKeyQuarantine: rotate the key now and answer the AWS Support case.",
  },
  {
    id: 'iam-create-user',
    title: 'IAM user created',
    category: 'persistence',
    technique: 'T1136.003',
    severity: 'medium',
    where: api('iam', 'CreateUser'),
    explain:
      'A new IAM user is a classic backdoor: confirm who asked for it, else delete its keys, password and the user.',
  },
  {
    id: 'iam-access-key-for-other-user',
    title: 'Access key created for another IAM user',
    category: 'persistence',
    technique: 'T1098.001',
    severity: 'high',
    where: and(api('iam', 'CreateAccessKey'), OTHER_USER),
    explain:
      'A key minted for someone else gives the caller a second identity: deactivate the new key (responseElements.accessKey.accessKeyId).',
  },
  {
    id: 'iam-access-key-for-self',
    title: 'Additional access key created by the user itself',
    category: 'persistence',
    technique: 'T1098.001',
    severity: 'medium',
    where: and(api('iam', 'CreateAccessKey'), SELF),
    explain:
      'A second key keeps access after the first is disabled: deactivate every key of this user that the owner cannot vouch for.',
  },
  {
    id: 'iam-admin-policy-attached',
    title: 'Administrator-level managed policy attached',
    category: 'privilege-escalation',
    technique: 'T1098.003',
    severity: 'high',
    where: and(api('iam', 'AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy'), ADMIN_POLICY),
    explain:
      'AdministratorAccess-like policy granted: detach it unless the change was approved, and review what the grantee did since.',
  },
  {
    id: 'iam-policy-attached',
    title: 'Managed policy attached',
    category: 'privilege-escalation',
    technique: 'T1098.003',
    severity: 'low',
    where: and(
      api('iam', 'AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy'),
      not(ADMIN_POLICY),
      not(QUARANTINE_POLICY),
    ),
    explain: 'Permissions were widened: check that the attachment was planned.',
  },
  {
    id: 'iam-inline-policy-allows-all',
    title: 'Inline policy allowing every action',
    category: 'privilege-escalation',
    technique: 'T1098.003',
    severity: 'high',
    where: and(api('iam', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy'), ALLOWS_EVERYTHING),
    explain: 'An inline "Action: *" grant is full admin: delete the inline policy and review the grantee.',
  },
  {
    id: 'iam-inline-policy',
    title: 'Inline policy written',
    category: 'privilege-escalation',
    technique: 'T1098.003',
    severity: 'low',
    where: and(api('iam', 'PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy'), not(ALLOWS_EVERYTHING)),
    explain: 'Inline policies change permissions without a managed-policy trail: read the document.',
  },
  {
    id: 'iam-policy-version-default',
    title: 'Managed policy version made default',
    category: 'privilege-escalation',
    technique: 'T1098.003',
    severity: 'high',
    where: or(
      api('iam', 'SetDefaultPolicyVersion'),
      and(api('iam', 'CreatePolicyVersion'), `${req('setAsDefault')} = 'true'`),
    ),
    explain:
      'Rewriting a managed policy changes every principal it is attached to: compare the versions and restore the old default.',
  },
  {
    id: 'iam-policy-version-created',
    title: 'Managed policy version created',
    category: 'privilege-escalation',
    technique: 'T1098.003',
    severity: 'medium',
    where: and(api('iam', 'CreatePolicyVersion'), not(`${req('setAsDefault')} = 'true'`)),
    explain: 'A non-default version can be made default later: delete versions nobody asked for.',
  },
  {
    id: 'iam-login-profile-created',
    title: 'Console password created',
    category: 'persistence',
    technique: 'T1098',
    severity: 'high',
    where: and(api('iam', 'CreateLoginProfile'), OTHER_USER),
    explain:
      'Someone gave another user a console password: delete the login profile and check ConsoleLogin events for that user.',
  },
  {
    id: 'iam-login-profile-created-self',
    title: 'Console password created for the caller itself',
    category: 'persistence',
    technique: 'T1098',
    severity: 'medium',
    where: and(api('iam', 'CreateLoginProfile'), SELF),
    explain: 'An API key turned into console access: delete the login profile unless the owner did it.',
  },
  {
    id: 'iam-login-profile-updated',
    title: "Another user's console password changed",
    category: 'privilege-escalation',
    technique: 'T1098',
    severity: 'high',
    where: and(api('iam', 'UpdateLoginProfile'), OTHER_USER),
    explain:
      "Resetting another user's password takes over that user: reset it again, and check its ConsoleLogin events.",
  },
  {
    id: 'iam-login-profile-updated-self',
    title: 'Console password changed by the user',
    category: 'persistence',
    technique: 'T1098',
    severity: 'low',
    where: and(api('iam', 'UpdateLoginProfile'), SELF),
    explain: 'A password change from an API key: confirm with the owner.',
  },
  {
    id: 'iam-role-trust-foreign',
    title: 'Role trust policy opened to another account or to everyone',
    category: 'persistence',
    technique: 'T1098.003',
    severity: 'high',
    where: and(
      api('iam', 'UpdateAssumeRolePolicy', 'CreateRole'),
      or(grantsForeignAccount('requestparameters'), grantsPublic('requestparameters')),
    ),
    explain:
      'An outside account can now assume this role: restore the trust policy and list AssumeRole calls from that account.',
  },
  {
    id: 'iam-role-trust-updated',
    title: 'Role trust policy changed',
    category: 'persistence',
    technique: 'T1098.003',
    severity: 'medium',
    where: and(
      api('iam', 'UpdateAssumeRolePolicy'),
      not(or(grantsForeignAccount('requestparameters'), grantsPublic('requestparameters'))),
    ),
    explain: 'Who may assume the role changed: compare with the previous trust policy.',
  },
  {
    id: 'iam-user-added-to-group',
    title: 'User added to a group',
    category: 'privilege-escalation',
    technique: 'T1098',
    severity: 'low',
    where: api('iam', 'AddUserToGroup'),
    explain: "Group membership grants the group's policies: check the group's permissions.",
  },
  {
    id: 'iam-identity-provider-changed',
    title: 'SAML or OIDC identity provider created or changed',
    category: 'persistence',
    technique: 'T1484.002',
    severity: 'high',
    where: api(
      'iam',
      'CreateSAMLProvider',
      'UpdateSAMLProvider',
      'CreateOpenIDConnectProvider',
      'AddClientIDToOpenIDConnectProvider',
    ),
    explain:
      'A new trusted identity provider lets outsiders federate in: verify its metadata and remove it if unknown.',
  },
  {
    id: 'iam-mfa-removed',
    title: 'MFA device deactivated or deleted',
    category: 'defense-evasion',
    technique: 'T1556.006',
    severity: 'medium',
    where: api('iam', 'DeactivateMFADevice', 'DeleteVirtualMFADevice'),
    explain: 'MFA removal weakens the account: re-enrol the device with the owner present.',
  },
  {
    id: 'iam-password-policy-weakened',
    title: 'Account password policy changed or deleted',
    category: 'defense-evasion',
    technique: 'T1556',
    severity: 'low',
    where: api('iam', 'UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy'),
    explain: "Compare the password policy with the organisation's baseline.",
  },
  {
    id: 'iam-roles-anywhere-trust',
    title: 'IAM Roles Anywhere trust anchor or profile created',
    category: 'persistence',
    technique: 'T1098',
    severity: 'high',
    where: api('rolesanywhere', 'CreateTrustAnchor', 'CreateProfile', 'UpdateTrustAnchor'),
    explain:
      'A trust anchor lets holders of an outside certificate authority get role credentials: delete unknown anchors.',
  },
]);
