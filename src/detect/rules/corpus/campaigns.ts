import { call, times } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const invoke = (more: Parameters<typeof call>[2] = {}) =>
  call('bedrock:InvokeModel', { modelId: MODEL }, more);
const sendingStats = ['ses:GetSendQuota', 'ses:ListIdentities', 'ses:GetAccountSendingEnabled'];

/** Campaigns seen in the wild: crypto mining, LLM-jacking, SES and SNS abuse. */
export const CAMPAIGN_SAMPLES: Sample[] = [
  fires(
    'compute-quota-increase',
    'more EC2 on-demand vCPUs requested',
    call('servicequotas:RequestServiceQuotaIncrease', {
      serviceCode: 'ec2',
      quotaCode: 'L-1216C47A',
      desiredValue: 640,
    }),
  ),
  quiet(
    'compute-quota-increase',
    'more VPCs per region requested',
    call('servicequotas:RequestServiceQuotaIncrease', {
      serviceCode: 'vpc',
      quotaCode: 'L-F678F1CE',
      desiredValue: 10,
    }),
  ),
  fires(
    'ec2-launch-many-regions',
    'instances launched in three regions in forty minutes',
    ['us-east-1', 'eu-west-1', 'ap-southeast-1'].map((region, i) =>
      call(
        'ec2:RunInstances',
        {
          instancesSet: { items: [{ imageId: 'ami-0e2c8caa4b6378d8c', minCount: 1, maxCount: 1 }] },
          instanceType: 'c7i.large',
        },
        { region, at: i * 20 },
      ),
    ),
  ),
  quiet(
    'ec2-launch-many-regions',
    'instances launched in two regions for a failover test',
    ['us-east-1', 'us-west-2'].map((region, i) =>
      call(
        'ec2:RunInstances',
        {
          instancesSet: { items: [{ imageId: 'ami-0e2c8caa4b6378d8c', minCount: 1, maxCount: 1 }] },
          instanceType: 't3.small',
        },
        { region, at: i * 20, as: 'AssumedRole' },
      ),
    ),
  ),
  fires(
    'ec2-large-fleet',
    'a spot fleet of 100',
    call('ec2:RequestSpotFleet', {
      spotFleetRequestConfig: {
        targetCapacity: 100,
        iamFleetRole: 'arn:aws:iam::{ACCOUNT}:role/fleet',
        allocationStrategy: 'lowestPrice',
      },
    }),
  ),
  quiet(
    'ec2-large-fleet',
    'a spot fleet of 4',
    call('ec2:RequestSpotFleet', {
      spotFleetRequestConfig: {
        targetCapacity: 4,
        iamFleetRole: 'arn:aws:iam::{ACCOUNT}:role/fleet',
        allocationStrategy: 'lowestPrice',
      },
    }),
  ),
  fires(
    'sagemaker-accelerated-compute',
    'a GPU notebook instance',
    call('sagemaker:CreateNotebookInstance', {
      notebookInstanceName: 'nb',
      instanceType: 'ml.p3.8xlarge',
      roleArn: 'arn:aws:iam::{ACCOUNT}:role/sm',
    }),
  ),
  quiet(
    'sagemaker-accelerated-compute',
    'a small CPU notebook instance',
    call('sagemaker:CreateNotebookInstance', {
      notebookInstanceName: 'nb',
      instanceType: 'ml.t3.medium',
      roleArn: 'arn:aws:iam::{ACCOUNT}:role/sm',
    }),
  ),
  fires(
    'batch-large-compute-environment',
    'a Batch environment of GPU instances',
    call('batch:CreateComputeEnvironment', {
      computeEnvironmentName: 'ce',
      type: 'MANAGED',
      computeResources: {
        type: 'SPOT',
        maxvCpus: 128,
        instanceTypes: ['g4dn.xlarge', 'p3.2xlarge'],
        subnets: ['subnet-0a1b2c3d'],
      },
    }),
  ),
  quiet(
    'batch-large-compute-environment',
    'a small Fargate Batch environment',
    call('batch:CreateComputeEnvironment', {
      computeEnvironmentName: 'etl',
      type: 'MANAGED',
      computeResources: { type: 'FARGATE', maxvCpus: 16, subnets: ['subnet-0a1b2c3d'] },
    }),
  ),
  fires(
    'bedrock-model-access',
    'a model agreement accepted',
    call('bedrock:CreateFoundationModelAgreement', {
      modelId: MODEL,
      offerToken: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    }),
  ),
  quiet(
    'bedrock-model-access',
    'the model agreements read',
    call('bedrock:ListFoundationModelAgreementOffers', { modelId: MODEL }),
  ),
  fires('bedrock-invoke-model', 'a model invoked by an application role', invoke({ as: 'AssumedRole' })),
  quiet('bedrock-invoke-model', 'the models listed', call('bedrock:ListFoundationModels', {})),
  fires(
    'bedrock-multi-region',
    'model availability checked in three regions',
    ['us-east-1', 'us-west-2', 'eu-central-1'].map((region, i) =>
      call('bedrock:ListFoundationModels', {}, { region, at: i }),
    ),
  ),
  quiet(
    'bedrock-multi-region',
    'an application calling a model in its one region',
    times(3, (i) => invoke({ as: 'AssumedRole', at: i })),
  ),
  fires(
    'bedrock-guardrail-or-logging-removed',
    'model invocation logging deleted',
    call('bedrock:DeleteModelInvocationLoggingConfiguration', {}),
  ),
  quiet(
    'bedrock-guardrail-or-logging-removed',
    'model invocation logging configured',
    call('bedrock:PutModelInvocationLoggingConfiguration', {
      loggingConfig: { s3Config: { bucketName: 'bedrock-logs' }, textDataDeliveryEnabled: true },
    }),
  ),
  fires('bedrock-invoked-with-user-key', 'a model invoked with a user’s access key', invoke()),
  quiet(
    'bedrock-invoked-with-user-key',
    'a model invoked by an application role',
    invoke({ as: 'AssumedRole' }),
  ),
  fires(
    'bedrock-invoke-burst',
    'sixty invocations in five minutes',
    times(60, (i) => invoke({ at: i / 12, as: 'FederatedUser' })),
  ),
  quiet(
    'bedrock-invoke-burst',
    'twenty invocations in an hour',
    times(20, (i) => invoke({ at: i * 3, as: 'AssumedRole' })),
  ),
  fires(
    'bedrock-invoke-probing',
    'invalid calls to three models',
    ['anthropic.claude-3-opus-20240229-v1:0', MODEL, 'meta.llama3-70b-instruct-v1:0'].map((modelId, i) =>
      call(
        'bedrock:InvokeModel',
        { modelId },
        {
          at: i,
          as: 'AssumedRole',
          error: ['ValidationException', 'max_tokens_to_sample: range: 1..1,000,000'],
        },
      ),
    ),
  ),
  quiet(
    'bedrock-invoke-probing',
    'one throttled call, then answers',
    invoke({
      as: 'AssumedRole',
      error: ['ThrottlingException', 'Too many requests, please wait before trying again.'],
    }),
    invoke({ as: 'AssumedRole', at: 1 }),
  ),
  fires(
    'bedrock-logging-checked',
    'the invocation logging configuration read',
    call('bedrock:GetModelInvocationLoggingConfiguration', {}),
  ),
  quiet(
    'bedrock-logging-checked',
    'a guardrail read',
    call('bedrock:GetGuardrail', { guardrailIdentifier: 'gr-0a1b2c3d' }),
  ),
  fires(
    'llmjacking-campaign',
    'availability probed, invocation logging deleted, a model unlocked and run within twenty minutes',
    call('bedrock:GetFoundationModelAvailability', { modelId: MODEL }, { region: 'us-west-2' }),
    call('bedrock:DeleteModelInvocationLoggingConfiguration', {}, { at: 5 }),
    call('bedrock:CreateFoundationModelAgreement', { modelId: MODEL }, { at: 8 }),
    invoke({ at: 15 }),
    invoke({ at: 16 }),
  ),
  fires(
    'llmjacking-campaign',
    'refused calls probe three models, then the one allowed is run from a role',
    invoke({
      as: 'AssumedRole',
      error: ['AccessDeniedException', "You don't have access to the model with the specified model ID."],
    }),
    call('bedrock:GetModelInvocationLoggingConfiguration', {}, { as: 'AssumedRole', at: 2 }),
    invoke({ as: 'AssumedRole', at: 10 }),
  ),
  quiet(
    'llmjacking-campaign',
    'an application role runs its model all morning and checks that logging is on',
    invoke({ as: 'AssumedRole' }),
    invoke({ as: 'AssumedRole', at: 5 }),
    call('bedrock:GetModelInvocationLoggingConfiguration', {}, { as: 'AssumedRole', at: 6 }),
    invoke({ as: 'AssumedRole', at: 30 }),
  ),
  quiet(
    'llmjacking-campaign',
    'an engineer checks logging and a model’s availability, days apart from any model call',
    call('bedrock:GetModelInvocationLoggingConfiguration', {}, { as: 'AssumedRole' }),
    call('bedrock:GetFoundationModelAvailability', { modelId: MODEL }, { as: 'AssumedRole', at: 1 }),
    call('bedrock:ListFoundationModels', {}, { as: 'AssumedRole', at: 2 }),
  ),
  fires(
    'bedrock-provisioned-throughput',
    'provisioned throughput bought for six months',
    call('bedrock:CreateProvisionedModelThroughput', {
      modelUnits: 4,
      provisionedModelName: 'p',
      modelId: MODEL,
      commitmentDuration: 'SixMonths',
    }),
  ),
  quiet(
    'bedrock-provisioned-throughput',
    'provisioned throughput listed',
    call('bedrock:ListProvisionedModelThroughputs', {}),
  ),
  fires(
    'ses-spam-campaign',
    'quota read in three regions, a look-alike domain verified, production access asked for elsewhere',
    ['us-east-1', 'us-west-2', 'eu-west-1'].map((region, i) =>
      call('ses:GetSendQuota', null, { region, at: i / 4 }),
    ),
    call('ses:CreateEmailIdentity', { emailIdentity: 'invoice-portal.example' }, { at: 5 }),
    call(
      'ses:PutAccountDetails',
      { mailType: 'MARKETING', websiteURL: 'https://invoice-portal.example', productionAccessEnabled: true },
      { region: 'eu-west-1', at: 8 },
    ),
  ),
  fires(
    'ses-spam-campaign',
    'quota read in another region, then sending turned back on, from a role',
    call('ses:GetSendQuota', null, { region: 'us-west-2', as: 'AssumedRole' }),
    call('ses:UpdateAccountSendingEnabled', { enabled: true }, { as: 'AssumedRole', at: 3 }),
  ),
  quiet(
    'ses-spam-campaign',
    'quota read in another region, then a sender verification the caller may not make',
    call('ses:GetSendQuota', null, { region: 'eu-west-1', as: 'AssumedRole' }),
    call(
      'ses:VerifyEmailIdentity',
      { emailAddress: 'alerts@example.com' },
      {
        as: 'AssumedRole',
        at: 2,
        error: ['AccessDenied', 'User is not authorized to perform: ses:VerifyEmailIdentity'],
      },
    ),
  ),
  quiet(
    'ses-spam-campaign',
    'quotas read in two regions by a dashboard, no identity or account change',
    call('ses:GetSendQuota', null, { as: 'AssumedRole' }),
    call('ses:GetSendQuota', null, { region: 'eu-west-1', as: 'AssumedRole', at: 1 }),
    call('ses:ListIdentities', {}, { region: 'eu-west-1', as: 'AssumedRole', at: 2 }),
  ),
  fires(
    'sms-pumping-campaign',
    'sandbox status read in three regions, then the spend limit raised',
    ['us-east-1', 'eu-west-1', 'ap-southeast-1'].map((region, i) =>
      call('sns:GetSMSSandboxAccountStatus', null, { region, at: i / 6 }),
    ),
    call('sns:SetSMSAttributes', { attributes: { MonthlySpendLimit: '2000' } }, { at: 4 }),
  ),
  quiet(
    'sms-pumping-campaign',
    'SMS settings read in two regions, then usage reports directed to a bucket',
    call('sns:GetSMSAttributes', {}, { region: 'eu-west-1', as: 'AssumedRole' }),
    call('sns:GetSMSAttributes', {}, { as: 'AssumedRole', at: 1 }),
    call(
      'sns:SetSMSAttributes',
      { attributes: { UsageReportS3Bucket: 'sms-usage' } },
      { as: 'AssumedRole', at: 2 },
    ),
  ),
  quiet(
    'sms-pumping-campaign',
    'sandbox status read in two regions, then only the sender id set',
    call('sns:GetSMSSandboxAccountStatus', null, { region: 'eu-west-1' }),
    call('sns:SetSMSAttributes', { attributes: { DefaultSenderID: 'ACME' } }, { at: 3 }),
  ),
  fires(
    'ses-enumeration',
    'sending quota and identities checked',
    sendingStats.map((api, i) => call(api, null, { at: i / 2 })),
  ),
  quiet(
    'ses-enumeration',
    'a configuration set read',
    call('ses:DescribeConfigurationSet', { configurationSetName: 'transactional' }),
  ),
  fires(
    'ses-production-access-requested',
    'production access requested',
    call('ses:PutAccountDetails', {
      mailType: 'MARKETING',
      websiteURL: 'https://example.net',
      contactLanguage: 'EN',
      useCaseDescription: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      productionAccessEnabled: true,
    }),
  ),
  quiet(
    'ses-production-access-requested',
    'account details updated without asking for production access',
    call('ses:PutAccountDetails', {
      mailType: 'TRANSACTIONAL',
      websiteURL: 'https://example.com',
      contactLanguage: 'EN',
      productionAccessEnabled: false,
    }),
  ),
  fires(
    'ses-sending-enabled',
    'sending re-enabled',
    call('ses:UpdateAccountSendingEnabled', { enabled: true }),
  ),
  quiet('ses-sending-enabled', 'sending paused', call('ses:UpdateAccountSendingEnabled', { enabled: false })),
  fires(
    'ses-identity-created',
    'a sender address verified',
    call('ses:VerifyEmailIdentity', { emailAddress: 'billing@example.net' }),
  ),
  quiet(
    'ses-identity-created',
    'a sender address the caller may not verify',
    call(
      'ses:VerifyEmailIdentity',
      { emailAddress: 'billing@example.net' },
      { error: ['AccessDenied', 'User is not authorized to perform: ses:VerifyEmailIdentity'] },
    ),
  ),
  fires(
    'ses-identity-policy-opened',
    'another account allowed to send as the domain',
    call('ses:PutIdentityPolicy', {
      identity: 'example.com',
      policyName: 'send',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::{FOREIGN}:root' },
            Action: ['ses:SendEmail', 'ses:SendRawEmail'],
            Resource: '*',
          },
        ],
      }),
    }),
  ),
  quiet(
    'ses-identity-policy-opened',
    'a role of the account allowed to send as the domain',
    call('ses:PutIdentityPolicy', {
      identity: 'example.com',
      policyName: 'send',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::{ACCOUNT}:role/mailer' },
            Action: 'ses:SendEmail',
            Resource: '*',
          },
        ],
      }),
    }),
  ),
  fires(
    'sns-sms-enumeration',
    'SMS attributes and sandbox status read',
    call('sns:GetSMSAttributes', {}),
    call('sns:GetSMSSandboxAccountStatus', null, { at: 1 }),
  ),
  quiet('sns-sms-enumeration', 'topics listed', call('sns:ListTopics', {})),
  fires(
    'sns-sms-spend-raised',
    'the SMS spend limit raised',
    call('sns:SetSMSAttributes', { attributes: { MonthlySpendLimit: '5000' } }),
  ),
  quiet(
    'sns-sms-spend-raised',
    'SMS usage reports directed to a bucket',
    call('sns:SetSMSAttributes', { attributes: { UsageReportS3Bucket: 'sms-usage' } }),
  ),
  fires(
    'sns-sms-sandbox-number',
    'a sandbox number added',
    call('sns:CreateSMSSandboxPhoneNumber', { phoneNumber: '+15555550123', languageCode: 'en-US' }),
  ),
  quiet('sns-sms-sandbox-number', 'sandbox numbers listed', call('sns:ListSMSSandboxPhoneNumbers', {})),
  fires(
    'sns-sms-publish-burst',
    'twenty-five texts to numbers in four minutes',
    times(25, (i) =>
      call(
        'sns:Publish',
        { phoneNumber: `+88216${String(1000 + i)}`, message: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
        { at: i / 6 },
      ),
    ),
  ),
  quiet(
    'sns-sms-publish-burst',
    'twenty-five messages published to a topic',
    times(25, (i) =>
      call(
        'sns:Publish',
        { topicArn: 'arn:aws:sns:us-east-1:{ACCOUNT}:orders', message: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
        { at: i / 6, as: 'AssumedRole' },
      ),
    ),
  ),
];
