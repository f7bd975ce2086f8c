/** An IAM policy document as written to a file. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Record<string, unknown>[];
}

/** A named artifact policy: where it goes and what it is for. */
export interface NamedPolicy {
  file: string;
  kind: 'scp' | 'iam';
  purpose: string;
  document: PolicyDocument;
}

/**
 * Services whose calls are not bound to a region (or are answered only in us-east-1): a region
 * allow-list must not deny them (AWS Organizations user guide, "Deny access to AWS based on the
 * requested AWS Region").
 */
export const GLOBAL_ACTIONS = [
  'a4b:*',
  'account:*',
  'acm:*',
  'aws-marketplace:*',
  'budgets:*',
  'ce:*',
  'chime:*',
  'cloudfront:*',
  'config:*',
  'cur:*',
  'directconnect:*',
  'ec2:DescribeRegions',
  'globalaccelerator:*',
  'health:*',
  'iam:*',
  'kms:*',
  'networkmanager:*',
  'organizations:*',
  'pricing:*',
  'route53:*',
  'route53domains:*',
  's3:GetAccountPublicAccessBlock',
  's3:GetBucketLocation',
  's3:ListAllMyBuckets',
  's3:PutAccountPublicAccessBlock',
  'shield:*',
  'sts:*',
  'support:*',
  'trustedadvisor:*',
  'waf:*',
  'wafv2:*',
];

/** Calls that turn off the account's logging and detection. */
export const SECURITY_SERVICE_ACTIONS = [
  'cloudtrail:StopLogging',
  'cloudtrail:DeleteTrail',
  'cloudtrail:UpdateTrail',
  'cloudtrail:PutEventSelectors',
  'guardduty:DeleteDetector',
  'guardduty:UpdateDetector',
  'guardduty:DisassociateFromMasterAccount',
  'guardduty:DisassociateFromAdministratorAccount',
  'guardduty:DeleteMembers',
  'config:StopConfigurationRecorder',
  'config:DeleteConfigurationRecorder',
  'config:DeleteDeliveryChannel',
  'access-analyzer:DeleteAnalyzer',
];

/** What the SCPs are tailored with. */
export interface ScpOptions {
  /** Regions the account uses: every other region is denied. */
  regions: string[];
  /** The role (name) that may still change the security services (and leave regions). */
  breakGlassRole: string;
}

const exceptBreakGlass = (role: string) => ({
  ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${role}` },
});

/**
 * The service control policies, split so that each stays under the 5,120-character SCP limit:
 * the region allow-list; the protection of logging, detection and the organisation (and no root);
 * the data and compute guard-rails (IMDSv2, no SSE-C uploads).
 */
export function serviceControlPolicies(o: ScpOptions): NamedPolicy[] {
  return [
    {
      file: 'scp-region-allow-list.json',
      kind: 'scp',
      purpose: `deny every regional call outside ${o.regions.join(', ')} (global services excepted), but to ${o.breakGlassRole}`,
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyOutsideUsedRegions',
            Effect: 'Deny',
            NotAction: GLOBAL_ACTIONS,
            Resource: '*',
            Condition: {
              StringNotEquals: { 'aws:RequestedRegion': o.regions },
              ...exceptBreakGlass(o.breakGlassRole),
            },
          },
        ],
      },
    },
    {
      file: 'scp-protect-security.json',
      kind: 'scp',
      purpose: `deny disabling CloudTrail, GuardDuty, Config and Access Analyzer but to ${o.breakGlassRole}; deny leaving the organisation; deny the root user`,
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ProtectLoggingAndDetection',
            Effect: 'Deny',
            Action: SECURITY_SERVICE_ACTIONS,
            Resource: '*',
            Condition: exceptBreakGlass(o.breakGlassRole),
          },
          {
            Sid: 'DenyLeavingTheOrganization',
            Effect: 'Deny',
            Action: 'organizations:LeaveOrganization',
            Resource: '*',
          },
          {
            Sid: 'DenyRootUser',
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
          },
        ],
      },
    },
    {
      file: 'scp-data-and-compute.json',
      kind: 'scp',
      purpose:
        'require IMDSv2 on new instances and keep it required; deny S3 uploads with customer-provided keys (SSE-C, used for ransom)',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'RequireImdsV2',
            Effect: 'Deny',
            Action: 'ec2:RunInstances',
            Resource: 'arn:aws:ec2:*:*:instance/*',
            Condition: { StringNotEquals: { 'ec2:MetadataHttpTokens': 'required' } },
          },
          {
            Sid: 'DenyImdsV1Opt',
            Effect: 'Deny',
            Action: 'ec2:ModifyInstanceMetadataOptions',
            Resource: '*',
            Condition: { StringNotEquals: { 'ec2:MetadataHttpTokens': 'required' } },
          },
          {
            Sid: 'DenySseCUploads',
            Effect: 'Deny',
            Action: 's3:PutObject',
            Resource: '*',
            Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
          },
        ],
      },
    },
  ];
}

/**
 * The MFA-enforcement policy for IAM users (AWS IAM user guide, "Allow MFA-authenticated IAM users
 * to manage their own MFA device"): without MFA a user can only set up their MFA device and
 * change their password; everything else is denied.
 */
export function mfaEnforcementPolicy(): NamedPolicy {
  return {
    file: 'iam-mfa-enforcement.json',
    kind: 'iam',
    purpose: 'attach to every IAM user (or their group): nothing but MFA set-up without MFA',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowViewAccountInfo',
          Effect: 'Allow',
          Action: ['iam:GetAccountPasswordPolicy', 'iam:ListVirtualMFADevices'],
          Resource: '*',
        },
        {
          Sid: 'AllowManageOwnPasswordsAndMFA',
          Effect: 'Allow',
          Action: [
            'iam:ChangePassword',
            'iam:GetUser',
            'iam:GetLoginProfile',
            'iam:CreateVirtualMFADevice',
            'iam:DeleteVirtualMFADevice',
            'iam:EnableMFADevice',
            'iam:ListMFADevices',
            'iam:ResyncMFADevice',
          ],
          Resource: ['arn:aws:iam::*:user/${aws:username}', 'arn:aws:iam::*:mfa/${aws:username}'],
        },
        {
          Sid: 'DenyAllExceptListedIfNoMFA',
          Effect: 'Deny',
          NotAction: [
            'iam:CreateVirtualMFADevice',
            'iam:EnableMFADevice',
            'iam:GetUser',
            'iam:GetLoginProfile',
            'iam:ChangePassword',
            'iam:ListMFADevices',
            'iam:ListVirtualMFADevices',
            'iam:ResyncMFADevice',
            'sts:GetSessionToken',
          ],
          Resource: '*',
          Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        },
      ],
    },
  };
}
