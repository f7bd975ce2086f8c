import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const triageOptions = {
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
  'account-role': {
    type: 'string',
    value: 'NAME',
    description: "role to assume in the credential's account when it is not the one signed into",
  },
} satisfies OptionTable;

/** What `runTriage` receives. */
export type TriageInput = RunInput<typeof triageOptions>;

export const triageCommand = defineCommand({
  name: 'triage',
  summary: 'identify a credential, open the case and print the initial status update',
  description:
    'SUBJECT is an access key id (AKIA…/ASIA…), an IAM user name or ARN, a role or assumed-role ARN, or `root`.\n' +
    'Creates the case folder (under ./cases unless --case DIR is new), records the responder and the awareness time.\n' +
    'Exit code 3 when AWS refused some checks (listed under "Could not check").\n' +
    'With --from FILE (or -) the subject and awareness time come from an alert, as for `respond --from`.',
  args: [
    {
      name: 'SUBJECT',
      description: 'access key id, user name/ARN, role ARN, or root (optional with --from)',
    },
  ],
  options: triageOptions,
  examples: [
    'tourniquet triage AKIAIOSFODNN7EXAMPLE',
    'tourniquet triage arn:aws:iam::111122223333:role/deploy --json',
    'tourniquet triage --from health-event.json',
    'tourniquet triage AKIAIOSFODNN7EXAMPLE --account-role OrganizationAccountAccessRole',
  ],
  load: async () => (await import('./triage-run.js')).runTriage,
});
