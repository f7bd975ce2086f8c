import { respond } from '../../core/http.js';
import {
  cannedGrants,
  createBucket,
  deleteBucket,
  getBucketPolicy,
  getBucketTagging,
  getOwnership,
  getPublicAccessBlock,
  listBuckets,
  policyIsPublic,
  putBucketAcl,
  putBucketPolicy,
} from './buckets.js';
import type { S3Call, S3OpSpec } from './call.js';
import { readDocument } from './operations-config.js';
import { s3Error } from './errors.js';
import type { Grant, ObjectOwnership, PublicAccessBlock } from './model.js';
import { S3_NS, aclXml, ownerXml, s3Time } from './wire.js';
import { list, parseBody, text } from './xml-input.js';

const OWNERSHIPS: ObjectOwnership[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

function ownershipOf(value: string | undefined): ObjectOwnership | undefined {
  if (value === undefined) return undefined;
  if (!OWNERSHIPS.includes(value as ObjectOwnership)) {
    throw s3Error('InvalidArgument', `Invalid x-amz-object-ownership header: ${value}`, 400);
  }
  return value as ObjectOwnership;
}

const PERMISSIONS = new Set(['FULL_CONTROL', 'READ', 'WRITE', 'READ_ACP', 'WRITE_ACP']);

/** Grants from an `AccessControlPolicy` body. */
function grantsFromBody(call: S3Call): Grant[] {
  readDocument(call, 'AccessControlPolicy');
  const policy = parseBody(call.ctx.http.body, 'AccessControlPolicy');
  return list(policy.AccessControlList, 'Grant').map((g): Grant => {
    const permission = text(g, 'Permission') ?? '';
    if (!PERMISSIONS.has(permission))
      throw s3Error(
        'MalformedACLError',
        'The XML you provided was not well-formed or did not validate against our published schema',
        400,
      );
    const uri = text(g.Grantee, 'URI');
    const id = text(g.Grantee, 'ID');
    return {
      grantee: uri !== undefined ? { type: 'Group', uri } : { type: 'CanonicalUser', id: id ?? '' },
      permission: permission as Grant['permission'],
    };
  });
}

const GRANT_HEADERS: [string, Grant['permission']][] = [
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
];

/** Grants from `x-amz-grant-*` headers (`uri="…"`, `id="…"`, comma-separated). */
function grantsFromHeaders(call: S3Call): Grant[] | undefined {
  const grants: Grant[] = [];
  for (const [header, permission] of GRANT_HEADERS) {
    const value = call.ctx.http.headers[header];
    if (!value) continue;
    for (const part of value.split(',')) {
      const match = /^\s*(uri|id)\s*=\s*"?([^"]*)"?\s*$/.exec(part);
      if (!match) continue;
      grants.push({
        grantee:
          match[1] === 'uri' ? { type: 'Group', uri: match[2]! } : { type: 'CanonicalUser', id: match[2]! },
        permission,
      });
    }
  }
  return grants.length ? grants : undefined;
}

/** Canned ACL and grant headers as CloudTrail records them (`"x-amz-acl": ["public-read"]`). */
function recordAclHeaders(call: S3Call): void {
  const headers = call.ctx.http.headers;
  const recorded = Object.fromEntries(
    ['x-amz-acl', ...GRANT_HEADERS.map(([h]) => h)].flatMap((h) => (headers[h] ? [[h, [headers[h]]]] : [])),
  );
  call.ctx.trail.requestParameters = {
    ...(call.ctx.trail.requestParameters as Record<string, unknown>),
    ...recorded,
  };
}

function boolText(node: unknown, name: string): boolean {
  return text(node, name)?.toLowerCase() === 'true';
}

const noContent = () => respond({ status: 204 });

