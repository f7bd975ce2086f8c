import { SimError } from '../../core/errors.js';
import type { OpContext } from '../../core/service.js';

/** One version of a secret's value with its staging labels (AWSCURRENT, AWSPREVIOUS, AWSPENDING). */
export interface SecretVersion {
  versionId: string;
  stages: string[];
  secretString?: string | undefined;
  secretBinary?: string | undefined;
  createdDate: string;
}

/** A secret as Secrets Manager keeps it. */
export interface Secret {
  name: string;
  arn: string;
  description?: string | undefined;
  kmsKeyId?: string | undefined;
  createdDate: string;
  lastChangedDate: string;
  /** Secrets Manager records only the day of the last access (DescribeSecret LastAccessedDate). */
  lastAccessedDate?: string | undefined;
  lastRotatedDate?: string | undefined;
  rotationEnabled: boolean;
  rotationLambdaARN?: string | undefined;
  rotationDays?: number | undefined;
  versions: SecretVersion[];
  /** Resource policy (JSON text). */
  policy?: string | undefined;
  tags: { Key: string; Value: string }[];
  deletedDate?: string | undefined;
}

/** Secrets of one account, per region. */
export interface SecretsState {
  regions: Record<string, Record<string, Secret>>;
}

/** Empty per-account state. */
export function emptySecrets(): SecretsState {
  return { regions: {} };
}

/** Handler context of the service. */
export type SecretsCtx = OpContext<SecretsState>;

/** The region's secrets of an account (created on first use). */
export function regionSecrets(state: SecretsState, region: string): Record<string, Secret> {
  return (state.regions[region] ??= {});
}

export function notFound(): SimError {
  return new SimError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400);
}

/**
 * Resolve a SecretId (name, full ARN or partial ARN without the 6-character suffix) to the
 * secret and the account that owns it; a full ARN may point at another account's secret.
 */
export function resolveSecret(ctx: SecretsCtx, secretId: string): { secret: Secret; owner: string } {
  const m = /^arn:aws:secretsmanager:([^:]+):(\d{12}):secret:(.+)$/.exec(secretId);
  const owner = m ? m[2]! : ctx.caller.accountId;
  const region = m ? m[1]! : ctx.region;
  if (!ctx.sim.account(owner)) throw notFound();
  const secrets = regionSecrets(ctx.stateOf(owner), region);
  const secret = m
    ? Object.values(secrets).find((s) => s.arn === secretId || s.arn.slice(0, -7) === secretId)
    : secrets[secretId];
  if (!secret) throw notFound();
  if (secret.deletedDate) {
    throw new SimError(
      'InvalidRequestException',
      "You tried to perform the operation on a secret that's currently marked deleted.",
      400,
    );
  }
  return { secret, owner };
}

/** The version a request names (VersionId or VersionStage), AWSCURRENT by default. */
export function pickVersion(secret: Secret, versionId?: string, stage?: string): SecretVersion {
  const v = versionId
    ? secret.versions.find((x) => x.versionId === versionId)
    : secret.versions.find((x) => x.stages.includes(stage ?? 'AWSCURRENT'));
  if (!v) {
    throw new SimError(
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: " + (stage ?? 'AWSCURRENT'),
      400,
    );
  }
  return v;
}

/** Add a new current version; the old current one becomes AWSPREVIOUS (Secrets Manager staging). */
export function addVersion(secret: Secret, version: Omit<SecretVersion, 'stages'>): SecretVersion {
  for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
  for (const v of secret.versions) {
    if (v.stages.includes('AWSCURRENT'))
      v.stages = v.stages.map((s) => (s === 'AWSCURRENT' ? 'AWSPREVIOUS' : s));
  }
  const added: SecretVersion = { ...version, stages: ['AWSCURRENT'] };
  secret.versions = secret.versions.filter((v) => v.stages.length > 0);
  secret.versions.push(added);
  secret.lastChangedDate = version.createdDate;
  return added;
}
