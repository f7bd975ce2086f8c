import type { OpContext, OperationDef } from '../../core/service.js';
import { SimError } from '../../core/errors.js';
import { SimResponse } from '../../core/http.js';
import { ALL_USERS, findBucket } from './buckets.js';
import { expireByLifecycle } from './lifecycle.js';
import type { Bucket, S3AccountState, S3Deps, S3World } from './model.js';

/** What an S3 operation works with. */
export interface S3Call {
  ctx: OpContext<S3AccountState>;
  world: S3World;
  deps: S3Deps;
  /** Bucket and key from the path or the virtual host ('' when the request names none). */
  bucketName: string;
  key: string;
  /** The bucket, resolved and authorized (bucket and object scopes). */
  bucket: Bucket;
  /** Facts the operation adds to CloudTrail's additionalEventData (`SSEApplied`…). */
  eventData?: Record<string, unknown>;
}

/** One S3 operation, declared. */
export interface S3OpSpec {
  /** `service` (ListBuckets), `create` (CreateBucket), `bucket` or `object` level. */
  scope: 'service' | 'create' | 'bucket' | 'object';
  /** IAM action checked before `run` (omit when `run` authorizes per item, as DeleteObjects does). */
  action?: string | ((call: S3Call) => string);
  /** CloudTrail eventName when S3 records another name (PutPublicAccessBlock → PutBucketPublicAccessBlock). */
  eventName?: string;
  /** Object-level calls are CloudTrail data events. */
  dataEvent?: boolean;
  /** Unsigned requests reach the operation (public buckets: policy to `*`, or AllUsers ACL grants). */
  allowAnonymous?: boolean;
  run(call: S3Call): unknown;
}

/** The S3 world from a request: every account's S3 slice (bucket names are global). */
export function worldOf(ctx: OpContext<S3AccountState>): S3World {
  return {
    accounts: Object.fromEntries(ctx.sim.accounts().map((a) => [a.accountId, ctx.stateOf(a.accountId)])),
  };
}

const VERSION_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

/** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
export function s3Arn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

/** The virtual-host name AWS clients use for a bucket (CloudTrail `requestParameters.Host`). */
function awsHost(bucket: string, region: string): string {
  return region === 'us-east-1' ? `${bucket}.s3.amazonaws.com` : `${bucket}.s3.${region}.amazonaws.com`;
}

/**
 * Authorize `action` on the bucket (or one of its objects) with the bucket policy as resource
 * policy and the owner as resource account: cross-account access needs both sides to allow.
 */
export async function authorizeOn(call: S3Call, action: string, key?: string): Promise<void> {
  if (call.ctx.caller.type === 'Anonymous') {
    publicAccess(call, action);
    return;
  }
  const policy = call.bucket.policy;
  const context = headerConditionKeys(call.ctx.http.headers);
  await call.ctx.authorize(action, s3Arn(call.bucket.name, key), {
    resourceAccount: call.bucket.ownerAccount,
    ...(policy ? { resourcePolicy: JSON.parse(policy) as unknown } : {}),
    ...(Object.keys(context).length ? { context } : {}),
  });
}

/** Request headers S3 exposes as condition keys (S3 SAR, "Condition keys for Amazon S3"). */
const HEADER_KEYS = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-acl',
];

/** The `s3:<header>` condition keys a request carries, e.g. the SSE-C algorithm a deny tests with Null. */
function headerConditionKeys(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of HEADER_KEYS) {
    const value = headers[name];
    if (value !== undefined) out[`s3:${name}`] = value;
  }
  return out;
}

/**
 * An unsigned request: allowed by a public bucket policy (unless RestrictPublicBuckets) or, for
 * listing, an AllUsers READ grant (unless IgnorePublicAcls) — S3 UG, "Blocking public access".
 */
function publicAccess(call: S3Call, action: string): void {
  const block = call.bucket.publicAccessBlock;
  const grantsAll = call.bucket.acl.some(
    (g) =>
      g.grantee.type === 'Group' &&
      g.grantee.uri === ALL_USERS &&
      (g.permission === 'READ' || g.permission === 'FULL_CONTROL'),
  );
  const byAcl = action === 's3:ListBucket' && grantsAll && !block?.IgnorePublicAcls;
  const byPolicy =
    call.bucket.policy !== undefined &&
    !block?.RestrictPublicBuckets &&
    policyAllowsAnyone(call.bucket.policy, action);
  if (!byAcl && !byPolicy) throw new SimError('AccessDenied', 'Access Denied', 403);
}

