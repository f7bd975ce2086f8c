import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const recoverOptions = {
  apply: { type: 'boolean', description: 'make the changes (else plan only)' },
  'delete-old': {
    type: 'boolean',
    description: "delete the compromised key too (once its owner's applications use the new one)",
  },
  'secret-out': {
    type: 'string',
    value: 'FILE',
    description:
      'write the new key and password to FILE (mode 0600, must not exist) instead of printing them',
  },
  undo: { type: 'string', value: 'STEP', description: 'undo one applied step (e.g. rotate-access-key)' },
} satisfies OptionTable;

/** What `runRecover` receives. */
export type RecoverInput = RunInput<typeof recoverOptions>;

export const recoverCommand = defineCommand({
  name: 'recover',
  summary: 'give the owner new credentials, rotate the secrets it could read, then lift containment',
  description:
    'Plans, then with --apply: a new access key for the owner of the compromised credential and a new\n' +
    'console password that must be changed at the next sign-in, each printed once (or written to\n' +
    '--secret-out with mode 0600) and never written to the case, its journal or its reports; the old key\n' +
    'stays inactive until --delete-old. Secrets Manager secrets the principal read (or could read, from\n' +
    "the scope phase's blast radius) are rotated where rotation is configured; the others are listed. Once every step\n" +
    "is verified, containment's deny-all on the owner is lifted (the session revocation stays).",
  args: [],
  options: recoverOptions,
  examples: [
    'tourniquet recover',
    'tourniquet recover --apply --secret-out ~/new-credentials.txt',
    'tourniquet recover --apply --delete-old',
  ],
  load: async () => (await import('./recover-run.js')).runRecover,
});
