import { defineCommand, type OptionTable, type RunInput } from '../spec.js';
import { ATHENA_OPTIONS, LAKE_OPTIONS } from './athena-options.js';

const huntOptions = {
  key: {
    type: 'string',
    value: 'ID',
    description: 'only events made with this access key id (AKIA…/ASIA…)',
  },
  user: {
    type: 'string',
    value: 'NAME',
    description: 'only events by this IAM user name (or role session issuer)',
  },
  since: {
    type: 'string',
    value: 'T',
    description: 'only events at or after T (ISO time, date, or age like 7d)',
  },
  until: { type: 'string', value: 'T', description: 'only events before T' },
  store: { type: 'string', value: 'FILE', description: 'keep the loaded events in this DuckDB file' },
  rules: {
    type: 'string',
    value: 'DIR',
    description: 'more SigmaHQ CloudTrail rules (YAML) to run with the bundled ones',
  },
  'no-sigma': { type: 'boolean', description: 'run the built-in rules only, not the bundled SigmaHQ rules' },
  ...ATHENA_OPTIONS,
  ...LAKE_OPTIONS,
} satisfies OptionTable;

/** What `runHunt` receives. */
export type HuntInput = RunInput<typeof huntOptions>;

export const hunt = defineCommand({
  name: 'hunt',
  summary: 'offline: load CloudTrail files and summarise who did what (no AWS needed)',
  description:
    'Reads CloudTrail files and folders recursively: trail delivery files ({"Records":[…]}, .json or .json.gz,\n' +
    'AWSLogs/ trees), bare JSON arrays, NDJSON, and `aws cloudtrail lookup-events` output; digest files are\n' +
    'skipped. Damaged files and records are counted with the reason and the rest is read. Exit 3 when\n' +
    'anything could not be read. The built-in detection rules and the bundled SigmaHQ CloudTrail rules\n' +
    '(plus --rules DIR) run on the events read. --engine lake --event-data-store ARN|ID: one CloudTrail Lake\n' +
    'query reads the store in place (Lake has no dry run: its scan is known only after the query).',
  args: [
    {
      name: 'PATH',
      description:
        'CloudTrail files or folders (--engine athena: the trail bucket, s3://BUCKET[/PREFIX]; --engine lake: none)',
      variadic: true,
    },
  ],
  options: huntOptions,
  examples: [
    'tourniquet hunt ./AWSLogs --key AKIAIOSFODNN7EXAMPLE',
    'tourniquet hunt trail-logs/ --since 2024-05-01 --until 2024-05-03 --json',
    'tourniquet hunt s3://org-trail-bucket --engine athena --athena-output s3://athena-results/tq/ --since 7d',
    'tourniquet hunt --engine lake --event-data-store EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE --key AKIAIOSFODNN7EXAMPLE',
  ],
  load: async () => (await import('./hunt-run.js')).runHunt,
});
