import { defineCommand, type OptionTable, type RunInput } from '../spec.js';
import { ATHENA_OPTIONS, LAKE_OPTIONS } from './athena-options.js';

const collectOptions = {
  source: {
    type: 'string',
    multiple: true,
    value: 'api|trails|s3://BUCKET/PREFIX|PATH',
    description: 'where to read CloudTrail (repeatable; default: api)',
  },
  since: {
    type: 'string',
    value: 'T',
    description: 'window start (ISO time, date or age; default: 90 days ago)',
  },
  until: { type: 'string', value: 'T', description: 'window end (default: now)' },
  follow: {
    type: 'boolean',
    description:
      'also look up, round by round, the sessions and keys derived from the subject (as respond does)',
  },
  'account-role': {
    type: 'string',
    value: 'NAME',
    description: 'with --follow (implied): role to assume in other accounts derived sessions acted in',
  },
  ...ATHENA_OPTIONS,
  ...LAKE_OPTIONS,
} satisfies OptionTable;

/** What `runCollect` receives. */
export type CollectInput = RunInput<typeof collectOptions>;

export const collect = defineCommand({
  name: 'collect',
  summary: "collect the subject's CloudTrail into the case (LookupEvents, trail bucket, files)",
  description:
    '--source api: LookupEvents in every enabled region (global-service events come from us-east-1), by the\n' +
    "case's access key id and user name, paged to the end at 2 requests/s per region, checkpointed so an\n" +
    'interrupted run resumes. --source s3://BUCKET[/PREFIX]: the trail bucket; only the date folders of the\n' +
    'window in enabled regions are listed; every object is kept in evidence/ with its sha256. --source trails:\n' +
    'the buckets of the trails DescribeTrails finds in any region (organisation trails included). --source PATH:\n' +
    'local CloudTrail files. --engine athena --source s3://BUCKET[/PREFIX]: Athena reads the bucket in place\n' +
    '(every record of the window, one query per account and region; scan estimated first, see hunt).\n' +
    '--engine lake --event-data-store ARN|ID: one CloudTrail Lake query for every record of the window.\n' +
    'Coverage (complete / partial / failed, per source and region) is stored in the case and printed; exit 3\n' +
    'when anything is partial.',
  args: [],
  options: collectOptions,
  examples: [
    'tourniquet collect --case cases/tq-20261128-150312-4f2a',
    'tourniquet collect --source s3://org-trail-logs/ct --since 2026-11-20 --until 2026-11-28',
    'tourniquet collect --source ./exported-logs',
    'tourniquet collect --engine athena --source s3://org-trail-logs --athena-output s3://athena-results/tq/',
    'tourniquet collect --engine lake --event-data-store EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE --since 2026-11-20',
  ],
  load: async () => (await import('./collect-run.js')).runCollect,
});
