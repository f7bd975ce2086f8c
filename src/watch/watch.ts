import { randomBytes } from 'node:crypto';
import type { ClientPool } from '../aws/pool.js';
import { ownAccessKeyId } from '../aws/identity.js';
import { enabledRegions } from '../aws/regions.js';
import { CaseFolder } from '../case/case.js';
import { isoSeconds, type Clock } from '../clock.js';
import type { Logger } from '../context.js';
import { UserError, UsageError } from '../errors.js';
import { openEventStore, STORE_FILE, type EventStore } from '../store/store.js';
import { discoverTrails, type DiscoveredTrail } from '../trail/bucket.js';
import { findAlerts, type WatchAlert } from './alerts.js';
import { watchIndicators } from './indicators.js';
import { webhookOrigin } from '../notify/webhook.js';
import { postAlert } from './notify.js';
import { pollOnce } from './poll.js';
import {
  readWatch,
  WATCH,
  type PollRecord,
  type WatchPlan,
  type WatchState,
  type WatchVerdict,
} from './state.js';

export const DEFAULT_FOR_MS = 48 * 3_600_000;
export const DEFAULT_EVERY_MS = 5 * 60_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Read a duration such as `48h`, `5m`, `90s`, `2d`; a usage error names the option otherwise. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  if (!(ms > 0))
    throw new UsageError(
      `--${option} ${JSON.stringify(text)} is not a duration.`,
      'Use a number and a unit: 90s, 5m, 48h, 2d.',
    );
  return ms;
}

export interface WatchOptions {
  /** The case folder (opened for each poll only, so other commands can use the case in between). */
  dir: string;
  aws: ClientPool;
  clock: Clock;
  log: Logger;
  /** How long a new watch lasts (a running one keeps its end). */
  forMs?: number;
  everyMs?: number;
  /** One poll, then return (for cron). */
  once: boolean;
  /** A Slack-compatible webhook: each alert is POSTed as JSON. */
  notify?: string | undefined;
  /** Keys, principals, addresses or event ids whose calls raise no alert. */
  exclude?: string[];
  onAlert?: (alert: WatchAlert) => void;
  onPoll?: (poll: PollRecord) => void;
  /** Stop between polls (Ctrl-C); the watch resumes on the next run. */
  signal?: AbortSignal;
}

export interface WatchResult {
  plan: WatchPlan;
  resumed: boolean;
  polls: number;
  /** Alerts raised by this run. */
  newAlerts: WatchAlert[];
  /** Every alert of the watch so far. */
  alerts: WatchAlert[];
  finished: WatchVerdict | null;
  notChecked: string[];
  notes: string[];
}

/** Open the case for one poll; another command holding it is waited for, briefly. */
async function withCase<T>(o: WatchOptions, work: (folder: CaseFolder) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let folder: CaseFolder;
    try {
      folder = CaseFolder.open(o.dir, { clock: o.clock });
    } catch (error) {
      if (!(error instanceof UserError && error.code === 'CASE_LOCKED') || attempt >= 12) throw error;
      if (attempt === 0) o.log.info('watch: the case is in use by another command; waiting for it.');
      await o.clock.sleep(5000);
      continue;
    }
    try {
      return await work(folder);
    } finally {
      folder.close();
    }
  }
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return Number.isInteger(h) ? `${h} h` : `${(ms / 60_000).toFixed(0)} min`;
}

/** How a watch ends, in the words the reports use. */
export function verdictOf(state: Pick<WatchState, 'plan' | 'polls' | 'alerts' | 'notChecked'>): WatchVerdict {
  const { plan } = state;
  const span = hours(Date.parse(plan.until) - Date.parse(plan.since));
  return {
    watchId: plan.watchId,
    since: plan.since,
    until: plan.until,
    polls: state.polls,
    alerts: state.alerts.length,
    verdict: state.alerts.length
      ? `${state.alerts.length} alert(s) during ${span} of watching: re-entry or new persistence seen`
      : `no re-entry for ${span}`,
    notChecked: state.notChecked,
  };
}

async function startPlan(o: WatchOptions, folder: CaseFolder): Promise<WatchPlan> {
  const now = o.clock.now();
  const everyMs = o.everyMs ?? DEFAULT_EVERY_MS;
  // A one-off poll (cron) looks back one interval; a running watch starts now. Never before the
  // eradication began: earlier calls are the incident itself, already investigated, not re-entry.
  // In CloudTrail's own format (whole seconds): event times compare as text with it.
  const lookBack = now.getTime() - (o.once ? everyMs : 0);
  const eradicated = folder.info.phases.eradicate?.started;
  const since = isoSeconds(new Date(eradicated ? Math.max(lookBack, Date.parse(eradicated)) : lookBack));
  const regions = await enabledRegions(o.aws);
  if (regions.source === 'fallback')
    o.log.warn(`watch: region list from the fallback (${regions.reason ?? ''})`);
  const plan: WatchPlan = {
    watchId: `watch-${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(2).toString('hex')}`,
    since,
    until: isoSeconds(new Date(Date.parse(since) + (o.forMs ?? DEFAULT_FOR_MS))),
    everyMs,
    regions: [...new Set(['us-east-1', ...regions.regions])].sort(),
    exclude: o.exclude ?? [],
    notify: o.notify ? webhookOrigin(o.notify) : null,
  };
  folder.record(WATCH.started, plan);
  if (!folder.info.phases.watch?.started) folder.markPhase('watch', 'started');
  return plan;
}

