import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const preventOptions = {
  out: {
    type: 'string',
    value: 'DIR',
    description: 'write the artifacts here (default ./tourniquet-prevent)',
  },
  'break-glass-role': {
    type: 'string',
    value: 'NAME',
    description:
      'the role still allowed to change CloudTrail/GuardDuty/Config and leave the regions (default BreakGlass)',
  },
  'allow-region': {
    type: 'string',
    multiple: true,
    value: 'REGION',
    description: 'allow this region too (repeatable; default: us-east-1 and where the keys were last used)',
  },
} satisfies OptionTable;

/** What `runPrevent` receives. */
export type PreventInput = RunInput<typeof preventOptions>;

export const preventCommand = defineCommand({
  name: 'prevent',
  summary: 'guard-rails tailored to the account: SCPs, MFA policy, alert rules, a plan to retire keys',
  description:
    'Reads the account (credential report, every access key and where it was last used) and writes\n' +
    'ready-to-apply files: SCPs (a region allow-list from the regions the account uses; deny disabling\n' +
    'CloudTrail, GuardDuty, Config and Access Analyzer except to the break-glass role; deny leaving the\n' +
    'organisation; deny the root user; require IMDSv2; deny SSE-C uploads), an MFA-enforcement IAM\n' +
    'policy, a CloudFormation template with EventBridge rules and an SNS topic (root use, IAM changes,\n' +
    'access-key creation, console sign-in failures, high GuardDuty findings), and a plan to replace\n' +
    'long-term keys with roles. Changes nothing in the account: each file says how to apply it.',
  args: [],
  options: preventOptions,
  examples: [
    'tourniquet prevent',
    'tourniquet prevent --out guard-rails --break-glass-role OrgBreakGlass --allow-region eu-west-1',
  ],
  load: async () => (await import('./prevent-run.js')).runPrevent,
});
