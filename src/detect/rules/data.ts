import { SUCCEEDED, and, api, grantsForeignAccount, grantsPublic, matches, or, req } from '../sql.js';
import { rules } from './types.js';

const SECRET_READ = api('secretsmanager', 'GetSecretValue', 'BatchGetSecretValue');
const PARAMETER_DECRYPT = and(
  api('ssm', 'GetParameter', 'GetParameters', 'GetParametersByPath'),
  `${req('withDecryption')} = 'true'`,
);
// Bucket names that usually hold what attackers look for.
const SENSITIVE_BUCKET = matches(
  `lower(${req('bucketName')})`,
  '(backup|secret|cred|private|confidential|finance|payroll|hr-|customer|pii|dump|tfstate|terraform|cloudtrail|audit|prod)',
);
const OBJECT_READ = api(
  's3',
  'GetObject',
  'ListObjects',
  'ListObjectsV2',
  'ListObjectVersions',
  'ListBucket',
);

/** Secrets, parameters and storage: reading, sharing and destroying data. */
export const DATA_RULES = rules([
  {
    id: 'secrets-read',
    title: 'Secrets Manager secret values read',
    category: 'credential-access',
    technique: 'T1555.006',
    severity: 'low',
    where: SECRET_READ,
    explain: 'Every secret read here must be rotated if the reader is the attacker.',
  },
  {
    id: 'secrets-batch-read',
    title: 'Secrets read in bulk with BatchGetSecretValue',
    category: 'credential-access',
    technique: 'T1555.006',
    severity: 'medium',
    where: api('secretsmanager', 'BatchGetSecretValue'),
    explain: 'One call returns many secrets: rotate all secrets named in the filters or ids.',
  },
  {
    id: 'secrets-read-burst',
    title: 'Many secrets read in a short time',
    category: 'credential-access',
    technique: 'T1555.006',
    severity: 'high',
    where: and(SECRET_READ, SUCCEEDED),
    threshold: { count: 10, withinMinutes: 10 },
    explain:
      'A sweep over the secrets store: rotate every secret read and check where those credentials are used.',
  },
  {
    id: 'ssm-parameters-decrypted',
    title: 'SecureString parameters decrypted',
    category: 'credential-access',
    technique: 'T1552',
    severity: 'low',
    where: PARAMETER_DECRYPT,
    explain: 'Decrypted parameters are secrets in clear: rotate them if the reader is the attacker.',
  },
  {
    id: 'ssm-parameters-decrypted-burst',
    title: 'Many SecureString parameters decrypted in a short time',
    category: 'credential-access',
    technique: 'T1552',
    severity: 'medium',
    where: and(PARAMETER_DECRYPT, SUCCEEDED),
    threshold: { count: 4, withinMinutes: 10 },
    explain: 'A sweep over Parameter Store: rotate every parameter read.',
  },
  {
    id: 's3-bucket-policy-public',
    title: 'Bucket policy grants access to everyone',
    category: 'exfiltration',
    technique: 'T1537',
    severity: 'high',
    where: and(api('s3', 'PutBucketPolicy'), grantsPublic('requestparameters')),
    explain: 'The bucket is readable from the internet: delete the statement and enable Block Public Access.',
  },
  {
    id: 's3-bucket-policy-foreign-account',
    title: 'Bucket policy grants access to another account',
    category: 'exfiltration',
    technique: 'T1537',
    severity: 'high',
    where: and(api('s3', 'PutBucketPolicy'), grantsForeignAccount('requestparameters')),
    explain: 'Another account can read or write the bucket: remove the grant and list its GetObject calls.',
  },
  {
    id: 's3-acl-public',
    title: 'Bucket or object ACL grants access to everyone',
    category: 'exfiltration',
    technique: 'T1537',
    severity: 'high',
    where: and(
      api('s3', 'PutBucketAcl', 'PutObjectAcl'),
      or(
        matches('requestparameters', 'AllUsers|AuthenticatedUsers'),
        matches(req('x-amz-acl'), 'public-read'),
      ),
    ),
    explain: 'Public ACLs expose the data: reset the ACL and enable Block Public Access.',
  },
  {
    id: 's3-public-access-block-removed',
    title: 'S3 Block Public Access removed',
    category: 'defense-evasion',
    technique: 'T1562',
    severity: 'medium',
    where: or(
      api('s3', 'DeleteBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock'),
      and(
        api('s3', 'PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock'),
        matches('requestparameters', '"(BlockPublicPolicy|RestrictPublicBuckets)"\\s*:\\s*"?false'),
      ),
    ),
    explain: 'The guard-rail against public buckets is off: turn it back on.',
  },
  {
    id: 's3-sensitive-bucket-read',
    title: 'Objects read or listed in a sensitive-looking bucket',
    category: 'data-access',
    technique: 'T1530',
    severity: 'medium',
    where: and(OBJECT_READ, SENSITIVE_BUCKET),
    explain:
      'Backups, state files and secrets are what attackers download: list the keys read and assess disclosure.',
  },
  {
    id: 's3-mass-download',
    title: 'Many objects downloaded in a short time',
    category: 'exfiltration',
    technique: 'T1530',
    severity: 'high',
    where: and(api('s3', 'GetObject'), SUCCEEDED),
    threshold: { count: 100, withinMinutes: 10 },
    explain: 'A bulk download: list the buckets and keys, and treat them as disclosed.',
  },
  {
    id: 's3-list-buckets',
    title: 'Buckets listed',
    category: 'recon',
    technique: 'T1619',
    severity: 'info',
    where: api('s3', 'ListBuckets'),
    explain: 'Bucket discovery is the first step to data theft.',
  },
  {
    id: 's3-bucket-created',
    title: 'S3 bucket created',
    category: 'resource-creation',
    technique: 'T1578',
    severity: 'low',
    where: and(api('s3', 'CreateBucket'), SUCCEEDED),
    explain: 'A new bucket can stage stolen data: check its policy and owner.',
  },
  {
    id: 's3-mass-delete',
    title: 'Many objects deleted',
    category: 'impact',
    technique: 'T1485',
    severity: 'high',
    where: and(api('s3', 'DeleteObject', 'DeleteObjects'), SUCCEEDED),
    threshold: { count: 20, withinMinutes: 10 },
    explain:
      'Ransomware empties buckets before demanding payment: check versioning and restore from versions or backups.',
  },
  {
    id: 's3-batch-delete',
    title: 'Objects deleted in batches',
    category: 'impact',
    technique: 'T1485',
    severity: 'medium',
    where: api('s3', 'DeleteObjects'),
    explain: 'DeleteObjects removes up to 1,000 keys per call: check versioning.',
  },
  {
    id: 's3-customer-key-encryption',
    title: 'Objects written with a customer-provided encryption key',
    category: 'impact',
    technique: 'T1486',
    severity: 'high',
    where: and(
      api('s3', 'PutObject', 'CopyObject', 'CreateMultipartUpload'),
      matches(
        "lower(coalesce(requestparameters, '') || coalesce(additionaleventdata, ''))",
        'x-amz-server-side-encryption-customer-algorithm|sse-?c',
      ),
    ),
    explain:
      'SSE-C with an attacker key makes the objects unreadable to you (S3 ransomware): restore previous versions.',
  },
  {
    id: 's3-versioning-suspended',
    title: 'Bucket versioning suspended',
    category: 'impact',
    technique: 'T1490',
    severity: 'medium',
    where: and(api('s3', 'PutBucketVersioning'), matches('requestparameters', 'Suspended')),
    explain: 'Without versioning, deletions are final: re-enable versioning.',
  },
  {
    id: 'kms-key-deletion',
    title: 'KMS key scheduled for deletion or disabled',
    category: 'impact',
    technique: 'T1485',
    severity: 'high',
    where: api('kms', 'ScheduleKeyDeletion', 'DisableKey'),
    explain: 'Data under this key becomes unreadable: CancelKeyDeletion within the waiting period.',
  },
]);
