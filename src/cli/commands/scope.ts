import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const scopeOptions = {
  'only-region': {
    type: 'string',
    multiple: true,
    value: 'REGION',
    description: 'read only this region (repeatable; default: every enabled region)',
  },
  'account-role': {
    type: 'string',
    value: 'NAME',
    description:
      "role to assume in other accounts the compromise's sessions act in (their IAM joins the blast radius; their resources, IAM and the regions the calls reached there, are swept for ways back in)",
  },
} satisfies OptionTable;

/** What `runScope` receives. */
export type ScopeInput = RunInput<typeof scopeOptions>;

export const scopeCommand = defineCommand({
  name: 'scope',
  summary: 'every backdoor the attacker left, every resource it touched, in every region',
  description:
    'Reads the live account in every enabled region (IAM, EC2, S3, Lambda, CloudFormation, Secrets\n' +
    'Manager, SSM, CloudTrail, GuardDuty, EventBridge), attributes each resource to the attacker (with\n' +
    'the events), to before the incident, or to nobody known, from the case’s events and investigation,\n' +
    'and sweeps for every way back in: users, keys, passwords, MFA devices, policy versions, role trusts,\n' +
    'identity providers, key pairs, shares, public URLs and policies, rules, documents, and the sessions\n' +
    'the compromise minted that are still valid. Writes scope.json into the case. Read-only: nothing in\n' +
    'the account changes. Exit 3 when a service or region could not be read.',
  args: [],
  options: scopeOptions,
  examples: ['tourniquet scope', 'tourniquet scope --case cases/tq-20261128-150312-4f2a --json'],
  load: async () => (await import('./scope-run.js')).runScope,
});
