import { defineCommand, type OptionTable, type RunInput } from '../spec.js';
import { ATHENA_OPTIONS } from './athena-options.js';

const investigateOptions = {
  key: {
    type: 'string',
    multiple: true,
    value: 'ID',
    description: 'compromised access key id (default: the case subject’s key)',
  },
  rules: {
    type: 'string',
    value: 'DIR',
    description: 'more SigmaHQ CloudTrail rules (YAML) to run with the bundled ones',
  },
  'no-sigma': { type: 'boolean', description: 'run the built-in rules only, not the bundled SigmaHQ rules' },
  geoip: {
    type: 'string',
    value: 'FILE',
    description: 'MaxMind .mmdb (ASN or country) for network anomalies',
  },
  since: {
    type: 'string',
    value: 'TIME',
    description: 'when the compromise began, if known (ISO-8601, e.g. the leak time); else inferred',
  },
  'baseline-days': {
    type: 'string',
    value: 'N',
    description: 'days of baseline before the incident (default 30)',
  },
  source: {
    type: 'string',
    value: 's3://…',
    description:
      'with --engine athena: the trail bucket the rules read in place (from --since, default 90 days)',
  },
  ...ATHENA_OPTIONS,
} satisfies OptionTable;

/** What `runInvestigate` receives. */
export type InvestigateInput = RunInput<typeof investigateOptions>;

export const investigateCommand = defineCommand({
  name: 'investigate',
  summary: 'find the attacker’s activity in the collected events: findings, lineage, anomalies, timeline',
  description:
    'Runs the built-in detection rules and the bundled SigmaHQ CloudTrail rules (plus --rules DIR)\n' +
    'over the case’s event store; a Sigma finding that repeats a built-in one is named on it.\n' +
    'It follows every session derived from the compromised key, compares the incident window with\n' +
    'the principal’s baseline, and groups the attacker’s events into bursts. Writes findings.json and\n' +
    'investigation.json into the case folder. --engine athena --source s3://BUCKET[/PREFIX]: the rules run\n' +
    'in Athena over the whole trail bucket in place (every account of an organisation trail), from --since\n' +
    '(default 90 days); the lineage, baseline and timeline read the case store (collect the key first).\n' +
    'Each Athena query is kept as evidence; a rule Athena could not run is listed with the query id (exit 3).',
  args: [],
  options: investigateOptions,
  examples: [
    'tourniquet investigate --case cases/tq-20261128-150312-4f2a',
    'tourniquet investigate --key AKIAIOSFODNN7EXAMPLE --rules ./my-sigma --geoip GeoLite2-ASN.mmdb --json',
    'tourniquet investigate --no-sigma',
    'tourniquet investigate --engine athena --source s3://org-trail-logs --since 2026-11-20 --max-scan 200GB',
  ],
  load: async () => (await import('./investigate-run.js')).runInvestigate,
});
