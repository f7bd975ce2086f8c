import { SimError } from '../../core/errors.js';
import type { OpContext } from '../../core/service.js';

/** A DB instance (no storage behind it: its size, engine and settings are what the attack reads). */
export interface RdsInstance {
  id: string;
  arn: string;
  region: string;
  resourceId: string;
  engine: string;
  engineVersion: string;
  instanceClass: string;
  allocatedStorage: number;
  masterUsername: string;
  dbName?: string | undefined;
  port: number;
  publiclyAccessible: boolean;
  deletionProtection: boolean;
  storageEncrypted: boolean;
  kmsKeyId?: string | undefined;
  createdAt: string;
  /** When the master password was last set (never the password). */
  passwordSetAt: string;
  tags: { Key: string; Value: string }[];
}

/** A DB snapshot, manual or a copy; `restore` holds the account ids (or `all`) it is shared with. */
export interface RdsSnapshot {
  id: string;
  arn: string;
  account: string;
  region: string;
  instanceId: string;
  resourceId: string;
  engine: string;
  engineVersion: string;
  allocatedStorage: number;
  masterUsername: string;
  port: number;
  type: 'manual' | 'automated';
  createdAt: string;
  instanceCreatedAt: string;
  encrypted: boolean;
  kmsKeyId?: string | undefined;
  sourceRegion?: string | undefined;
  sourceSnapshotArn?: string | undefined;
  restore: string[];
  tags: { Key: string; Value: string }[];
}

/** A snapshot export to S3 (StartExportTask); its progress follows the simulated clock. */
export interface RdsExport {
  id: string;
  sourceArn: string;
  bucket: string;
  prefix: string;
  iamRoleArn: string;
  kmsKeyId: string;
  exportOnly: string[];
  snapshotTime: string;
  startedAt: string;
  /** Size of the exported snapshot (GB): AWS bills exports per GB of snapshot. */
  snapshotGb: number;
  /** Simulated minutes until the export completes. */
  minutes: number;
}

/** One region's RDS resources. */
export interface RdsRegion {
  instances: Record<string, RdsInstance>;
  snapshots: Record<string, RdsSnapshot>;
  exports: Record<string, RdsExport>;
}

/** RDS of one account, per region. */
export interface RdsState {
  regions: Record<string, RdsRegion>;
}

/** Empty per-account state. */
export function emptyRds(): RdsState {
  return { regions: {} };
}

export type RdsCtx = OpContext<RdsState>;

/** The region's RDS resources (created on first use). */
export function rdsRegion(state: RdsState, region: string): RdsRegion {
  return (state.regions[region] ??= { instances: {}, snapshots: {}, exports: {} });
}

/** An RDS error as the query protocol returns it (botocore's error codes and statuses). */
export function rdsError(code: string, message: string, status = 400): SimError {
  return new SimError(code, message, status);
}

export function instanceNotFound(id: string): SimError {
  return rdsError('DBInstanceNotFound', `DBInstance ${id} not found.`, 404);
}

export function snapshotNotFound(id: string): SimError {
  return rdsError('DBSnapshotNotFound', `DBSnapshot ${id} not found.`, 404);
}

/** Minutes an export of `gb` takes on the simulated clock (AWS: tens of minutes to hours). */
export function exportMinutes(gb: number): number {
  return 10 + Math.ceil(gb / 10);
}

/** Export status at `now`, as DescribeExportTasks reports it. */
export function exportStatus(e: RdsExport, now: Date): { status: string; percent: number; endedAt?: Date } {
  const elapsed = (now.getTime() - Date.parse(e.startedAt)) / 60_000;
  if (elapsed >= e.minutes)
    return {
      status: 'COMPLETE',
      percent: 100,
      endedAt: new Date(Date.parse(e.startedAt) + e.minutes * 60_000),
    };
  if (elapsed < 2) return { status: 'STARTING', percent: 0 };
  return { status: 'IN_PROGRESS', percent: Math.floor((elapsed / e.minutes) * 100) };
}
