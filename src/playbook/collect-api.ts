import { CloudTrailClient, LookupEventsCommand, type LookupAttributeKey } from '@aws-sdk/client-cloudtrail';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { CaseContext } from '../context.js';
import type { CoverageEntry } from './coverage.js';
import { journalEntries } from './journal-read.js';

/** What LookupEvents is asked for: one attribute per call (the API allows only one). */
export interface LookupTarget {
  attribute: Extract<LookupAttributeKey, 'AccessKeyId' | 'Username'>;
  value: string;
}

/** The evidence folder the pages are kept in, as `aws cloudtrail lookup-events` prints them. */
export const LOOKUP_DIR = 'lookup-events';
const CHECKPOINT = 'collect.lookup';

interface Checkpoint {
  region: string;
  attribute: string;
  value: string;
  from: string;
  to: string;
  pages: number;
  events: number;
  state: CoverageEntry['state'];
  reason: string | null;
}

const fileSafe = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');
const idOf = (region: string, t: LookupTarget): string => `${region}\u0000${t.attribute}\u0000${t.value}`;

/** The (region, target) pairs a previous run already collected to the end. */
export function completedLookups(ctx: CaseContext): Set<string> {
  const done = new Set<string>();
  for (const e of journalEntries(ctx.case, CHECKPOINT)) {
    const c = e.data as Checkpoint;
    if (c.state === 'complete')
      done.add(idOf(c.region, { attribute: c.attribute as LookupTarget['attribute'], value: c.value }));
  }
  return done;
}

/**
 * Page LookupEvents for one target in one region to the end, keeping every page in the case's
 * evidence. LookupEvents is regional (global-service events such as IAM and STS appear in
 * us-east-1) and limited to 2 requests/s per region: the client pool's limiter spaces the calls.
 * Management events only: S3 data events never appear here (only in a trail's bucket).
 */
export async function lookupRegion(
  ctx: CaseContext,
  region: string,
  target: LookupTarget,
  window: { from: Date; to: Date },
): Promise<CoverageEntry & { events: number }> {
  const client = ctx.aws.get(CloudTrailClient, region);
  const source = `LookupEvents ${target.attribute}=${target.value}`;
  let token: string | undefined;
  let page = 0;
  let events = 0;
  let state: CoverageEntry['state'] = 'complete';
  let reason: string | null = null;
  try {
    do {
      const out = await client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: target.attribute, AttributeValue: target.value }],
          StartTime: window.from,
          EndTime: window.to,
          MaxResults: 50,
          NextToken: token,
        }),
      );
      const found = out.Events ?? [];
      if (found.length) {
        page += 1;
        events += found.length;
        const name = `${LOOKUP_DIR}/${region}/${target.attribute}-${fileSafe(target.value)}/page-${String(page).padStart(5, '0')}.json`;
        await ctx.case.addEvidence(
          name,
          JSON.stringify({ Events: found }),
          `cloudtrail:LookupEvents ${region}`,
        );
      }
      token = out.NextToken;
    } while (token);
  } catch (error) {
    const c = classifyAwsError(error);
    if (c.kind === 'other' && (c.credentialsRejected || c.network)) throw error;
    // What was read stays; the ledger says what is missing and why.
    state = events > 0 ? 'partial' : 'failed';
    reason = `${describeAwsError(c)}${events ? ` after ${events} events` : ''}`;
  }
  const entry: CoverageEntry = {
    source,
    region,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    state,
    reason,
  };
  const checkpoint: Checkpoint = {
    region,
    attribute: target.attribute,
    value: target.value,
    from: entry.from!,
    to: entry.to!,
    pages: page,
    events,
    state,
    reason,
  };
  ctx.case.record(CHECKPOINT, checkpoint);
  return { ...entry, events };
}

/**
 * Every target in every region: regions in parallel (each has its own rate-limit slot), targets
 * one after another within a region. Pairs a previous run completed are not asked again.
 */
export async function lookupEverywhere(
  ctx: CaseContext,
  regions: string[],
  targets: LookupTarget[],
  window: { from: Date; to: Date },
): Promise<{ coverage: CoverageEntry[]; events: number; skipped: number }> {
  const done = completedLookups(ctx);
  const coverage: CoverageEntry[] = [];
  let events = 0;
  let skipped = 0;
  const task = ctx.progress.start('LookupEvents', regions.length * targets.length);
  await Promise.all(
    regions.map(async (region) => {
      for (const target of targets) {
        if (done.has(idOf(region, target))) {
          skipped += 1;
          task.tick(1, `${region} (already collected)`);
          continue;
        }
        const r = await lookupRegion(ctx, region, target, window);
        events += r.events;
        const { events: _n, ...entry } = r;
        coverage.push(entry);
        task.tick(1, `${region} ${target.value}`);
      }
    }),
  );
  task.done(`${events} events`);
  return { coverage, events, skipped };
}

/** The ledger line of a (region, target) a previous run completed, from its checkpoint. */
export function previousCoverage(ctx: CaseContext): CoverageEntry[] {
  const latest = new Map<string, CoverageEntry>();
  for (const e of journalEntries(ctx.case, CHECKPOINT)) {
    const c = e.data as Checkpoint;
    latest.set(idOf(c.region, { attribute: c.attribute as LookupTarget['attribute'], value: c.value }), {
      source: `LookupEvents ${c.attribute}=${c.value}`,
      region: c.region,
      from: c.from,
      to: c.to,
      state: c.state,
      reason: c.reason,
    });
  }
  return [...latest.values()];
}
