import { CAMPAIGN_SAMPLES } from './campaigns.js';
import { COMPUTE_SAMPLES } from './compute.js';
import { CONTAINER_SAMPLES } from './containers.js';
import { IAM_SAMPLES } from './iam.js';
import { IDENTITY_SAMPLES } from './identity.js';
import { KMS_SAMPLES } from './kms.js';
import { LAMBDA_SAMPLES } from './lambda.js';
import { LOGGING_SAMPLES, SECURITY_SERVICE_SAMPLES } from './logging.js';
import { NETWORK_SAMPLES } from './network.js';
import { RDS_SAMPLES } from './rds.js';
import { RECON_SAMPLES, REGION_SAMPLES } from './recon.js';
import { S3_SAMPLES } from './s3.js';
import type { Sample } from './sample.js';
import { SECRETS_SAMPLES } from './secrets.js';
import { SNAPSHOT_SAMPLES } from './snapshots.js';

export { evaluateCorpus, type Evaluation, type Score, type SampleOutcome } from './evaluate.js';
export type { Sample } from './sample.js';

/** The labelled corpus: positives and near misses for every built-in rule. */
export const CORPUS: readonly Sample[] = [
  ...IAM_SAMPLES,
  ...IDENTITY_SAMPLES,
  ...RECON_SAMPLES,
  ...REGION_SAMPLES,
  ...LOGGING_SAMPLES,
  ...SECURITY_SERVICE_SAMPLES,
  ...COMPUTE_SAMPLES,
  ...LAMBDA_SAMPLES,
  ...CAMPAIGN_SAMPLES,
  ...SNAPSHOT_SAMPLES,
  ...SECRETS_SAMPLES,
  ...S3_SAMPLES,
  ...RDS_SAMPLES,
  ...NETWORK_SAMPLES,
  ...KMS_SAMPLES,
  ...CONTAINER_SAMPLES,
];

/**
 * The families of attacker moves issue 14 asks the catalogue to cover, with the rules covering
 * each (a rule may serve several families; every family has at least two).
 */
