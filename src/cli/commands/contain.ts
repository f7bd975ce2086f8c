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
  campaign: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    description: "add a campaign's containment: llmjacking, ses-spam, sms-pumping, s3-ransomware; repeatable",
  },
  'campaign-region': {
    type: 'string',
    multiple: true,
    value: 'REGION',
    description: 'where the attacker sent email or texts (ses-spam, sms-pumping); repeatable',
  },
  bucket: {
    type: 'string',
    multiple: true,
    value: 'NAME',
    description: 'a bucket the attacker encrypted with SSE-C (s3-ransomware); repeatable',
  },
  'sms-spend-limit': {
    type: 'string',
    value: 'USD',
    description: 'the SMS monthly spend limit sms-pumping sets (default 1)',
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
    `Steps: ${CONTAIN_STEPS.join(', ')}.\n` +
    '--campaign adds user-/role-deny-bedrock (llmjacking), pause-ses-sending (ses-spam),\n' +
    'lower-sms-spend-limit (sms-pumping), refuse-sse-c (s3-ransomware); the prior state is kept for --undo.',
  args: [],
  options: containOptions,
  examples: [
    'tourniquet contain',
    'tourniquet contain --apply',
    'tourniquet contain --apply --add role-deny-all',
    'tourniquet contain --campaign ses-spam --campaign sms-pumping --campaign-region us-east-1',
    'tourniquet contain --campaign s3-ransomware --bucket prod-data',
    'tourniquet contain --undo deactivate-access-key',
  ],
  load: async () => (await import('./contain-run.js')).runContain,
});