/**
 * Watch the account after eradication (issue 13 §3): every `everyMs`, read what CloudTrail
 * recorded since the last poll in every region and the trail bucket, and raise an alert for any
 * call by the compromised credential or its lineage (allowed or refused), from the attacker's
 * addresses or user agents, any persistence-kind event, and any write naming again something
 * eradication removed. Alerts go to `onAlert`, the journal and the webhook. Everything is in the
 * journal, so a restart resumes where the last poll ended and never alerts twice. At the end the
 * verdict (`no re-entry for 48 h`, or the alerts) is journalled for the reports.
 */
export async function watch(o: WatchOptions): Promise<WatchResult> {
  if (o.notify) webhookOrigin(o.notify);
  let state = readWatch(o.dir);
  const resumed = Boolean(state && !state.finished);
  const plan =
    state && !state.finished
      ? { ...state.plan, exclude: [...new Set([...state.plan.exclude, ...(o.exclude ?? [])])] }
      : await withCase(o, (folder) => startPlan(o, folder));
  if (resumed)
    o.log.info(
      `Resuming ${plan.watchId} (until ${plan.until}): ${state!.polls} poll(s) done, ${state!.alerts.length} alert(s) so far.`,
    );
  state = readWatch(o.dir)!;
  const alerted = new Set(state.alerts.map((a) => a.id));
  const result: WatchResult = {
    plan,
    resumed,
    polls: 0,
    newAlerts: [],
    alerts: [...state.alerts],
    finished: null,
    notChecked: [],
    notes: [],
  };
  const checkpoints = { ...state.checkpoints };
  const responderKey = await ownAccessKeyId(o.aws);
  const discovered = await discoverTrails(o.aws, plan.regions);
  const trails: DiscoveredTrail[] = discovered.trails;
  for (const r of discovered.refused) result.notChecked.push(`DescribeTrails ${r.region}: ${r.reason}`);

  // Alerts journalled by an interrupted run whose webhook post never succeeded go out now.
  if (o.notify)
    for (const alert of state.alerts.filter((a) => !state.notified.has(a.id)))
      await withCase(o, (folder) => deliver(o, folder, plan, alert));

  for (let first = true; ; first = false) {
    if (o.signal?.aborted) break;
    const now = o.clock.now();
    const poll = await withCase(o, async (folder) => {
      const store = lazyStore(folder);
      try {
        const outcome = await pollOnce({
          pool: o.aws,
          store: store.get,
          folder,
          regions: plan.regions,
          trails,
          checkpoints,
          since: plan.since,
          now,
          log: o.log,
        });
        Object.assign(checkpoints, outcome.checkpoints);
        let fresh: WatchAlert[] = [];
        if (outcome.events > 0 || first) {
          const events = await store.get();
          const ind = await watchIndicators(folder, events);
          if (first) result.notes.push(...ind.notes);
          fresh = await findAlerts(events, ind, {
            since: plan.since,
            alerted,
            exclude: plan.exclude,
            now,
            responderKey,
          });
        }
        for (const alert of fresh) {
          alerted.add(alert.id);
          folder.record(WATCH.alert, { watchId: plan.watchId, alert });
          result.newAlerts.push(alert);
          result.alerts.push(alert);
          o.onAlert?.(alert);
          if (o.notify) await deliver(o, folder, plan, alert);
        }
        const record: PollRecord = {
          watchId: plan.watchId,
          at: now.toISOString(),
          checkpoints: outcome.checkpoints,
          events: outcome.events,
          alerts: fresh.length,
          notChecked: outcome.notChecked,
        };
        folder.record(WATCH.poll, record);
        return record;
      } finally {
        await store.close();
      }
    });
    result.polls += 1;
    for (const n of poll.notChecked) if (!result.notChecked.includes(n)) result.notChecked.push(n);
    o.onPoll?.(poll);
    if (now.getTime() >= Date.parse(plan.until)) {
      result.finished = await withCase(o, (folder) => Promise.resolve(finish(folder)));
      break;
    }
    if (o.once) break;
    const next = Math.min(now.getTime() + plan.everyMs, Date.parse(plan.until));
    await sleepUntil(o, next);
  }
  return result;
}

function finish(folder: CaseFolder): WatchVerdict {
  const state = readWatch(folder)!;
  const verdict = verdictOf(state);
  folder.record(WATCH.finished, verdict);
  folder.markPhase('watch', 'completed');
  return verdict;
}

async function deliver(
  o: WatchOptions,
  folder: CaseFolder,
  plan: WatchPlan,
  alert: WatchAlert,
): Promise<void> {
  const sent = await postAlert(o.notify!, folder.id, alert, o.clock);
  if (sent.ok)
    folder.record(WATCH.notified, { watchId: plan.watchId, alertId: alert.id, status: sent.status });
  else {
    o.log.warn(`watch: the webhook did not take alert ${alert.id}: ${sent.error}`);
    folder.record(WATCH.notifyFailed, { watchId: plan.watchId, alertId: alert.id, error: sent.error });
  }
}

/** The case's event store, opened on first use and closed after the poll (DuckDB locks its file). */
function lazyStore(folder: CaseFolder): { get: () => Promise<EventStore>; close: () => Promise<void> } {
  let opened: Promise<EventStore> | undefined;
  return {
    get: () => (opened ??= openEventStore(folder.path(STORE_FILE))),
    close: async () => {
      if (opened) (await opened).close();
    },
  };
}

/** Sleep on the tool's clock until `at`, or until the signal says stop. */
async function sleepUntil(o: WatchOptions, at: number): Promise<void> {
  const ms = at - o.clock.now().getTime();
  if (ms <= 0) return;
  const signal = o.signal;
  if (!signal) return o.clock.sleep(ms);
  if (signal.aborted) return;
  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
    signal.addEventListener('abort', stop, { once: true });
  });
  try {
    await Promise.race([o.clock.sleep(ms), stopped]);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