/** An Allow statement to `*` (without conditions) naming the action (or a wildcard covering it). */
function policyAllowsAnyone(policy: string, action: string): boolean {
  const doc = JSON.parse(policy) as { Statement?: unknown };
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as {
    Effect?: string;
    Principal?: unknown;
    Action?: string | string[];
    Condition?: unknown;
  }[];
  const matches = (pattern: string): boolean =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i').test(action);
  return statements.some((s) => {
    const principal = s.Principal as { AWS?: unknown } | string | undefined;
    const anyone = principal === '*' || (typeof principal === 'object' && principal?.AWS === '*');
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action ?? ''];
    return s.Effect === 'Allow' && anyone && s.Condition === undefined && actions.some(matches);
  });
}

/** Whether `action` is allowed on an object, without throwing (per-key checks of DeleteObjects). */
export async function allowedOn(call: S3Call, action: string, key: string): Promise<boolean> {
  const policy = call.bucket.policy;
  const decision = await call.ctx.evaluate(action, s3Arn(call.bucket.name, key), {
    resourceAccount: call.bucket.ownerAccount,
    ...(policy ? { resourcePolicy: JSON.parse(policy) as unknown } : {}),
  });
  return decision.allowed;
}

/**
 * Build the OperationDef: resolve the bucket (NoSuchBucket before any permission check, as S3
 * answers), authorize, and fill CloudTrail the S3 way — requestParameters `{bucketName, Host,
 * key, <query>}`, `resources` with the bucket (and object) ARNs, and for another account's
 * bucket the event recorded in the owner's account too.
 */
export function s3Operation(spec: S3OpSpec): OperationDef<S3AccountState> {
  return {
    auth: 'handler',
    ...(spec.dataEvent ? { dataEvent: true } : {}),
    ...(spec.eventName ? { eventName: spec.eventName } : {}),
    ...(spec.allowAnonymous ? { allowAnonymous: true } : {}),
    async handler(ctx) {
      const world = worldOf(ctx);
      const bucketName = ctx.pathParams.Bucket ?? '';
      const key = ctx.pathParams.Key ?? '';
      const query = Object.fromEntries(ctx.params.entries());
      ctx.trail.requestParameters =
        spec.scope === 'service'
          ? { Host: awsHost('', ctx.region).slice(1) }
          : {
              bucketName,
              Host: awsHost(bucketName, ctx.region),
              ...(spec.scope === 'object' ? { key } : {}),
              ...query,
            };
      const deps = {
        now: () => ctx.now,
        versionId: () => ctx.sim.ids.chars(VERSION_ID_CHARS, 32),
      };
      const call = { ctx, world, deps, bucketName, key } as S3Call;
      expireByLifecycle(world, deps);
      if (spec.scope === 'bucket' || spec.scope === 'object') {
        call.bucket = findBucket(world, bucketName);
        const owner = call.bucket.ownerAccount;
        ctx.trail.resources = [
          ...(spec.scope === 'object' ? [{ type: 'AWS::S3::Object', ARN: s3Arn(bucketName, key) }] : []),
          { accountId: owner, type: 'AWS::S3::Bucket', ARN: s3Arn(bucketName) },
        ] as { ARN: string; accountId: string; type: string }[];
        // Anonymous calls have no account of their own: only the bucket owner sees them.
        if (ctx.caller.type === 'Anonymous') ctx.trail.recipientAccountId = owner;
        else if (owner !== ctx.caller.accountId) ctx.trail.alsoRecordIn = [owner];
        const action = typeof spec.action === 'function' ? spec.action(call) : spec.action;
        if (action) await authorizeOn(call, action, spec.scope === 'object' ? key : undefined);
      } else if (typeof spec.action === 'string') {
        await ctx.authorize(spec.action, spec.scope === 'create' ? s3Arn(bucketName) : '*');
      }
      const result = await spec.run(call);
      ctx.trail.additionalEventData = { ...transferFacts(ctx, result), ...call.eventData };
      return result;
    },
  };
}

/**
 * S3's additionalEventData: signature facts and bytes in/out (what exfiltration estimates sum),
 * e.g. `{"SignatureVersion":"SigV4","bytesTransferredIn":0,"bytesTransferredOut":1024,…}`.
 */
function transferFacts(ctx: OpContext<S3AccountState>, result: unknown): Record<string, unknown> {
  const sent = result instanceof SimResponse && Buffer.isBuffer(result.body) && ctx.http.method !== 'HEAD';
  const presigned = ctx.params.has('X-Amz-Signature');
  return {
    ...(ctx.caller.type === 'Anonymous' ? {} : { SignatureVersion: 'SigV4' }),
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: ctx.http.body.length,
    ...(ctx.caller.type === 'Anonymous'
      ? {}
      : { AuthenticationMethod: presigned ? 'QueryString' : 'AuthHeader' }),
    'x-amz-id-2': Buffer.from(`${ctx.requestId}:sim`).toString('base64'),
    bytesTransferredOut: sent ? result.body.length : 0,
  };
}
