import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const eradicateOptions = {
  plan: {
    type: 'boolean',
    description: 'plan only (the default): nothing changes; the plan is written to the case',
  },
  apply: {
    type: 'boolean',
    description: 'apply the plan: evidence kept first, each step journalled and read back',
  },
  yes: { type: 'boolean', description: 'apply without asking (same as --apply; for scripts)' },
  verify: {
    type: 'boolean',
    description: 'read back every step of the last applied plan: the case is clean only if all hold',
  },
  undo: {
    type: 'string',
    value: 'STEP',
    description: 'undo one applied restoration (its id, id prefix or name)',
  },
  include: {
    type: 'string',
    multiple: true,
    value: 'ID',
    description:
      'act on this item too, though not attributed to the attacker or not explained by the calls (an id of the plan or of scope: kind/region/name); repeatable',
  },
  exclude: {
    type: 'string',
    multiple: true,
    value: 'ID',
    description: 'leave this item alone (e.g. a backdoor kept for observation); repeatable',
  },
  'account-role': {
    type: 'string',
    value: 'NAME',
    description:
      'role to assume in the other accounts the compromise acted in: their items (ids ending @ACCOUNT) are removed there',
  },
} satisfies OptionTable;

/** What `runEradicate` receives. */
export type EradicateInput = RunInput<typeof eradicateOptions>;

export const eradicateCommand = defineCommand({
  name: 'eradicate',
  summary: 'remove what the attacker created and restore what it changed, evidence kept first',
  description:
    'Plans from scope.json (running `tourniquet scope` first when the case has none): the ways back in and the\n' +
    "resources scope attributes to the attacker, cross-checked with the investigation's calls (an item the calls\n" +
    'made that scope did not find is already gone; one scope found that no call explains is shown, not acted on\n' +
    'without --include). Removals of what it created\n' +
    '(instances after an EBS snapshot of every volume, security groups, key pairs, buckets after their object\n' +
    'listing, functions after their code package, stacks after their template, identity providers, IAM users in\n' +
    "IAM's order, keys added to existing users) and restorations of what it changed on resources that stay\n" +
    '(policy version, role trust byte for byte, bucket and secret policies, ACLs, snapshot and AMI shares,\n' +
    "logging and GuardDuty back on). Never the responder's own principal, never the last administrator, never\n" +
    'a resource AWS dates before the attack. The plan is written to the case; --apply runs it (resumable:\n' +
    'an interrupted apply continues where it stopped), --verify reads the account back.',
  args: [],
  options: eradicateOptions,
  examples: [
    'tourniquet eradicate',
    'tourniquet eradicate --apply',
    'tourniquet eradicate --apply --exclude access-key/global/AKIAEXAMPLEKEEP',
    'tourniquet eradicate --apply --account-role OrganizationAccountAccessRole',
    'tourniquet eradicate --verify',
    'tourniquet eradicate --undo restore-role-trust',
  ],
  load: async () => (await import('./eradicate-run.js')).runEradicate,
});
