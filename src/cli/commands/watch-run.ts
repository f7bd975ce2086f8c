import { parseDuration, watch, type WatchResult } from '../../watch/watch.js';
import type { WatchAlert } from '../../watch/alerts.js';
import { resolveCaseDir } from '../case-dir.js';
import { readCaseFile } from '../../case/case.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import type { WatchInput } from './watch.js';

function alertLine(a: WatchAlert): string {
  return `ALERT ${a.severity.toUpperCase()} ${a.eventTime} ${a.eventName} by ${a.principal ?? '?'} from ${a.sourceIp ?? '?'} (${a.region}): ${a.reasons.join('; ')}`;
}

function blocksOf(r: WatchResult): Block[] {
  const blocks: Block[] = [
    {
      kind: 'fields',
      title: `Watch ${r.plan.watchId}${r.resumed ? ' (resumed)' : ''}`,
      fields: [
        ['Watching since', r.plan.since],
        ['Until', r.plan.until],
        ['Every', `${r.plan.everyMs / 60_000} min`],
        ['Regions', r.plan.regions.length],
        ['Polls this run', r.polls],
        ['Alerts this run', r.newAlerts.length],
        ['Alerts in all', r.alerts.length],
        ['Verdict', r.finished?.verdict ?? 'still watching'],
      ],
    },
  ];
  if (r.alerts.length)
    blocks.push({
      kind: 'table',
      title: 'Alerts',
      columns: ['TIME', 'SEVERITY', 'EVENT', 'PRINCIPAL', 'FROM', 'REASONS'],
      rows: r.alerts.map((a) => [
        a.eventTime,
        a.severity,
        a.eventName,
        a.principal,
        a.sourceIp,
        a.reasons.join('; '),
      ]),
    });
  if (r.notes.length)
    blocks.push({ kind: 'text', lines: ['Not watched:', ...r.notes.map((n) => `  - ${n}`)] });
  if (r.notChecked.length)
    blocks.push({ kind: 'text', lines: ['Could not check:', ...r.notChecked.map((n) => `  - ${n}`)] });
  return blocks;
}

/** Run `tourniquet watch`. */
export async function runWatch({ options }: WatchInput, env: RunEnv): Promise<Outcome> {
  const dir = resolveCaseDir(env);
  const id = readCaseFile(dir).id;
  const pool = await env.aws();
  pool.caseId = id;
  const stop = new AbortController();
  const onSignal = () => {
    env.log.info('Stopping after this poll; `tourniquet watch` resumes the watch.');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  try {
    const result = await watch({
      dir,
      aws: pool,
      clock: env.clock,
      log: env.log,
      once: options.once ?? false,
      ...(options.for ? { forMs: parseDuration(options.for, 'for') } : {}),
      ...(options.every ? { everyMs: parseDuration(options.every, 'every') } : {}),
      notify: options.notify,
      exclude: options.exclude ?? [],
      onAlert: (a) => env.log.warn(alertLine(a)),
      signal: stop.signal,
    });
    const exitCode = result.newAlerts.length ? 4 : result.notChecked.length ? 3 : 0;
    return { exitCode, json: { dir, ...result }, blocks: blocksOf(result) };
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
