import type { OptionTable } from '../spec.js';

/** The options of `--engine athena`, shared by the commands that take it (hunt, collect). */
export const ATHENA_OPTIONS = {
  engine: {
    type: 'string',
    value: 'local|athena',
    description: 'athena: query the trail bucket s3://… in place with Amazon Athena',
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
