/**
 * What a privilege-escalation method is applied to:
 * - `self-user`, `self-groups`: the compromised user, its groups;
 * - `assumable-roles`: the principal's own role and the roles it can assume (same account);
 * - `roles`, `groups`, `other-users`: every role, group, or user but itself;
 * - `attached-policies`: customer managed policies attached to it (directly or through groups);
 * - `policies-with-versions`: those of them with another version to switch to;
 * - `functions`: the snapshot's Lambda functions (each runs as its role);
 * - `{ service }`: roles whose trust admits that service (for iam:PassRole), with an instance
 *   profile when `instanceProfile`;
 * - `any`: resources the snapshot does not list (dev endpoints, instances).
 */
export type EscalationTargets =
  | 'self-user'
  | 'self-groups'
  | 'groups'
  | 'other-users'
  | 'assumable-roles'
  | 'roles'
  | 'attached-policies'
  | 'policies-with-versions'
  | 'functions'
  | 'any'
  | { service: string | string[]; instanceProfile?: boolean };

export interface Requirement {
  action: string;
  /** On the method's target, or on any resource of the action's type. */
  on: 'target' | 'any';
  /** For `any`: the resource type standing for it (see `anyResource`). */
  type?: string;
  /** `iam:PassedToService` for iam:PassRole. */
  passedTo?: string;
  /** The method rewrites the role's trust first: only the caller's side of AssumeRole counts. */
  trustRewritten?: boolean;
}

/**
 * What the method gives: `admin` (it writes its own permissions), `target` (the target's
 * permissions: the user, group, role, or the role a function or service runs as), `versions`
 * (another version of the policy), `unbounded` (its own permissions without the boundary).
 */
export type Gain = 'admin' | 'target' | 'versions' | 'unbounded';

export interface EscalationMethod {
  id: string;
  title: string;
  requires: Requirement[];
  targets: EscalationTargets;
  gains: Gain;
  reference: string;
}

const RHINO = 'https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/';
const IAM_VULNERABLE = 'https://github.com/BishopFox/iam-vulnerable';
const BOUNDARIES = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html';

const passRole = (service: string): Requirement => ({
  action: 'iam:PassRole',
  on: 'target',
  passedTo: service,
});
const on = (action: string, where: Requirement['on'] = 'target'): Requirement => ({ action, on: where });

/**
 * Privilege escalation in AWS, as data: the 21 methods Rhino Security Labs published (numbered
 * as in their article), then lifting a permissions boundary, and the CodeBuild, SageMaker and SSM paths of Bishop
 * Fox's iam-vulnerable.
 */
