import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const scanOptions = {
  git: {
    type: 'boolean',
    description: 'also scan every commit of every ref (deleted files and overwritten keys)',
  },
  offline: { type: 'boolean', description: 'make no AWS call (keys are not matched to accounts): for hooks' },
  'write-hook': {
    type: 'boolean',
    description: 'write .pre-commit-config.yaml in PATH with a hook running this scan (never overwrites)',
  },
} satisfies OptionTable;

/** What `runScanSecrets` receives. */
export type ScanSecretsInput = RunInput<typeof scanOptions>;

export const scanSecretsCommand = defineCommand({
  name: 'scan-secrets',
  summary: 'AWS keys in a working tree and its git history, each named with its account',
  description:
    'Finds AWS access key ids and secret access keys in the files under PATH (default: here) with\n' +
    'secretlint’s AWS rule, and with --git in every line ever added to the repository (deleted files\n' +
    'included): file, line, commit, author and date. Each key id is matched to its account (STS\n' +
    'GetAccessKeyInfo) and, for the responder’s own account, to its user and whether it is still active.\n' +
    'Secrets are never shown (masked). AWS’s documented example keys are flagged as examples. A live\n' +
    'key of your account starts a case: tourniquet respond KEY. Exit 4 when a real key is found, 3 when\n' +
    'a key could not be looked up.',
  args: [{ name: 'PATH', description: 'folder to scan (default: the current folder)' }],
  options: scanOptions,
  examples: [
    'tourniquet scan-secrets',
    'tourniquet scan-secrets ~/src/app --git',
    'tourniquet scan-secrets . --write-hook --offline',
  ],
  load: async () => (await import('./scan-secrets-run.js')).runScanSecrets,
});
