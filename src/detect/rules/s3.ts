import {
  SUCCEEDED,
  and,
  api,
  foreignAccount,
  grantsForeignAccount,
  grantsPublic,
  matches,
  not,
  or,
  req,
  resp,
} from '../sql.js';
import { rules } from './types.js';

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

const OBJECT_WRITE = api('s3', 'PutObject', 'CopyObject', 'CreateMultipartUpload', 'UploadPartCopy');
const KMS_KEY = 'x-amz-server-side-encryption-aws-kms-key-id';
// Rules may come as one object or a list, depending on how many the configuration has.
const DEFAULT_KEY = ['Rule', 'Rule[0]'].map((r) =>
  req(`ServerSideEncryptionConfiguration.${r}.ApplyServerSideEncryptionByDefault.KMSMasterKeyID`),
);
const REPLICA_ACCOUNT = ['Rule', 'Rule[0]', 'Rule[1]'].map((r) =>
  req(`ReplicationConfiguration.${r}.Destination.Account`),
);
// Names ransom notes are given; the extension keeps README.md and restore scripts out.
const RANSOM_NOTE = matches(
  `lower(${req('key')})`,
  '(^|/)[^/]*(ransom|decrypt|recover|restore|how[-_ ]?to|your[-_ ]?(files|data)|readme[-_ ]?(now|first|warning|important)|warning|!{2,})[^/]*\\.(txt|html?)$',
);
const OTHER_ACCOUNT_CALLER = and(
  `useridentity.type IN ('IAMUser', 'AssumedRole', 'FederatedUser', 'Root')`,
  `useridentity.accountid <> recipientaccountid`,
);

const SSE_C = matches(
  "lower(coalesce(requestparameters, '') || coalesce(additionaleventdata, ''))",
  'x-amz-server-side-encryption-customer-algorithm|sse-?c',
);
// A lifecycle rule that expires the whole bucket within a month: no filter prefix, Days 1 to 30.
const SHORT_EXPIRY = `(${matches('requestparameters', '"Expiration"\\s*:\\s*\\{\\s*"Days"\\s*:\\s*"?([1-9]|[12][0-9]|30)"?\\s*[,}]')} AND NOT ${matches('requestparameters', '"Prefix"\\s*:\\s*"[^"]')})`;

/**
 * The stages of an S3 ransom run, one value per call: reading how the buckets keep their data,
 * re-encrypting objects with a customer key only the attacker has (data events), setting the
 * data to expire, and leaving a note. With object data events off only the first and the third
 * are in CloudTrail, which is enough: two stages by one actor within the hour.
 */
const RANSOM_STAGE = `CASE
  WHEN eventname IN ('GetBucketVersioning', 'GetBucketLifecycle') THEN 'recon'
  WHEN eventname = 'PutBucketLifecycle' AND ${SHORT_EXPIRY} THEN 'expire'
  WHEN eventname IN ('PutObject', 'CopyObject', 'CreateMultipartUpload') AND ${SSE_C} THEN 'encrypt'
  WHEN eventname = 'PutObject' AND ${RANSOM_NOTE} THEN 'note'
END`;

