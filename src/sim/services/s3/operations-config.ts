import { SimError } from '../../core/errors.js';
import { respond } from '../../core/http.js';
import type { XmlValue } from '../../core/protocols/xml.js';
import { bucketIfExists } from './buckets.js';
import type { S3Call, S3OpSpec } from './call.js';
import { s3Error } from './errors.js';
import type { Bucket } from './model.js';
import { S3_NS } from './wire.js';
import {
  childText,
  children,
  parseDocument,
  trailJson,
  treeXml,
  withoutAttributes,
  type XmlTree,
} from './xml-config.js';

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';
const malformed = (): SimError => s3Error('MalformedXML', MALFORMED, 400);

/** One bucket configuration document S3 stores as given (S3 API Put/Get/DeleteBucket<Name>). */
interface ConfigDef {
  /** Root element of the document (`ReplicationConfiguration`…). */
  root: string;
  /** Operation, IAM action and, when CloudTrail names it otherwise, the recorded event name. */
  put: { op: string; action: string; eventName?: string };
  get: { op: string; action: string; eventName?: string };
  delete?: { op: string; action: string; eventName?: string };
  /** The answer when the bucket has none: a document, or S3's error. */
  whenAbsent(bucket: string): XmlTree | SimError;
  /** Checks S3 makes before accepting the document (throws S3's error). */
  validate?(call: S3Call, doc: Record<string, XmlTree | XmlTree[]>): void | Promise<void>;
  /** A document that clears the configuration (an empty BucketLoggingStatus). */
  clears?(doc: Record<string, XmlTree | XmlTree[]>): boolean;
}

/** SSE-S3, the encryption every bucket has since January 2023 (S3 UG, "Default encryption FAQ"). */
const DEFAULT_ENCRYPTION: XmlTree = {
  Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: 'false' },
};

const CONFIGS: ConfigDef[] = [
  {
    // CloudTrail records the lifecycle calls as PutBucketLifecycle / GetBucketLifecycle /
    // DeleteBucketLifecycle (S3 UG, "Amazon S3 CloudTrail events").
    root: 'LifecycleConfiguration',
    put: {
      op: 'PutBucketLifecycleConfiguration',
      action: 's3:PutLifecycleConfiguration',
      eventName: 'PutBucketLifecycle',
    },
    get: {
      op: 'GetBucketLifecycleConfiguration',
      action: 's3:GetLifecycleConfiguration',
      eventName: 'GetBucketLifecycle',
    },
    delete: { op: 'DeleteBucketLifecycle', action: 's3:PutLifecycleConfiguration' },
    whenAbsent: (bucket) =>
      s3Error('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404, {
        BucketName: bucket,
      }),
    validate(_call, doc) {
      const rules = children(doc, 'Rule');
      const valid = (r: XmlTree): boolean =>
        ['Enabled', 'Disabled'].includes(childText(r, 'Status') ?? '') &&
        [
          'Expiration',
          'NoncurrentVersionExpiration',
          'Transition',
          'NoncurrentVersionTransition',
          'AbortIncompleteMultipartUpload',
        ].some((action) => children(r, action).length > 0);
      if (!rules.length || rules.length > 1000 || !rules.every(valid)) throw malformed();
    },
  },
  {
    root: 'ReplicationConfiguration',
    put: { op: 'PutBucketReplication', action: 's3:PutReplicationConfiguration' },
    get: { op: 'GetBucketReplication', action: 's3:GetReplicationConfiguration' },
    delete: { op: 'DeleteBucketReplication', action: 's3:PutReplicationConfiguration' },
    whenAbsent: (bucket) =>
      s3Error('ReplicationConfigurationNotFoundError', 'The replication configuration was not found', 404, {
        BucketName: bucket,
      }),
    async validate(call, doc) {
      const role = childText(doc, 'Role');
      const rules = children(doc, 'Rule');
      if (!role || !rules.length) throw malformed();
      if (call.bucket.versioning !== 'Enabled')
        throw s3Error(
          'InvalidRequest',
          "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
          400,
        );
      for (const rule of rules) {
        const target = childText((rule as Record<string, unknown>).Destination, 'Bucket') ?? '';
        const name = target.replace(/^arn:aws:s3:::/, '');
        const destination = bucketIfExists(call.world, name);
        if (!destination) throw s3Error('InvalidRequest', 'Destination bucket must exist.', 400);
        if (destination.versioning !== 'Enabled')
          throw s3Error('InvalidRequest', 'Destination bucket must have versioning enabled.', 400);
      }
      // S3 assumes the role on the owner's behalf: the caller must be allowed to pass it.
      await call.ctx.authorize('iam:PassRole', role);
    },
  },
  {
    root: 'ServerSideEncryptionConfiguration',
    put: { op: 'PutBucketEncryption', action: 's3:PutEncryptionConfiguration' },
    get: { op: 'GetBucketEncryption', action: 's3:GetEncryptionConfiguration' },
    delete: { op: 'DeleteBucketEncryption', action: 's3:PutEncryptionConfiguration' },
    whenAbsent: () => DEFAULT_ENCRYPTION,
    validate(_call, doc) {
      const algorithms = children(doc, 'Rule').map((r) =>
        childText((r as Record<string, unknown>).ApplyServerSideEncryptionByDefault, 'SSEAlgorithm'),
      );
      if (
        !algorithms.length ||
        algorithms.some((a) => !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(a ?? ''))
      )
        throw malformed();
    },
  },
  {
    root: 'BucketLoggingStatus',
    put: { op: 'PutBucketLogging', action: 's3:PutBucketLogging' },
    get: { op: 'GetBucketLogging', action: 's3:GetBucketLogging' },
    whenAbsent: () => ({}),
    clears: (doc) => children(doc, 'LoggingEnabled').length === 0,
    validate(call, doc) {
      const enabled = children(doc, 'LoggingEnabled')[0];
      if (enabled === undefined) return;
      const target = bucketIfExists(call.world, childText(enabled, 'TargetBucket') ?? '');
      if (!target)
        throw s3Error('InvalidTargetBucketForLogging', 'The target bucket for logging does not exist', 400);
      if (target.ownerAccount !== call.bucket.ownerAccount)
        throw s3Error(
          'InvalidTargetBucketForLogging',
          'The owner for the bucket to be logged and the target bucket must be the same.',
          400,
        );
    },
  },
  {
    root: 'WebsiteConfiguration',
    put: { op: 'PutBucketWebsite', action: 's3:PutBucketWebsite' },
    get: { op: 'GetBucketWebsite', action: 's3:GetBucketWebsite' },
    delete: { op: 'DeleteBucketWebsite', action: 's3:DeleteBucketWebsite' },
    whenAbsent: (bucket) =>
      s3Error(
        'NoSuchWebsiteConfiguration',
        'The specified bucket does not have a website configuration',
        404,
        {
          BucketName: bucket,
        },
      ),
    validate(_call, doc) {
      if (!children(doc, 'IndexDocument').length && !children(doc, 'RedirectAllRequestsTo').length)
        throw malformed();
    },
  },
];

