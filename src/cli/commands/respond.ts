import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const respondOptions = {
  yes: { type: 'boolean', description: 'apply the containment and eradication plans without asking' },
  rotate: {
    type: 'boolean',
    description: 'give the owner a new key and password in the recovery phase (else left to you)',
  },
  'secret-out': {
    type: 'string',
    value: 'FILE',
    description: 'with --rotate: write the new credentials to FILE (mode 0600) instead of printing them',
  },
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
  notify: {
    type: 'string',
    value: 'URL',
    description: 'post the status update to a Slack-compatible webhook (JSON) when the run ends',
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
  summary:
    'the whole playbook for a credential: triage, contain, collect, investigate, scope, eradicate, recover, report',
  description:
    'Triage → contain (plan, confirm, apply, verify) → collect (LookupEvents in every enabled region and the\n' +
    'trail bucket) → investigate → eradicate (evidence first) → recover → report (report.html, report.md,\n' +
    'timeline.csv in the case folder). Containment and eradication are applied only with --yes or a yes at\n' +
    'the prompt; the credential is rotated only with --rotate. The case is reported clean only when what\n' +
    'eradication did reads back. Running it again for the same\n' +
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
