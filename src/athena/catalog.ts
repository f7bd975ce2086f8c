import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  UpdateTableCommand,
  type GlueClient,
} from '@aws-sdk/client-glue';
import { cloudTrailTableInput, type TrailLayout } from './table.js';

function notFound(error: unknown): boolean {
  return (error as { name?: string }).name === 'EntityNotFoundException';
}

/**
 * The table's name for a trail bucket: `cloudtrail_` and the bucket, the prefix and the
 * organisation id (organisation trails) in Glue's alphabet.
 */
export function tableNameFor(layout: Pick<TrailLayout, 'bucket' | 'base' | 'organisation'>): string {
  return `cloudtrail_${`${layout.bucket}_${layout.base}_${layout.organisation ?? ''}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/_+$/, '')}`;
}

/**
 * Make sure the Glue database and the bucket's CloudTrail table exist with today's layout
 * (created, or updated when the accounts or regions changed). Glue's API instead of Athena DDL:
 * idempotent, no query to wait for, and every statement sent to Athena stays a SELECT. Returns
 * what it did, for the log.
 */
export async function ensureCloudTrailTable(
  glue: GlueClient,
  database: string,
  table: string,
  layout: TrailLayout,
): Promise<'created' | 'updated' | 'unchanged'> {
  try {
    await glue.send(new GetDatabaseCommand({ Name: database }));
  } catch (error) {
    if (!notFound(error)) throw error;
    await glue.send(
      new CreateDatabaseCommand({
        DatabaseInput: { Name: database, Description: 'CloudTrail tables made by tourniquet' },
      }),
    );
  }
  const input = cloudTrailTableInput(table, layout);
  let existing;
  try {
    existing = (await glue.send(new GetTableCommand({ DatabaseName: database, Name: table }))).Table;
  } catch (error) {
    if (!notFound(error)) throw error;
  }
  if (!existing) {
    await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: input }));
    return 'created';
  }
  const same =
    JSON.stringify(existing.Parameters ?? {}) === JSON.stringify(input.Parameters) &&
    existing.StorageDescriptor?.Columns?.length === input.StorageDescriptor?.Columns?.length;
  if (same) return 'unchanged';
  await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input }));
  return 'updated';
}