/** The document as CloudTrail records it next to bucketName and Host. */
function recordBody(call: S3Call, root: string, doc: Record<string, XmlTree | XmlTree[]>): void {
  call.ctx.trail.requestParameters = {
    ...(call.ctx.trail.requestParameters as Record<string, unknown>),
    [root]: trailJson(doc),
  };
}

/** Parse a Put body, record it, and keep it without attributes. */
export function readDocument(call: S3Call, root: string): Record<string, XmlTree | XmlTree[]> {
  const doc = parseDocument(call.ctx.http.body, root);
  recordBody(call, root, doc);
  return doc;
}

function configs(bucket: Bucket): Record<string, XmlTree> {
  return (bucket.configs ??= {});
}

function specsOf(def: ConfigDef): Record<string, S3OpSpec> {
  const specs: Record<string, S3OpSpec> = {
    [def.put.op]: {
      scope: 'bucket',
      action: def.put.action,
      ...(def.put.eventName ? { eventName: def.put.eventName } : {}),
      run: async (call) => {
        const doc = readDocument(call, def.root);
        await def.validate?.(call, doc);
        if (def.clears?.(doc)) delete configs(call.bucket)[def.root];
        else configs(call.bucket)[def.root] = withoutAttributes(doc) as XmlTree;
        return undefined;
      },
    },
    [def.get.op]: {
      scope: 'bucket',
      action: def.get.action,
      ...(def.get.eventName ? { eventName: def.get.eventName } : {}),
      run: (call) => {
        const stored = call.bucket.configs?.[def.root] ?? def.whenAbsent(call.bucketName);
        if (stored instanceof SimError) throw stored;
        return { [def.root]: { '@xmlns': S3_NS, ...treeXml(stored) } as XmlValue };
      },
    },
  };
  if (def.delete)
    specs[def.delete.op] = {
      scope: 'bucket',
      action: def.delete.action,
      run: (call) => {
        delete configs(call.bucket)[def.root];
        return respond({ status: 204 });
      },
    };
  return specs;
}

/** Versioning status: once enabled, a bucket can only be suspended (S3 UG, "Using versioning"). */
const VERSIONING: Record<string, S3OpSpec> = {
  GetBucketVersioning: {
    scope: 'bucket',
    action: 's3:GetBucketVersioning',
    run: (call) => ({
      VersioningConfiguration: {
        '@xmlns': S3_NS,
        Status: call.bucket.versioning,
        MfaDelete: call.bucket.versioning ? 'Disabled' : undefined,
      },
    }),
  },
  PutBucketVersioning: {
    scope: 'bucket',
    action: 's3:PutBucketVersioning',
    run: (call) => {
      const doc = readDocument(call, 'VersioningConfiguration');
      const status = childText(doc, 'Status');
      if (status !== 'Enabled' && status !== 'Suspended') throw malformed();
      // MFA delete takes the root user's MFA code in x-amz-mfa, which the simulated account never issues.
      if (childText(doc, 'MfaDelete') === 'Enabled')
        throw s3Error('AccessDenied', 'Mfa Authentication must be used for this request', 403);
      call.bucket.versioning = status;
      return undefined;
    },
  },
};

/** Bucket configuration operations: versioning, replication, encryption, logging, website. */
export const CONFIG_OPERATIONS: Record<string, S3OpSpec> = Object.assign(
  { ...VERSIONING },
  ...CONFIGS.map(specsOf),
) as Record<string, S3OpSpec>;
