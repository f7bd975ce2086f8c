import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

/**
 * The document kinds and formats (`REPORT_KINDS`, `REPORT_FORMATS`), written here so that the help
 * does not load the report renderer; help-tables.test.ts checks them.
 */
export const REPORT_KIND_NAMES = [
  'status',
  'dev',
  'executive',
  'aws-support',
  'timeline',
  'decisions',
  'lessons',
  'full',
];
export const REPORT_FORMAT_NAMES = ['md', 'html', 'json', 'csv', 'ocsf', 'timesketch'];

const reportOptions = {
  kind: {
    type: 'string',
    value: 'KIND',
    description: `document: ${REPORT_KIND_NAMES.join(' | ')} (default full)`,
  },
  format: { type: 'string', value: 'FORMAT', description: `${REPORT_FORMAT_NAMES.join(' | ')} (default md)` },
  out: { type: 'string', value: 'FILE', description: 'write the document to FILE instead of stdout' },
  'cost-explorer': {
    type: 'boolean',
    description: 'read billed cost from Cost Explorer for the incident days first (kept in the case)',
  },
  notify: {
    type: 'string',
    value: 'URL',
    description: 'with --kind status: post it to a Slack-compatible webhook (JSON) too',
  },
  'email-out': {
    type: 'string',
    value: 'DIR',
    description: 'also write the executive briefing and the AWS Support text as .eml drafts into DIR',
  },
  smtp: {
    type: 'string',
    value: 'URL',
    description:
      'with --email-out: also send them through smtp://[user@]host[:port] (STARTTLS) or smtps://…; password from TOURNIQUET_SMTP_PASSWORD',
  },
  'email-to': { type: 'string', value: 'ADDRESSES', description: 'with --smtp: recipients, comma-separated' },
  'email-from': {
    type: 'string',
    value: 'ADDRESS',
    description: 'with --smtp: the sender (default incident-response@example.invalid)',
  },
  'as-of': {
    type: 'string',
    value: 'TIME',
    description: 'count still-running instances up to TIME (default: now)',
  },
} satisfies OptionTable;

/** What `runReport` receives. */
export type ReportInput = RunInput<typeof reportOptions>;

export const report = defineCommand({
  name: 'report',
  summary: 'write the incident documents from the case: status update, dev notice, executive briefing, …',
  description:
    'Builds one facts model from the case folder (case.json, journal, investigation, event store,\n' +
    'coverage) and renders one document from it. Facts the case does not hold yet are written as\n' +
    '"unknown (reason)". HTML is one self-contained file (strict CSP, no scripts, inline SVG charts);\n' +
    'json is the facts model; csv is the timeline (--kind timeline), with spreadsheet formulas defused;\n' +
    'ocsf is every finding as an OCSF Detection Finding (class 2004), one JSON object a line; timesketch\n' +
    'is every attacker call as Timesketch JSONL (message, datetime, timestamp_desc).',
  args: [],
  options: reportOptions,
  examples: [
    'tourniquet report --kind status',
    'tourniquet report --kind status --notify https://hooks.slack.com/services/T000/B000/XXXX',
    'tourniquet report --kind full --format html --out incident.html',
    'tourniquet report --kind timeline --format csv --out timeline.csv',
    'tourniquet report --kind lessons --out post-incident-review.md',
    'tourniquet report --format ocsf --out findings.ocsf.jsonl',
    'tourniquet report --format json --case cases/tq-20261128-150312-4f2a',
    'tourniquet report --kind executive --cost-explorer',
    'tourniquet report --kind status --email-out mail/',
    'tourniquet report --email-out mail/ --smtp smtp://ir@mail.example.com:587 --email-to ciso@example.com',
  ],
  load: async () => (await import('./report-run.js')).runReport,
});
