import type { OptionTable } from '../spec.js';

/** The options of `--engine athena`, shared by the commands that take it (hunt, collect). */
export const ATHENA_OPTIONS = {
  engine: {
    type: 'string',
    value: 'local|athena|lake',
    description:
      'athena: query the trail bucket s3://… in place with Amazon Athena; lake (hunt, collect): a CloudTrail Lake event data store',
  },
  'athena-workgroup': { type: 'string', value: 'NAME', description: 'Athena workgroup (default primary)' },
  'athena-output': {
    type: 'string',
    value: 's3://…',
    description: "where Athena writes results (default: the workgroup's location)",
  },
  'athena-database': {
    type: 'string',
    value: 'NAME',
    description: 'Glue database for the CloudTrail table (default tourniquet; made if missing)',
  },
  'max-scan': {
    type: 'string',
    value: 'SIZE',
    description: 'refuse Athena queries estimated to scan more (default 50GB; KB/MB/GB/TB)',
  },
  yes: { type: 'boolean', description: 'run Athena queries above --max-scan without asking' },
} satisfies OptionTable;

/** The option of `--engine lake` (hunt, collect). */
export const LAKE_OPTIONS = {
  'event-data-store': {
    type: 'string',
    value: 'ARN|ID',
    description: 'with --engine lake: the CloudTrail Lake event data store to query',
  },
} satisfies OptionTable;