/** S3: buckets exposed, read in bulk, copied out, emptied or encrypted for ransom. */
export const S3_RULES = rules([
  {
    id: 's3-ransomware-campaign',
    title: 'S3 ransomware: objects re-encrypted with a customer key, set to expire, a ransom note',
    category: 'impact',
    technique: 'T1486',
    tactic: 'impact',
    severity: 'critical',
    where: and(
      api(
        's3',
        'GetBucketVersioning',
        'GetBucketLifecycle',
        'PutBucketLifecycle',
        'PutObject',
        'CopyObject',
        'CreateMultipartUpload',
      ),
      `(${RANSOM_STAGE}) IS NOT NULL`,
    ),
    threshold: { count: 2, withinMinutes: 60, distinct: RANSOM_STAGE },
    explain:
      'Two stages of the S3 ransom campaign by one actor within the hour (versioning and lifecycle read, objects rewritten with SSE-C, the whole bucket set to expire within a month, a ransom note): the objects are readable only with the attacker’s key and will be deleted. Object writes are data events: where the trail does not select the bucket’s objects only the lifecycle calls show, and coverage of the re-encryption is partial.',
    remediation:
      'Deny SSE-C writes with a bucket policy (s3:x-amz-server-side-encryption-customer-algorithm Null false), remove the attacker’s lifecycle rules before they run, restore objects from the version before the attacker’s, list those versioning cannot bring back, keep the ransom note as evidence.',
  },
  {
    id: 's3-bucket-policy-public',
    title: 'Bucket policy grants access to everyone',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(api('s3', 'PutBucketPolicy'), grantsPublic('requestparameters')),
    explain: 'The bucket is readable from the internet.',
    remediation: 'Delete the statement and enable Block Public Access.',
  },
  {
    id: 's3-bucket-policy-foreign-account',
    title: 'Bucket policy grants access to another account',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(api('s3', 'PutBucketPolicy'), grantsForeignAccount('requestparameters')),
    explain: 'Another account can read or write the bucket.',
    remediation: 'Remove the grant and list its GetObject calls.',
  },
  {
    id: 's3-acl-public',
    title: 'Bucket or object ACL grants access to everyone',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(
      api('s3', 'PutBucketAcl', 'PutObjectAcl'),
      or(
        matches('requestparameters', 'AllUsers|AuthenticatedUsers'),
        matches(req('x-amz-acl'), 'public-read'),
      ),
    ),
    explain: 'Public ACLs expose the data.',
    remediation: 'Reset the ACL and enable Block Public Access.',
  },
  {
    id: 's3-public-access-block-removed',
    title: 'S3 Block Public Access removed',
    category: 'defense-evasion',
    technique: 'T1562',
    tactic: 'defense-evasion',
    severity: 'medium',
    where: or(
      api('s3', 'DeleteBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock'),
      and(
        api('s3', 'PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock'),
        matches('requestparameters', '"(BlockPublicPolicy|RestrictPublicBuckets)"\\s*:\\s*"?false'),
      ),
    ),
    explain: 'The guard-rail against public buckets is off.',
    remediation: 'Turn it back on.',
  },
  {
    id: 's3-sensitive-bucket-read',
    title: 'Objects read or listed in a sensitive-looking bucket',
    category: 'data-access',
    technique: 'T1530',
    tactic: 'collection',
    severity: 'medium',
    where: and(OBJECT_READ, SENSITIVE_BUCKET),
    explain: 'Backups, state files and secrets are what attackers download.',
    remediation: 'List the keys read and assess disclosure.',
  },
  {
    id: 's3-mass-download',
    title: 'Many objects downloaded in a short time',
    category: 'exfiltration',
    technique: 'T1530',
    tactic: 'collection',
    severity: 'high',
    where: and(api('s3', 'GetObject'), SUCCEEDED),
    threshold: { count: 100, withinMinutes: 10 },
    explain: 'A bulk download.',
    remediation: 'List the buckets and keys, and treat them as disclosed.',
  },
  {
    id: 's3-list-buckets',
    title: 'Buckets listed',
    category: 'recon',
    technique: 'T1619',
    tactic: 'discovery',
    severity: 'info',
    where: api('s3', 'ListBuckets'),
    explain: 'Bucket discovery is the first step to data theft.',
    remediation: 'Expect reads of the buckets listed; watch their data events.',
  },
  {
    id: 's3-bucket-created',
    title: 'S3 bucket created',
    category: 'resource-creation',
    technique: 'T1578',
    tactic: 'defense-evasion',
    severity: 'low',
    where: and(api('s3', 'CreateBucket'), SUCCEEDED),
    explain: 'A new bucket can stage stolen data.',
    remediation: 'Check its policy and owner.',
  },
  {
    id: 's3-mass-delete',
    title: 'Many objects deleted',
    category: 'impact',
    technique: 'T1485',
    tactic: 'impact',
    severity: 'high',
    where: and(api('s3', 'DeleteObject', 'DeleteObjects'), SUCCEEDED),
    threshold: { count: 20, withinMinutes: 10 },
    explain: 'Ransomware empties buckets before demanding payment.',
    remediation: 'Check versioning and restore from versions or backups.',
  },
  {
    id: 's3-batch-delete',
    title: 'Objects deleted in batches',
    category: 'impact',
    technique: 'T1485',
    tactic: 'impact',
    severity: 'medium',
    where: api('s3', 'DeleteObjects'),
    explain: 'DeleteObjects removes up to 1,000 keys per call.',
    remediation: 'Check versioning.',
  },
  {
    id: 's3-customer-key-encryption',
    title: 'Objects written with a customer-provided encryption key',
    category: 'impact',
    technique: 'T1486',
    tactic: 'impact',
    severity: 'high',
    where: and(api('s3', 'PutObject', 'CopyObject', 'CreateMultipartUpload'), SSE_C),
    explain: 'SSE-C with an attacker key makes the objects unreadable to you (S3 ransomware).',
    remediation: 'Restore previous versions.',
  },
  {
    id: 's3-versioning-suspended',
    title: 'Bucket versioning suspended',
    category: 'impact',
    technique: 'T1490',
    tactic: 'impact',
    severity: 'medium',
    where: and(api('s3', 'PutBucketVersioning'), matches('requestparameters', 'Suspended')),
    explain: 'Without versioning, deletions are final.',
    remediation: 'Re-enable versioning.',
  },
  {
    id: 's3-bucket-deleted',
    title: 'S3 bucket deleted',
    category: 'impact',
    technique: 'T1485',
    tactic: 'impact',
    severity: 'medium',
    where: and(api('s3', 'DeleteBucket'), SUCCEEDED),
    explain: 'The bucket and everything in it is gone, and its name can be taken by anyone.',
    remediation:
      'Restore the data from replicas or backups and recreate the bucket before someone else claims its name.',
  },
  {
    id: 's3-default-encryption-removed',
    title: 'Bucket default encryption configuration deleted',
    category: 'defense-evasion',
    technique: 'T1562',
    tactic: 'defense-evasion',
    severity: 'medium',
    where: and(api('s3', 'DeleteBucketEncryption'), SUCCEEDED),
    explain: 'New objects fall back to S3-managed keys: the account’s own KMS key no longer guards them.',
    remediation: 'Put the encryption configuration back with the account’s KMS key.',
  },
  {
    id: 's3-default-encryption-foreign-key',
    title: 'Bucket default encryption set to another account’s KMS key',
    category: 'impact',
    technique: 'T1486',
    tactic: 'impact',
    severity: 'critical',
    where: and(api('s3', 'PutBucketEncryption'), or(...DEFAULT_KEY.map(foreignAccount))),
    explain: 'Every new object is encrypted with a key someone else controls: S3 ransomware.',
    remediation:
      'Set the default encryption back to the account’s key and copy affected objects while the key still works.',
  },
  {
    id: 's3-object-written-foreign-key',
    title: 'Objects written with another account’s KMS key',
    category: 'impact',
    technique: 'T1486',
    tactic: 'impact',
    severity: 'critical',
    where: and(OBJECT_WRITE, or(foreignAccount(req(KMS_KEY)), foreignAccount(resp(KMS_KEY)))),
    explain: 'The objects can only be decrypted while the other account lets its key be used: S3 ransomware.',
    remediation:
      'Restore previous versions; copy the objects under the account’s key while the foreign key still answers.',
  },
  {
    id: 's3-ransom-note',
    title: 'Ransom-note-like object uploaded',
    category: 'impact',
    technique: 'T1486',
    tactic: 'impact',
    severity: 'high',
    where: and(api('s3', 'PutObject'), RANSOM_NOTE),
    explain: 'A text or HTML file named like a ransom demand was written into the bucket.',
    remediation:
      'Read the note as evidence, keep it, and check the bucket for deleted or re-encrypted objects.',
  },
  {
    id: 's3-governance-bypass',
    title: 'Object Lock governance retention bypassed',
    category: 'impact',
    technique: 'T1490',
    tactic: 'impact',
    severity: 'high',
    where: and(
      api('s3', 'DeleteObject', 'DeleteObjects', 'PutObjectRetention'),
      matches('requestparameters', '"x-amz-bypass-governance-retention"\\s*:\\s*"?true'),
    ),
    explain: 'Objects protected by Object Lock were deleted or unlocked with the bypass permission.',
    remediation: 'Switch the retention to compliance mode and restore the objects from other copies.',
  },
  {
    id: 's3-mfa-delete-disabled',
    title: 'Bucket MFA delete turned off',
    category: 'impact',
    technique: 'T1490',
    tactic: 'impact',
    severity: 'medium',
    where: and(
      api('s3', 'PutBucketVersioning'),
      matches('requestparameters', '"MfaDelete"\\s*:\\s*"Disabled"'),
    ),
    explain: 'Versions can now be deleted without the root user’s MFA.',
    remediation: 'Enable MFA delete again (root credentials and MFA needed).',
  },
  {
    id: 's3-logging-disabled',
    title: 'Bucket server access logging turned off',
    category: 'defense-evasion',
    technique: 'T1562.008',
    tactic: 'defense-evasion',
    severity: 'medium',
    where: and(
      api('s3', 'PutBucketLogging'),
      not(`strpos(coalesce(requestparameters, ''), 'LoggingEnabled') > 0`),
    ),
    explain: 'Requests to the bucket are no longer logged.',
    remediation: 'Turn access logging back on to the log bucket it used.',
  },
  {
    id: 's3-replication-foreign',
    title: 'Bucket replicating to another account',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(api('s3', 'PutBucketReplication'), or(...REPLICA_ACCOUNT.map(foreignAccount))),
    explain: 'Every new object is copied into a bucket owned by another account.',
    remediation: 'Delete the replication rule and treat the replicated objects as disclosed.',
  },
  {
    id: 's3-replication-configured',
    title: 'Bucket replication configured',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'low',
    where: and(api('s3', 'PutBucketReplication'), SUCCEEDED),
    explain: 'Objects will be copied to the destination bucket of the rule.',
    remediation: 'Check the destination bucket belongs to the account and is a planned replica.',
  },
  {
    id: 's3-replication-removed',
    title: 'Bucket replication removed',
    category: 'impact',
    technique: 'T1490',
    tactic: 'impact',
    severity: 'medium',
    where: and(api('s3', 'DeleteBucketReplication'), SUCCEEDED),
    explain: 'The replica that could restore the bucket stops receiving its objects.',
    remediation: 'Put the replication back and check the replica is complete.',
  },
  {
    id: 's3-read-by-foreign-account',
    title: 'Objects read or copied by a principal of another account',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'medium',
    where: and(api('s3', 'GetObject', 'CopyObject', 'UploadPartCopy'), SUCCEEDED, OTHER_ACCOUNT_CALLER),
    explain: 'Someone outside the account read the objects, through a bucket policy or ACL that lets them.',
    remediation:
      'Check the caller’s account is a known partner, else remove its grant and treat the keys read as disclosed.',
  },
  {
    id: 's3-copy-to-foreign-bucket',
    title: 'Objects copied or uploaded into a bucket of another account',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(
      api('s3', 'CopyObject', 'UploadPartCopy', 'PutObject', 'CreateMultipartUpload'),
      SUCCEEDED,
      or(...[1, 2, 3, 4].map((i) => foreignAccount(`element_at(resources, ${i}).accountid`))),
    ),
    explain: 'The account’s credentials wrote data into a bucket someone else owns.',
    remediation: 'Treat the copied objects as disclosed; find the source keys in x-amz-copy-source.',
  },
  {
    id: 's3-batch-job-created',
    title: 'S3 Batch Operations job created',
    category: 'impact',
    technique: 'T1486',
    tactic: 'impact',
    severity: 'medium',
    where: and(api('s3', 'CreateJob'), SUCCEEDED),
    explain: 'One job can copy, re-encrypt or delete millions of objects.',
    remediation: 'Read the job’s operation and manifest (DescribeJob) and cancel it if nobody planned it.',
  },
]);
