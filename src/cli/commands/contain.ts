import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

/**
 * The containment steps by name (`CONTAINMENT_ACTIONS`), written here so that the help does not load
 * the actions and the AWS SDK; help-tables.test.ts checks them.
 */
export const CONTAIN_STEPS = [
  'deactivate-access-key',
  'delete-login-profile',
  'user-deny-all',
  'user-revoke-sessions',
  'role-revoke-sessions',
  'role-deny-all',
];

const containOptions = {
  apply: { type: 'boolean', description: 'make the changes (else plan only)' },
  undo: {
    type: 'string',
    value: 'STEP',
    description: 'undo one applied step (its id, id prefix, or step name)',
  },
  skip: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    description: 'leave out a step (name or id prefix); repeatable',
  },
  add: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    description: 'add an optional step, e.g. role-deny-all, delete-login-profile',
  },
  force: {
    type: 'boolean',
    description: "act even on Tourniquet's own credentials or when no admin would be left",
  },
  'account-role': {
    type: 'string',
    value: 'NAME',
    description: 'role to assume in other accounts reached by derived sessions',
  },
} satisfies OptionTable;

/** What `runContain` receives. */
export type ContainInput = RunInput<typeof containOptions>;

export const containCommand = defineCommand({
  name: 'contain',
  summary: 'plan, then (with --apply) apply and verify the containment of the case subject',
  description:
    'Builds the plan from the credential type, writes it to the case and shows it; changes nothing until\n' +
    '--apply (or a yes at the prompt). Every step is journalled before and after and read back.\n' +
    'An interrupted --apply resumes without repeating done steps. --undo STEP reverses one applied step.\n' +
    `Steps: ${CONTAIN_STEPS.join(', ')}.`,
  args: [],
  options: containOptions,
  examples: [
    'tourniquet contain',
    'tourniquet contain --apply',
    'tourniquet contain --apply --add role-deny-all',
    'tourniquet contain --undo deactivate-access-key',
  ],
  load: async () => (await import('./contain-run.js')).runContain,
});
