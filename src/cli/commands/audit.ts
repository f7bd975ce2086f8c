import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const auditOptions = {
  history: {
    type: 'string',
    value: 'DIR',
    description: 'keep this run in DIR and print the trend of the metrics over the runs kept there',
  },
  'only-region': {
    type: 'string',
    multiple: true,
    value: 'REGION',
    description: 'read only this region (repeatable; default: every enabled region)',
  },
} satisfies OptionTable;

/** What `runAudit` receives. */
export type AuditInput = RunInput<typeof auditOptions>;

export const auditCommand = defineCommand({
  name: 'audit',
  summary: 'hygiene between incidents: keys, MFA, root, logging, detection, guard-rails',
  description:
    'Reads the credential report and the account settings in every enabled region and judges each\n' +
    'check pass / fail / not checked (with why), with the evidence, the fix, and the CIS AWS\n' +
    'Foundations Benchmark v3.0.0 control it maps to: access keys (count, age, use), console users\n' +
    'without MFA, the root user, the password policy, CloudTrail (multi-region, log-file validation,\n' +
    'a bucket in another account, S3 data events), GuardDuty and IAM Access Analyzer in every region,\n' +
    'external access findings, SCPs, alarms on root use / IAM changes / console failures, S3 account\n' +
    'Block Public Access, EBS default encryption and IMDSv2. Read-only; needs no case. With\n' +
    '--history DIR each run is kept and the trend of the metrics is printed and charted\n' +
    '(DIR/trend.html). Exit 3 when something could not be checked (a failing check is\n' +
    'a result, exit 0).',
  args: [],
  options: auditOptions,
  examples: ['tourniquet audit', 'tourniquet audit --json', 'tourniquet audit --history audits/'],
  load: async () => (await import('./audit-run.js')).runAudit,
});
