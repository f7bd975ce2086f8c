import { SUCCEEDED, and, api, or } from '../sql.js';
import { rules } from './types.js';

const INVOKE = api('bedrock', 'InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream');

/**
 * The stages of an LLMjacking run, as one value per call: probing which models the key may use,
 * hiding from invocation logging, unlocking models, and running them. A team adopting Bedrock
 * unlocks and runs; the campaign does three stages or more within the hour.
 */
const LLMJACKING_STAGE = `CASE
  WHEN eventname IN ('GetFoundationModelAvailability', 'ListFoundationModelAgreementOffers') THEN 'probe'
  WHEN eventname IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream')
    AND coalesce(errorcode, '') <> '' THEN 'probe'
  WHEN eventname IN ('GetModelInvocationLoggingConfiguration', 'DeleteModelInvocationLoggingConfiguration') THEN 'unlog'
  WHEN eventname IN ('PutUseCaseForModelAccess', 'CreateFoundationModelAgreement', 'PutFoundationModelEntitlement') THEN 'unlock'
  WHEN eventname IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream') THEN 'run'
END`;

/** Bedrock: LLM-jacking — models unlocked, probed and run on the account's bill, logging removed. */
export const BEDROCK_RULES = rules([
  {
    id: 'llmjacking-campaign',
    title: 'LLMjacking: Bedrock access probed, logging removed or models unlocked, then models run',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'critical',
    where: api(
      'bedrock',
      'GetFoundationModelAvailability',
      'ListFoundationModelAgreementOffers',
      'GetModelInvocationLoggingConfiguration',
      'DeleteModelInvocationLoggingConfiguration',
      'PutUseCaseForModelAccess',
      'CreateFoundationModelAgreement',
      'PutFoundationModelEntitlement',
      'InvokeModel',
      'InvokeModelWithResponseStream',
      'Converse',
      'ConverseStream',
    ),
    threshold: { count: 3, withinMinutes: 60, distinct: LLMJACKING_STAGE },
    explain:
      'Three stages of the LLMjacking campaign by one actor within the hour (probing model access, removing invocation logging, unlocking models, running them): stolen keys resold as model access, billed to the account.',
    remediation:
      'Deny bedrock:* to the key (containment), restore model invocation logging, remove the model agreements nobody asked for, and read the Bedrock bill in every region.',
  },
  {
    id: 'bedrock-model-access',
    title: 'Bedrock model access enabled',
    category: 'impact',
    technique: 'T1496',
    tactic: 'impact',
    severity: 'high',
    where: api(
      'bedrock',
      'PutFoundationModelEntitlement',
      'CreateFoundationModelAgreement',
      'PutUseCaseForModelAccess',
    ),
    explain: 'LLM-jacking starts by unlocking models.',
    remediation: 'Revoke the entitlement and watch the Bedrock bill.',
  },
  {
    id: 'bedrock-invoke-model',
    title: 'Bedrock model invoked',
    category: 'impact',
    technique: 'T1496',
    tactic: 'impact',
    severity: 'low',
    where: INVOKE,
    explain: 'Model calls are billed to the account.',
    remediation: 'Check if this principal normally uses Bedrock.',
  },
  {
    id: 'bedrock-multi-region',
    title: 'Bedrock probed in several regions',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: api(
      'bedrock',
      'InvokeModel',
      'InvokeModelWithResponseStream',
      'ListFoundationModels',
      'GetFoundationModelAvailability',
    ),
    threshold: { count: 3, withinMinutes: 60, distinct: 'awsregion' },
    explain: 'Checking which regions serve a model is LLM-jacking reconnaissance.',
    remediation: 'Block Bedrock with an SCP where unused.',
  },
  {
    id: 'bedrock-guardrail-or-logging-removed',
    title: 'Bedrock guardrail or invocation logging removed',
    category: 'defense-evasion',
    technique: 'T1562.008',
    tactic: 'defense-evasion',
    severity: 'high',
    where: api('bedrock', 'DeleteGuardrail', 'DeleteModelInvocationLoggingConfiguration'),
    explain: 'Model misuse is no longer filtered or logged.',
    remediation: 'Restore the guardrail and logging.',
  },
  {
    id: 'bedrock-invoked-with-user-key',
    title: 'Bedrock model invoked with a long-term user key or root',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'medium',
    where: and(INVOKE, `useridentity.type IN ('IAMUser', 'Root')`),
    explain: 'Applications call models through roles; LLM-jacking runs on stolen long-term keys.',
    remediation:
      'Confirm the user runs models; else deactivate the key and check the Bedrock bill in every region.',
  },
  {
    id: 'bedrock-invoke-burst',
    title: 'Many Bedrock model invocations in a short time',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'medium',
    where: and(INVOKE, SUCCEEDED, `coalesce(useridentity.type, '') <> 'AWSService'`),
    threshold: { count: 50, withinMinutes: 10 },
    explain:
      'Fifty or more model calls in minutes: a proxy reselling the account’s model access looks like this.',
    remediation:
      'Compare with the principal’s usual volume and the Bedrock bill; revoke access if unexplained.',
  },
  {
    id: 'bedrock-invoke-probing',
    title: 'Bedrock invocations refused or rejected repeatedly',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: and(
      INVOKE,
      or(
        `errorcode IN ('ValidationException', 'AccessDeniedException', 'ResourceNotFoundException')`,
        `errorcode LIKE '%AccessDenied%'`,
      ),
    ),
    threshold: { count: 3, withinMinutes: 15 },
    explain:
      'Invalid or refused calls to several models test which ones the key can use, without paying for an answer.',
    remediation:
      'Check which models were tried and block Bedrock for this principal if it has no use for it.',
  },
  {
    id: 'bedrock-logging-checked',
    title: 'Bedrock invocation logging configuration read',
    category: 'recon',
    technique: 'T1654',
    tactic: 'discovery',
    severity: 'medium',
    where: api('bedrock', 'GetModelInvocationLoggingConfiguration'),
    explain: 'LLM-jackers check whether their prompts would be logged before using a stolen key.',
    remediation: 'Make sure invocation logging is on, and watch this principal’s model calls.',
  },
  {
    id: 'bedrock-provisioned-throughput',
    title: 'Bedrock provisioned throughput purchased',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'high',
    where: and(api('bedrock', 'CreateProvisionedModelThroughput'), SUCCEEDED),
    explain: 'Provisioned model units bill by the hour whether used or not, often for months.',
    remediation:
      'Delete the provisioned throughput if nobody ordered it and contact AWS Support about the charge.',
  },
]);
