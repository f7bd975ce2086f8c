import { createHash } from 'node:crypto';
import { SimError } from '../../core/errors.js';
import type { OpContext } from '../../core/service.js';

/** A resource-policy statement added with AddPermission. */
export interface PermissionStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: string | { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/** A function URL configuration. */
export interface UrlConfig {
  functionUrl: string;
  authType: 'NONE' | 'AWS_IAM';
  cors?: unknown;
  creationTime: string;
  lastModifiedTime: string;
}

/** A Lambda function: configuration, code (zip kept as base64) and resource policy. */
export interface LambdaFunction {
  name: string;
  arn: string;
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  layers: string[];
  codeZip: string;
  codeSha256: string;
  codeSize: number;
  lastModified: string;
  revisionId: string;
  version: number;
  policy: PermissionStatement[];
  url?: UrlConfig | undefined;
  tags: Record<string, string>;
  /** Short-lived tokens for GetFunction's code location (token → expiry, simulated time). */
  downloads: Record<string, string>;
}

/** A layer version. */
export interface LayerVersion {
  layerArn: string;
  version: number;
  description: string;
  codeSha256: string;
  codeSize: number;
  createdDate: string;
  compatibleRuntimes: string[];
  /** AddLayerVersionPermission statements (sharing with accounts, an organization or `*`). */
  policy?: LayerStatement[];
  revisionId?: string;
}

/** A layer-version policy statement. */
export interface LayerStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: string | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/** An event source mapping: a queue or stream that invokes a function. */
export interface EventSourceMapping {
  uuid: string;
  eventSourceArn: string;
  functionArn: string;
  batchSize: number;
  enabled: boolean;
  startingPosition?: string;
  lastModified: string;
}

/** One region's Lambda resources. */
export interface LambdaRegion {
  functions: Record<string, LambdaFunction>;
  layers: Record<string, LayerVersion[]>;
  /** Last version number per layer: numbers are never reused, even after deletion. */
  layerCounters?: Record<string, number>;
  eventSourceMappings?: Record<string, EventSourceMapping>;
}

/** Lambda state of one account. */
export interface LambdaState {
  regions: Record<string, LambdaRegion>;
}

export type LambdaCtx = OpContext<LambdaState>;

/** The region's slice (created on first use). */
export function regionOf(state: LambdaState, region: string): LambdaRegion {
  return (state.regions[region] ??= { functions: {}, layers: {} });
}

/** AddPermission's conflict: the statement id is taken (functions and layer versions alike). */
export function refuseTakenSid(policy: { Sid: string }[], sid: string): void {
  if (policy.some((s) => s.Sid === sid))
    throw new SimError(
      'ResourceConflictException',
      `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
      409,
    );
}

/** The policy without statement `sid`, or Lambda's 404 when it has none by that id. */
export function withoutSid<T extends { Sid: string }>(policy: T[], sid: string): T[] {
  if (!policy.some((s) => s.Sid === sid))
    throw new SimError('ResourceNotFoundException', `Statement ${sid} is not found in resource policy.`, 404);
  return policy.filter((s) => s.Sid !== sid);
}

/** One page of a listing: `MaxItems` items from the `Marker` on (Lambda's opaque marker). */
export function page<T>(items: T[], marker: string | undefined, maxItems: number | undefined, fallback = 50) {
  const start = marker ? Number(Buffer.from(marker, 'base64url').toString('utf8')) || 0 : 0;
  const end = start + (maxItems ?? fallback);
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { NextMarker: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

/** Lambda's time format: `2024-07-30T21:57:15.000+0000`. */
export function lambdaTime(iso: string): string {
  return new Date(iso).toISOString().replace('Z', '+0000');
}

/** Base64 SHA-256 of the code, as CodeSha256. */
export function sha256Base64(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

/** Function name from a name, a full ARN or a partial ARN (`account:function:name`). */
export function functionName(raw: string): string {
  const m = /^(?:arn:aws:lambda:[^:]+:)?(?:\d{12}:)?(?:function:)?([\w-]{1,64})(?::[\w$-]+)?$/.exec(raw);
  return m ? m[1]! : raw;
}

/** The function or ResourceNotFoundException (404). */
export function getFunction(ctx: LambdaCtx, raw: string): LambdaFunction {
  const name = functionName(raw);
  const fn = regionOf(ctx.state, ctx.region).functions[name];
  if (!fn) {
    throw new SimError(
      'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:${ctx.region}:${ctx.caller.accountId}:function:${name}`,
      404,
    );
  }
  return fn;
}

/** FunctionConfiguration as the API returns it. */
export function configurationOf(fn: LambdaFunction) {
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: lambdaTime(fn.lastModified),
    CodeSha256: fn.codeSha256,
    Version: '$LATEST',
    Environment: Object.keys(fn.environment).length ? { Variables: fn.environment } : undefined,
    Layers: fn.layers.length ? fn.layers.map((Arn) => ({ Arn, CodeSize: 0 })) : undefined,
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
  };
}

/**
 * CloudTrail shows a configuration without environment variable values (Lambda encrypts and
 * omits them: `"environment": {}`).
 */
export function configurationTrail(fn: LambdaFunction): Record<string, unknown> {
  const c = configurationOf(fn);
  return {
    functionName: c.FunctionName,
    functionArn: c.FunctionArn,
    runtime: c.Runtime,
    role: c.Role,
    handler: c.Handler,
    codeSize: c.CodeSize,
    description: c.Description,
    timeout: c.Timeout,
    memorySize: c.MemorySize,
    lastModified: c.LastModified,
    codeSha256: c.CodeSha256,
    version: c.Version,
    environment: {},
    ...(fn.layers.length ? { layers: fn.layers.map((arn) => ({ arn, codeSize: 0 })) } : {}),
    tracingConfig: { mode: 'PassThrough' },
    revisionId: c.RevisionId,
    state: 'Active',
    lastUpdateStatus: 'Successful',
    packageType: 'Zip',
    architectures: ['x86_64'],
  };
}