export const ESCALATION_METHODS: EscalationMethod[] = [
  {
    id: 'create-policy-version',
    title:
      'iam:CreatePolicyVersion on a policy attached to itself: a new default version with any permission',
    requires: [on('iam:CreatePolicyVersion')],
    targets: 'attached-policies',
    gains: 'admin',
    reference: RHINO,
  },
  {
    id: 'set-default-policy-version',
    title: 'iam:SetDefaultPolicyVersion on a policy attached to itself: switch to another version',
    requires: [on('iam:SetDefaultPolicyVersion')],
    targets: 'policies-with-versions',
    gains: 'versions',
    reference: RHINO,
  },
  {
    id: 'passrole-ec2',
    title: "iam:PassRole + ec2:RunInstances: an instance with the role's instance profile",
    requires: [passRole('ec2.amazonaws.com'), { action: 'ec2:RunInstances', on: 'any', type: 'instance' }],
    targets: { service: 'ec2.amazonaws.com', instanceProfile: true },
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'create-access-key',
    title: 'iam:CreateAccessKey on another user',
    requires: [on('iam:CreateAccessKey')],
    targets: 'other-users',
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'create-login-profile',
    title: 'iam:CreateLoginProfile on another user (one without a console password)',
    requires: [on('iam:CreateLoginProfile')],
    targets: 'other-users',
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'update-login-profile',
    title: 'iam:UpdateLoginProfile on another user: change its console password',
    requires: [on('iam:UpdateLoginProfile')],
    targets: 'other-users',
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'attach-user-policy',
    title: 'iam:AttachUserPolicy on itself: attach AdministratorAccess',
    requires: [on('iam:AttachUserPolicy')],
    targets: 'self-user',
    gains: 'admin',
    reference: RHINO,
  },
  {
    id: 'attach-group-policy',
    title: 'iam:AttachGroupPolicy on its group: attach AdministratorAccess',
    requires: [on('iam:AttachGroupPolicy')],
    targets: 'self-groups',
    gains: 'admin',
    reference: RHINO,
  },
  {
    id: 'attach-role-policy',
    title: 'iam:AttachRolePolicy on a role it can assume: attach AdministratorAccess',
    requires: [on('iam:AttachRolePolicy')],
    targets: 'assumable-roles',
    gains: 'admin',
    reference: RHINO,
  },
  {
    id: 'put-user-policy',
    title: 'iam:PutUserPolicy on itself: an inline policy with any permission',
    requires: [on('iam:PutUserPolicy')],
    targets: 'self-user',
    gains: 'admin',
    reference: RHINO,
  },
  {
    id: 'put-group-policy',
    title: 'iam:PutGroupPolicy on its group: an inline policy with any permission',
    requires: [on('iam:PutGroupPolicy')],
    targets: 'self-groups',
    gains: 'admin',
    reference: RHINO,
  },
  {
    id: 'put-role-policy',
    title: 'iam:PutRolePolicy on a role it can assume: an inline policy with any permission',
    requires: [on('iam:PutRolePolicy')],
    targets: 'assumable-roles',
    gains: 'admin',
    reference: RHINO,
  },
  {
    id: 'add-user-to-group',
    title: 'iam:AddUserToGroup: join a group and take its permissions',
    requires: [on('iam:AddUserToGroup')],
    targets: 'groups',
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'update-assume-role-policy',
    title: "iam:UpdateAssumeRolePolicy + sts:AssumeRole: rewrite a role's trust, then assume it",
    requires: [
      on('iam:UpdateAssumeRolePolicy'),
      { action: 'sts:AssumeRole', on: 'target', trustRewritten: true },
    ],
    targets: 'roles',
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'passrole-lambda-invoke',
    title: 'iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction: code that runs as the role',
    requires: [
      passRole('lambda.amazonaws.com'),
      on('lambda:CreateFunction', 'any'),
      on('lambda:InvokeFunction', 'any'),
    ],
    targets: { service: 'lambda.amazonaws.com' },
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'passrole-lambda-event-source',
    title:
      'iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping: code triggered as the role',
    requires: [
      passRole('lambda.amazonaws.com'),
      on('lambda:CreateFunction', 'any'),
      on('lambda:CreateEventSourceMapping', 'any'),
    ],
    targets: { service: 'lambda.amazonaws.com' },
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'update-function-code',
    title: "lambda:UpdateFunctionCode: replace a function's code, which runs as its role",
    requires: [on('lambda:UpdateFunctionCode')],
    targets: 'functions',
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'passrole-glue-dev-endpoint',
    title: 'iam:PassRole + glue:CreateDevEndpoint: an SSH-able endpoint with the role',
    requires: [passRole('glue.amazonaws.com'), on('glue:CreateDevEndpoint', 'any')],
    targets: { service: 'glue.amazonaws.com' },
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'update-glue-dev-endpoint',
    title: 'glue:UpdateDevEndpoint: add an SSH key to an existing endpoint and use its role',
    requires: [on('glue:UpdateDevEndpoint', 'any')],
    targets: 'any',
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'passrole-cloudformation',
    title: 'iam:PassRole + cloudformation:CreateStack: a stack that acts as the role',
    requires: [passRole('cloudformation.amazonaws.com'), on('cloudformation:CreateStack', 'any')],
    targets: { service: 'cloudformation.amazonaws.com' },
    gains: 'target',
    reference: RHINO,
  },
  {
    id: 'passrole-datapipeline',
    title:
      'iam:PassRole + datapipeline:CreatePipeline + PutPipelineDefinition: a pipeline that runs as the role',
    requires: [
      passRole('datapipeline.amazonaws.com'),
      on('datapipeline:CreatePipeline', 'any'),
      on('datapipeline:PutPipelineDefinition', 'any'),
    ],
    targets: { service: ['datapipeline.amazonaws.com', 'elasticmapreduce.amazonaws.com'] },
    gains: 'target',
    reference: RHINO,
  },
  // Published since the original 21.
  {
    id: 'delete-user-boundary',
    title: 'iam:DeleteUserPermissionsBoundary on itself: lift its boundary',
    requires: [on('iam:DeleteUserPermissionsBoundary')],
    targets: 'self-user',
    gains: 'unbounded',
    reference: BOUNDARIES,
  },
  {
    id: 'delete-role-boundary',
    title: 'iam:DeleteRolePermissionsBoundary on a role it can assume: lift the boundary',
    requires: [on('iam:DeleteRolePermissionsBoundary')],
    targets: 'assumable-roles',
    gains: 'unbounded',
    reference: BOUNDARIES,
  },
  {
    id: 'passrole-codebuild',
    title: 'iam:PassRole + codebuild:CreateProject + StartBuild: a build that runs as the role',
    requires: [
      passRole('codebuild.amazonaws.com'),
      on('codebuild:CreateProject', 'any'),
      on('codebuild:StartBuild', 'any'),
    ],
    targets: { service: 'codebuild.amazonaws.com' },
    gains: 'target',
    reference: IAM_VULNERABLE,
  },
  {
    id: 'passrole-sagemaker-notebook',
    title:
      'iam:PassRole + sagemaker:CreateNotebookInstance + CreatePresignedNotebookInstanceUrl: a notebook as the role',
    requires: [
      passRole('sagemaker.amazonaws.com'),
      on('sagemaker:CreateNotebookInstance', 'any'),
      on('sagemaker:CreatePresignedNotebookInstanceUrl', 'any'),
    ],
    targets: { service: 'sagemaker.amazonaws.com' },
    gains: 'target',
    reference: IAM_VULNERABLE,
  },
  {
    id: 'ssm-send-command',
    title: 'ssm:SendCommand: commands on managed instances, which run as their instance role',
    requires: [{ action: 'ssm:SendCommand', on: 'any', type: 'instance' }],
    targets: 'any',
    gains: 'target',
    reference: IAM_VULNERABLE,
  },
];