/** Bucket-level (management) operations. */
export const BUCKET_OPERATIONS: Record<string, S3OpSpec> = {
  ListBuckets: {
    scope: 'service',
    action: 's3:ListAllMyBuckets',
    run: (call) => {
      const p = call.ctx.params;
      const maxBuckets = p.get('max-buckets');
      const page = listBuckets(call.world, call.ctx.caller.accountId, {
        prefix: p.get('prefix'),
        bucketRegion: p.get('bucket-region'),
        maxBuckets: maxBuckets === undefined ? undefined : Number(maxBuckets),
        continuationToken: p.get('continuation-token'),
      });
      return {
        ListAllMyBucketsResult: {
          '@xmlns': S3_NS,
          Owner: ownerXml(call.ctx.caller.accountId),
          Buckets: {
            Bucket: page.buckets.map((b) => ({
              Name: b.name,
              CreationDate: s3Time(b.creationDate),
              BucketRegion: b.region,
            })),
          },
          ContinuationToken: page.continuationToken,
          Prefix: p.get('prefix'),
        },
      };
    },
  },
  CreateBucket: {
    scope: 'create',
    action: 's3:CreateBucket',
    run: (call) => {
      const body = call.ctx.http.body;
      const constraint = body.length
        ? text(parseBody(body, 'CreateBucketConfiguration'), 'LocationConstraint')
        : undefined;
      const headers = call.ctx.http.headers;
      const bucket = createBucket(call.world, call.deps, call.ctx.caller.accountId, call.ctx.region, {
        bucket: call.bucketName,
        locationConstraint: constraint,
        acl: headers['x-amz-acl'],
        objectOwnership: ownershipOf(headers['x-amz-object-ownership']),
      });
      const location =
        bucket.region === 'us-east-1' ? `/${bucket.name}` : `http://${bucket.name}.s3.amazonaws.com/`;
      return respond({ headers: { location } });
    },
  },
  DeleteBucket: {
    scope: 'bucket',
    action: 's3:DeleteBucket',
    run: (call) => {
      deleteBucket(call.world, call.bucketName);
      return noContent();
    },
  },
  HeadBucket: {
    scope: 'bucket',
    action: 's3:ListBucket',
    run: (call) => respond({ headers: { 'x-amz-bucket-region': call.bucket.region } }),
  },
  GetBucketLocation: {
    scope: 'bucket',
    action: 's3:GetBucketLocation',
    // us-east-1 is an empty LocationConstraint (the CLI prints null), as S3 answers.
    run: (call) => ({
      LocationConstraint: {
        '@xmlns': S3_NS,
        '#text': call.bucket.region === 'us-east-1' ? '' : call.bucket.region,
      },
    }),
  },
  GetBucketAcl: { scope: 'bucket', action: 's3:GetBucketAcl', run: (call) => aclXml(call.bucket) },
  PutBucketAcl: {
    scope: 'bucket',
    action: 's3:PutBucketAcl',
    run: (call) => {
      const canned = call.ctx.http.headers['x-amz-acl'];
      recordAclHeaders(call);
      const grants = canned
        ? cannedGrants(canned, call.bucket.ownerAccount)
        : (grantsFromHeaders(call) ?? grantsFromBody(call));
      putBucketAcl(call.world, call.bucketName, grants);
      return undefined;
    },
  },
  GetBucketPolicy: {
    scope: 'bucket',
    action: 's3:GetBucketPolicy',
    run: (call) =>
      respond({
        headers: { 'content-type': 'application/json' },
        body: getBucketPolicy(call.world, call.bucketName),
      }),
  },
  PutBucketPolicy: {
    scope: 'bucket',
    action: 's3:PutBucketPolicy',
    run: (call) => {
      const text = call.ctx.http.body.toString('utf8');
      putBucketPolicy(call.world, call.bucketName, text);
      // CloudTrail keeps the document itself under bucketPolicy (and the sub-resource as policy: "").
      call.ctx.trail.requestParameters = {
        ...(call.ctx.trail.requestParameters as Record<string, unknown>),
        bucketPolicy: JSON.parse(text) as unknown,
      };
      return noContent();
    },
  },
  DeleteBucketPolicy: {
    scope: 'bucket',
    action: 's3:DeleteBucketPolicy',
    run: (call) => {
      delete call.bucket.policy;
      return noContent();
    },
  },
  GetBucketPolicyStatus: {
    scope: 'bucket',
    action: 's3:GetBucketPolicyStatus',
    run: (call) => ({
      PolicyStatus: {
        '@xmlns': S3_NS,
        IsPublic: call.bucket.policy !== undefined && policyIsPublic(call.bucket.policy),
      },
    }),
  },
  GetPublicAccessBlock: {
    scope: 'bucket',
    eventName: 'GetBucketPublicAccessBlock',
    action: 's3:GetBucketPublicAccessBlock',
    run: (call) => ({
      PublicAccessBlockConfiguration: {
        '@xmlns': S3_NS,
        ...getPublicAccessBlock(call.world, call.bucketName),
      },
    }),
  },
  PutPublicAccessBlock: {
    scope: 'bucket',
    eventName: 'PutBucketPublicAccessBlock',
    action: 's3:PutBucketPublicAccessBlock',
    run: (call) => {
      readDocument(call, 'PublicAccessBlockConfiguration');
      const config = parseBody(call.ctx.http.body, 'PublicAccessBlockConfiguration');
      const block: PublicAccessBlock = {
        BlockPublicAcls: boolText(config, 'BlockPublicAcls'),
        IgnorePublicAcls: boolText(config, 'IgnorePublicAcls'),
        BlockPublicPolicy: boolText(config, 'BlockPublicPolicy'),
        RestrictPublicBuckets: boolText(config, 'RestrictPublicBuckets'),
      };
      call.bucket.publicAccessBlock = block;
      return undefined;
    },
  },
  DeletePublicAccessBlock: {
    scope: 'bucket',
    eventName: 'DeleteBucketPublicAccessBlock',
    // S3 authorizes DeletePublicAccessBlock as s3:PutBucketPublicAccessBlock.
    action: 's3:PutBucketPublicAccessBlock',
    run: (call) => {
      delete call.bucket.publicAccessBlock;
      return noContent();
    },
  },
  GetBucketOwnershipControls: {
    scope: 'bucket',
    action: 's3:GetBucketOwnershipControls',
    run: (call) => ({
      OwnershipControls: {
        '@xmlns': S3_NS,
        Rule: { ObjectOwnership: getOwnership(call.world, call.bucketName) },
      },
    }),
  },
  PutBucketOwnershipControls: {
    scope: 'bucket',
    action: 's3:PutBucketOwnershipControls',
    run: (call) => {
      const controls = parseBody(call.ctx.http.body, 'OwnershipControls');
      const ownership = ownershipOf(text(controls.Rule, 'ObjectOwnership'));
      if (!ownership)
        throw s3Error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      // Enforcing bucket ownership disables ACLs: the ACL is back to owner-only.
      if (ownership === 'BucketOwnerEnforced')
        call.bucket.acl = cannedGrants('private', call.bucket.ownerAccount);
      call.bucket.ownership = ownership;
      return undefined;
    },
  },
  DeleteBucketOwnershipControls: {
    scope: 'bucket',
    action: 's3:PutBucketOwnershipControls',
    run: (call) => {
      delete call.bucket.ownership;
      return noContent();
    },
  },
  GetBucketTagging: {
    scope: 'bucket',
    action: 's3:GetBucketTagging',
    run: (call) => ({
      Tagging: { '@xmlns': S3_NS, TagSet: { Tag: getBucketTagging(call.world, call.bucketName) } },
    }),
  },
  PutBucketTagging: {
    scope: 'bucket',
    action: 's3:PutBucketTagging',
    run: (call) => {
      const tagging = parseBody(call.ctx.http.body, 'Tagging');
      call.bucket.tags = list(tagging.TagSet, 'Tag').map((t) => ({
        Key: text(t, 'Key') ?? '',
        Value: text(t, 'Value') ?? '',
      }));
      return noContent();
    },
  },
  DeleteBucketTagging: {
    scope: 'bucket',
    action: 's3:PutBucketTagging',
    run: (call) => {
      delete call.bucket.tags;
      return noContent();
    },
  },
};
