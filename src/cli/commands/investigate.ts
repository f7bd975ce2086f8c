import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

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
    'investigation.json into the case folder.',
  args: [],
  options: investigateOptions,
  examples: [
    'tourniquet investigate --case cases/tq-20261128-150312-4f2a',
    'tourniquet investigate --key AKIAIOSFODNN7EXAMPLE --rules ./my-sigma --geoip GeoLite2-ASN.mmdb --json',
    'tourniquet investigate --no-sigma',
  ],
  load: async () => (await import('./investigate-run.js')).runInvestigate,
});
