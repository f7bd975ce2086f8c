import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const watchOptions = {
  for: { type: 'string', value: 'DURATION', description: 'how long a new watch lasts (default 48h)' },
  every: { type: 'string', value: 'DURATION', description: 'time between polls (default 5m)' },
  once: { type: 'boolean', description: 'poll once and exit: 0 nothing new, 4 alerts (for cron)' },
  notify: {
    type: 'string',
    value: 'URL',
    description: 'POST each alert as JSON to a Slack-compatible webhook (never written to the case)',
  },
  exclude: {
    type: 'string',
    multiple: true,
    value: 'ID',
    description:
      'raise no alert for calls by this key, principal or address, or for this event id; repeatable',
  },
} satisfies OptionTable;

/** What `runWatch` receives. */
export type WatchInput = RunInput<typeof watchOptions>;

export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'watch the account for re-entry after eradication (48 h by default), alerting at once',
  description:
    'Every --every, reads what CloudTrail recorded since the last poll (LookupEvents in every enabled region,\n' +
    'and the trail buckets), keeps it in the case, and alerts on: any call by the compromised credential or a\n' +
    "credential derived from it (refused calls too), any call from the attacker's addresses or user agents,\n" +
    'any persistence-kind event (the detection rules), any write naming again something eradication removed.\n' +
    'Alerts go to the terminal, the journal and --notify. The checkpoint is in the case: a restart resumes\n' +
    'without alerting twice. At the end the case records "no re-entry for 48 h" or the alerts. Exit codes: 0\n' +
    'no alert, 4 alerts raised, 3 a region or bucket could not be read.',
  args: [],
  options: watchOptions,
  examples: [
    'tourniquet watch',
    'tourniquet watch --for 72h --every 10m --notify https://hooks.slack.com/services/T000/B000/XXXX',
    'tourniquet watch --once   # from cron, every 5 minutes',
    'tourniquet watch --exclude AKIANEWKEYOFTHEOWNER',
  ],
  load: async () => (await import('./watch-run.js')).runWatch,
});
