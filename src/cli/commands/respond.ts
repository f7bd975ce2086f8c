import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const respondOptions = {
  yes: { type: 'boolean', description: 'apply the containment plan without asking' },
  'account-role': {
    type: 'string',
    value: 'NAME',
    description: 'role to assume in other accounts reached by derived sessions',
  },
  'aware-since': {
    type: 'string',
    value: 'TIME',
    description: 'when the organisation became aware (default: when the alert was raised, else now)',
  },
  from: {
    type: 'string',
    value: 'FILE|-',
    description: 'start from an alert: GuardDuty finding, Health event, quarantine, GitHub or cost alert',
  },
} satisfies OptionTable;

/** What `runRespond` receives. */
export type RespondInput = RunInput<typeof respondOptions>;

export const respondCommand = defineCommand({
  name: 'respond',
  summary: 'the whole playbook for a credential: triage, contain, collect, investigate, report',
  description:
    'Triage → contain (plan, confirm, apply, verify) → collect (LookupEvents in every enabled region and the\n' +
    'trail bucket) → investigate → report (report.html, report.md, timeline.csv in the case folder).\n' +
    'Containment is applied only with --yes or a yes at the prompt. Running it again for the same\n' +
    'subject continues the case: completed phases are skipped, an interrupted one resumes.\n' +
    'Exit code 3 when coverage is partial, a check could not be made, or containment was not applied.\n' +
    'With --from FILE (or - for standard input) the subject and the awareness time come from an alert:\n' +
    'a GuardDuty finding, an AWS Health AWS_RISK_CREDENTIALS_EXPOSED event, the CloudTrail event of\n' +
    'AWSCompromisedKeyQuarantine being attached, a GitHub secret-scanning alert or a Cost Anomaly\n' +
    'Detection alert (as such, in an EventBridge event or SNS message, or as the AWS CLI prints it).\n' +
    'An EC2 finding or a cost anomaly is followed to the key that launched the instances (CloudTrail).',
  args: [
    {
      name: 'SUBJECT',
      description: 'access key id, user name/ARN, role ARN, or root (optional with --from)',
    },
  ],
  options: respondOptions,
  examples: [
    'tourniquet respond AKIAIOSFODNN7EXAMPLE',
    'tourniquet respond AKIAIOSFODNN7EXAMPLE --yes --json',
    'tourniquet respond AKIAIOSFODNN7EXAMPLE --case cases/tq-20261128-150312-4f2a',
    'tourniquet respond --from guardduty-finding.json',
    'aws guardduty get-findings --detector-id D --finding-ids F | tourniquet respond --from -',
  ],
  load: async () => (await import('./respond-run.js')).runRespond,
});
