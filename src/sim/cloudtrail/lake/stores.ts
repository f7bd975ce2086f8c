import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import type { OpContext, OperationDef } from '../../core/service.js';
import type { AccountState, SimState } from '../../state.js';
import { advancedSelectorsFrom, advancedWants, type AdvancedEventSelector } from '../advanced-selectors.js';
import type { CloudTrailRecord, CloudTrailState } from '../model.js';
import type { EventDataStore } from './model.js';

type Ctx = OpContext<undefined>;

/** What a store takes when made without selectors: every management event (CloudTrail API). */
const DEFAULT_SELECTORS: AdvancedEventSelector[] = [
  { Name: 'Default management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
];

/** The account's event data stores (made on first use: states saved before Lake have none). */
export function storesOf(ct: CloudTrailState): Record<string, EventDataStore> {
  return (ct.eventDataStores ??= {});
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The events a store holds now: its account's records from `holdsSince` on, within its retention,
 * of its region unless it is multi-Region, that one of its advanced selectors takes.
 */
export function storeEvents(sim: SimState, account: AccountState, store: EventDataStore): CloudTrailRecord[] {
  if (!store.holdsSince) return [];
  const from = Math.max(
    Date.parse(store.holdsSince),
    sim.clock.now().getTime() - store.retentionPeriod * DAY_MS,
  );
  return account.cloudtrail.events
    .filter(
      (r) =>
        Date.parse(r.eventTime) >= from &&
        (store.multiRegionEnabled || r.awsRegion === store.region) &&
        store.advancedEventSelectors.some((s) => advancedWants(s, r)),
    )
    .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

/** Options of `layEventDataStore`. */
export interface LayStoreOptions {
  name: string;
  region?: string;
  /** It holds the account's events from this time on (default: now, as CreateEventDataStore). */
  holdsSince?: string;
  advancedEventSelectors?: AdvancedEventSelector[];
  multiRegionEnabled?: boolean;
  retentionPeriod?: number;
}

/**
 * Make an event data store in an account without an API call, optionally holding past events (as
 * a store that imported the account's trail files would): for worlds and tests.
 */
export function layEventDataStore(sim: SimState, accountId: string, o: LayStoreOptions): EventDataStore {
  const account = sim.account(accountId);
  if (!account) throw new Error(`no simulated account ${accountId}`);
  const region = o.region ?? 'us-east-1';
  const id = sim.ids.uuid();
  const now = sim.nowIso();
  const store: EventDataStore = {
    id,
    arn: `arn:aws:cloudtrail:${region}:${accountId}:eventdatastore/${id}`,
    name: o.name,
    region,
    status: 'ENABLED',
    advancedEventSelectors: o.advancedEventSelectors ?? DEFAULT_SELECTORS,
    multiRegionEnabled: o.multiRegionEnabled ?? true,
    organizationEnabled: false,
    retentionPeriod: o.retentionPeriod ?? 2557,
    terminationProtectionEnabled: true,
    billingMode: 'EXTENDABLE_RETENTION_PRICING',
    created: now,
    updated: now,
    holdsSince: o.holdsSince ?? now,
    tags: [],
  };
  storesOf(account.cloudtrail)[store.arn] = store;
  return store;
}

/**
 * The store a request names by ARN or id, in the request's region; CloudTrail's errors for an ARN
 * of the wrong shape or account, and for a store that is not there.
 */
export function findStore(ctx: Ctx, value: string): EventDataStore {
  const arn = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore\/([A-Za-z0-9-]+)$/.exec(value);
  if (value.startsWith('arn:') && (!arn || arn[2] !== ctx.account.accountId))
    throw new SimError(
      'EventDataStoreARNInvalidException',
      'The specified event data store ARN is not valid or does not map to an event data store in your account.',
      400,
    );
  const stores = Object.values(storesOf(ctx.account.cloudtrail)).filter((s) => s.region === ctx.region);
  const found = stores.find((s) => s.arn === value || s.id === value);
  if (!found) throw notFound(value);
  return found;
}

/** CloudTrail's answer for a store id that is not in the account and region. */
export function notFound(value: string): SimError {
  return new SimError('EventDataStoreNotFoundException', `Event data store ${value} not found.`, 400);
}

function invalidParameter(message: string): SimError {
  return new SimError('InvalidParameterException', message, 400);
}

function storeShape(s: EventDataStore) {
  return {
    EventDataStoreArn: s.arn,
    Name: s.name,
    Status: s.status,
    AdvancedEventSelectors: s.advancedEventSelectors,
    MultiRegionEnabled: s.multiRegionEnabled,
    OrganizationEnabled: s.organizationEnabled,
    RetentionPeriod: s.retentionPeriod,
    TerminationProtectionEnabled: s.terminationProtectionEnabled,
    CreatedTimestamp: new Date(s.created),
    UpdatedTimestamp: new Date(s.updated),
    BillingMode: s.billingMode,
  };
}

function booleanOr(value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : Boolean(value);
}

/** CreateEventDataStore, GetEventDataStore and ListEventDataStores (CloudTrail Lake). */
export const storeOperations: Record<string, OperationDef<undefined>> = {
  CreateEventDataStore: {
    handler(ctx) {
      const b = ctx.body;
      const name = bodyString(b.Name);
      if (!/^[a-zA-Z0-9._-]{3,128}$/.test(name))
        throw invalidParameter(
          'Event data store name must be 3 to 128 characters: letters, numbers, periods, underscores and dashes.',
        );
      const stores = storesOf(ctx.account.cloudtrail);
      if (Object.values(stores).some((s) => s.name === name && s.region === ctx.region))
        throw new SimError(
          'EventDataStoreAlreadyExistsException',
          `An event data store with the name ${name} already exists.`,
          400,
        );
      const retention = b.RetentionPeriod === undefined ? 2557 : Number(b.RetentionPeriod);
      if (!Number.isInteger(retention) || retention < 7 || retention > 3653)
        throw invalidParameter('RetentionPeriod must be between 7 and 3653 days.');
      if (b.OrganizationEnabled)
        throw new SimError(
          'UnsupportedOperationException',
          'The simulated account does not make organisation event data stores.',
          400,
        );
      const store = layEventDataStore(ctx.sim, ctx.account.accountId, {
        name,
        region: ctx.region,
        ...(b.AdvancedEventSelectors === undefined
          ? {}
          : { advancedEventSelectors: advancedSelectorsFrom(b.AdvancedEventSelectors) }),
        multiRegionEnabled: booleanOr(b.MultiRegionEnabled, true),
        retentionPeriod: retention,
      });
      store.terminationProtectionEnabled = booleanOr(b.TerminationProtectionEnabled, true);
      if (b.BillingMode === 'FIXED_RETENTION_PRICING') store.billingMode = b.BillingMode;
      store.tags = ((b.TagsList as EventDataStore['tags'] | undefined) ?? []).slice();
      if (b.StartIngestion === false) {
        store.status = 'STOPPED_INGESTION';
        store.holdsSince = undefined;
      }
      ctx.trail.resources = [{ ARN: store.arn, accountId: ctx.account.accountId }];
      // CreateEventDataStore answers CREATED; the store is ENABLED from the next call on.
      return {
        ...storeShape(store),
        Status: store.status === 'ENABLED' ? 'CREATED' : store.status,
        TagsList: store.tags,
      };
    },
  },
  GetEventDataStore: {
    handler: (ctx) => storeShape(findStore(ctx, bodyString(ctx.body.EventDataStore))),
  },
  ListEventDataStores: {
    handler(ctx) {
      const max = ctx.body.MaxResults === undefined ? 1000 : Number(ctx.body.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > 1000)
        throw new SimError('InvalidMaxResultsException', 'MaxResults must be between 1 and 1000.', 400);
      const stores = Object.values(storesOf(ctx.account.cloudtrail)).filter((s) => s.region === ctx.region);
      const { start, end } = pageBounds(bodyString(ctx.body.NextToken), max, stores.length);
      return {
        // The other members of the list entries are deprecated: the store's name and ARN only.
        EventDataStores: stores.slice(start, end).map((s) => ({ EventDataStoreArn: s.arn, Name: s.name })),
        ...(end < stores.length ? { NextToken: pageToken(end) } : {}),
      };
    },
  },
};

/** The slice a NextToken (an offset, base64url) and a page size select; InvalidNextTokenException for a bad token. */
export function pageBounds(token: string, size: number, total: number): { start: number; end: number } {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const start = token ? (text.startsWith('lake:') ? Number(text.slice(5)) : NaN) : 0;
  if (!Number.isInteger(start) || start < 0 || start > total)
    throw new SimError('InvalidNextTokenException', 'The NextToken is not valid.', 400);
  return { start, end: Math.min(total, start + size) };
}

/** The NextToken of the page starting at `offset` (at least 4 characters, as the API's PaginationToken). */
export function pageToken(offset: number): string {
  return Buffer.from(`lake:${offset}`).toString('base64url');
}