export const FAMILIES: Record<string, readonly string[]> = {
  RDS: [
    'rds-exfil-campaign',
    'rds-snapshot-shared',
    'rds-instance-made-public',
    'rds-public-restore',
    'rds-deletion-protection-disabled',
    'rds-master-password-changed',
    'rds-backups-disabled',
    'rds-deleted-without-snapshot',
    'rds-snapshots-deleted',
    'rds-snapshot-copied-cross-region',
    'rds-snapshot-copied-foreign-key',
    'rds-snapshot-exported',
  ],
  'Network changes': [
    'ec2-security-group-open',
    'ec2-security-group-open-service',
    'ec2-network-acl-open',
    'ec2-internet-route-added',
    'ec2-vpc-peering-foreign',
    'ec2-vpn-created',
    'ec2-traffic-mirroring',
    'ec2-subnet-public-ip-on-launch',
    'vpc-flow-logs-deleted',
  ],
  'ECR and ECS': [
    'ecr-repository-policy-opened',
    'ecr-replication-foreign',
    'ecr-image-pushed',
    'ecr-image-scanning-disabled',
    'ecr-images-deleted',
    'ecr-many-repositories-pulled',
    'ecs-privileged-task',
  ],
  KMS: [
    'kms-key-deletion',
    'kms-key-policy-opened',
    'kms-key-policy-lockout',
    'kms-grant-foreign',
    'kms-external-key-material',
    'kms-key-material-deleted',
    'kms-used-by-foreign-account',
  ],
  'S3 data protection': [
    's3-bucket-deleted',
    's3-default-encryption-removed',
    's3-replication-removed',
    's3-logging-disabled',
    's3-mfa-delete-disabled',
    's3-versioning-suspended',
    's3-public-access-block-removed',
    's3-governance-bypass',
    's3-ransom-note',
    's3-copy-to-foreign-bucket',
    's3-read-by-foreign-account',
  ],
  'Secrets Manager bulk and multi-region reads': [
    'secrets-batch-read',
    'secrets-batch-read-by-filter',
    'secrets-read-burst',
    'secrets-read-many-regions',
    'secrets-replicated',
    'secrets-policy-opened',
  ],
  'Lambda configuration and code': [
    'lambda-code-updated',
    'lambda-layer-added',
    'lambda-layer-foreign-account',
    'lambda-role-changed',
    'lambda-image-foreign-registry',
    'lambda-code-signing-removed',
    'lambda-public-permission',
    'lambda-public-url',
  ],
  'Console sign-in anomalies': [
    'signin-root-login',
    'signin-without-mfa',
    'signin-non-browser',
    'signin-new-address',
    'signin-root-failed',
    'signin-root-password-recovery',
    'signin-console-token',
  ],
  'Password spraying': [
    'signin-password-spraying',
    'signin-failed-burst',
    'signin-success-after-failures',
    'signin-failed',
  ],
  'AccessDenied bursts': [
    'denied-burst',
    'denied-many-services',
    'iam-recon-denied',
    'sts-assume-role-denied-burst',
  ],
  'Credential scanners’ user agents': [
    'ua-credential-scanner',
    'ua-offensive-tool',
    'ua-audit-tool',
    'sts-caller-identity-raw-client',
  ],
  'Instance credentials outside EC2': [
    'ec2-instance-credentials-outside',
    'ec2-instance-credentials-foreign-endpoint',
    'ec2-instance-credentials-many-addresses',
    'instance-role-enumeration',
  ],
  'Unused regions': [
    'region-first-use',
    'region-opt-in-enabled',
    'ec2-launch-new-region',
    'multi-region-sweep',
  ],
  'Config, Macie, WAF, CloudTrail': [
    'config-recording-stopped',
    'config-rules-deleted',
    'config-aggregation-foreign',
    'macie-disabled',
    'macie-findings-suppressed',
    'macie-classification-job',
    'waf-protection-removed',
    'waf-logging-removed',
    'cloudtrail-stopped',
    'cloudtrail-deleted',
    'cloudtrail-created',
    'cloudtrail-scope-reduced',
    'cloudtrail-validation-disabled',
    'cloudtrail-destination-changed',
    'cloudtrail-lake-stopped',
  ],
  'IAM group and role reads': [
    'iam-authorization-details',
    'iam-role-enumeration',
    'iam-group-enumeration',
    'iam-user-enumeration',
  ],
  'LLM-jacking (Bedrock)': [
    'llmjacking-campaign',
    'bedrock-model-access',
    'bedrock-invoke-model',
    'bedrock-multi-region',
    'bedrock-guardrail-or-logging-removed',
    'bedrock-invoked-with-user-key',
    'bedrock-invoke-burst',
    'bedrock-invoke-probing',
    'bedrock-logging-checked',
    'bedrock-provisioned-throughput',
  ],
  'SES and SNS abuse': [
    'ses-spam-campaign',
    'sms-pumping-campaign',
    'ses-enumeration',
    'ses-production-access-requested',
    'ses-sending-enabled',
    'ses-identity-created',
    'ses-identity-policy-opened',
    'sns-sms-enumeration',
    'sns-sms-spend-raised',
    'sns-sms-sandbox-number',
    'sns-sms-publish-burst',
  ],
  'S3 ransomware (SSE-C, KMS)': [
    's3-ransomware-campaign',
    's3-customer-key-encryption',
    's3-object-written-foreign-key',
    's3-default-encryption-foreign-key',
    's3-ransom-note',
    's3-mass-delete',
    's3-batch-delete',
    's3-batch-job-created',
    'kms-external-key-material',
    'kms-key-material-deleted',
  ],
  'Crypto mining (EC2, ECS, Lambda, SageMaker)': [
    'ec2-crypto-mining-launch',
    'ec2-unusual-instances',
    'ec2-launch-many-regions',
    'ec2-large-fleet',
    'compute-quota-increase',
    'ecs-miner-task',
    'ecs-large-task',
    'ecs-service-scaled-out',
    'lambda-mining-sized',
    'lambda-functions-created-burst',
    'lambda-invoke-burst',
    'sagemaker-accelerated-compute',
    'batch-large-compute-environment',
  ],
  'Data theft through snapshots and replication': [
    'ec2-snapshot-shared',
    'ec2-ami-shared',
    'rds-snapshot-shared',
    'rds-snapshot-copied-foreign-key',
    'ebs-snapshot-copied-foreign-key',
    'ebs-direct-read',
    'ec2-snapshots-created-burst',
    'ec2-image-exported',
    'dynamodb-export-foreign',
    'redshift-snapshot-shared',
    'backup-copied-to-foreign-vault',
    's3-replication-foreign',
    'ecr-replication-foreign',
  ],
};
