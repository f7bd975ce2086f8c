import { SimError } from '../core/errors.js';
import { bodyString } from '../core/params.js';
import { defineService, type OpContext } from '../core/service.js';
import type { SimState } from '../state.js';
import { organizationOfAccount } from '../services/organizations/index.js';
import { LookupThrottle, lookupEvents } from './lookup.js';
import { advancedSelectorsFrom } from './advanced-selectors.js';
import type { EventSelector, Trail } from './model.js';
import { queryOperations } from './lake/queries.js';
import { storeOperations } from './lake/stores.js';

type Ctx = OpContext<undefined>;

const throttles = new WeakMap<SimState, LookupThrottle>();

function throttleOf(sim: SimState): LookupThrottle {
  let t = throttles.get(sim);
  if (!t)
    throttles.set(
      sim,
      (t = new LookupThrottle(
        () => sim.limits.lookupEventsPerSecond,
        () => sim.wallClock(),
      )),
    );
  return t;
}

const DEFAULT_SELECTORS: EventSelector[] = [
  {
    ReadWriteType: 'All',
    IncludeManagementEvents: true,
    DataResources: [],
    ExcludeManagementEventSources: [],
  },
];

/** A trail by name or ARN, visible from the request's region (home region or multi-region). */
function findTrail(ctx: Ctx, nameOrArn: string): Trail {
  const trails = Object.values(ctx.account.cloudtrail.trails);
  const t = nameOrArn.startsWith('arn:')
    ? trails.find((x) => x.arn === nameOrArn)
    : trails.find((x) => x.name === nameOrArn && (x.homeRegion === ctx.region || x.isMultiRegionTrail));
  if (!t) {
    const arn = nameOrArn.startsWith('arn:')
      ? nameOrArn
      : `arn:aws:cloudtrail:${ctx.region}:${ctx.account.accountId}:trail/${nameOrArn}`;
    throw new SimError(
      'TrailNotFoundException',
      `Unknown trail: ${arn} for the user: ${ctx.account.accountId}`,
      400,
    );
  }
  return t;
}

function trailShape(t: Trail) {
  return {
    Name: t.name,
    S3BucketName: t.s3BucketName,
    S3KeyPrefix: t.s3KeyPrefix,
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.isMultiRegionTrail,
    HomeRegion: t.homeRegion,
    TrailARN: t.arn,
    LogFileValidationEnabled: t.logFileValidationEnabled,
    HasCustomEventSelectors:
      t.advancedEventSelectors !== undefined ||
      JSON.stringify(t.eventSelectors) !== JSON.stringify(DEFAULT_SELECTORS),
    HasInsightSelectors: false,
    IsOrganizationTrail: t.isOrganizationTrail ?? false,
  };
}

function checkBucket(ctx: Ctx, bucket: string): void {
  if (!ctx.sim.objectStore || ctx.sim.objectStore.bucketOwner(bucket) === undefined) {
    throw new SimError('S3BucketDoesNotExistException', `S3 bucket ${bucket} does not exist.`, 400);
  }
}

/**
 * The organisation an organisation trail is made for: only its management account may (a
 * delegated administrator too on AWS; not simulated), with CloudTrail's errors otherwise.
 */
function organizationTrailOwner(ctx: Ctx): string {
  const org = organizationOfAccount(ctx.sim, ctx.account.accountId);
  if (!org)
    throw new SimError(
      'OrganizationsNotInUseException',
      'This operation cannot be performed because you are not a member of an organization.',
      400,
    );
  if (org.managementAccount !== ctx.account.accountId)
    throw new SimError(
      'NotOrganizationMasterAccountException',
      'This operation can be performed only by the management account of an organization.',
      400,
    );
  return org.id;
}

function trailName(ctx: Ctx): string {
  return bodyString(ctx.body.Name ?? ctx.body.TrailName);
}

function selectorsFrom(raw: unknown): EventSelector[] {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 5) {
    throw new SimError(
      'InvalidEventSelectorsException',
      'You can specify between 1 and 5 event selectors.',
      400,
    );
  }
  return raw.map((s: Record<string, unknown>) => ({
    ReadWriteType: (s.ReadWriteType as EventSelector['ReadWriteType'] | undefined) ?? 'All',
    IncludeManagementEvents:
      s.IncludeManagementEvents === undefined ? true : Boolean(s.IncludeManagementEvents),
    DataResources: ((s.DataResources as EventSelector['DataResources'] | undefined) ?? []).map((d) => ({
      Type: d.Type,
      Values: d.Values ?? [],
    })),
    ExcludeManagementEventSources: (s.ExcludeManagementEventSources as string[] | undefined) ?? [],
  }));
}

/** CloudTrail (awsJson1.1, API 2013-11-01): Event history, trails and CloudTrail Lake (a test double, `lake/`). */
export const cloudTrailService = defineService<undefined>({
  signingName: 'cloudtrail',
  protocol: 'json',
  targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101',
  eventSource: 'cloudtrail.amazonaws.com',
  apiVersion: '2013-11-01',
  endpointHost: (region) => `cloudtrail.${region}.amazonaws.com`,
  operations: {
    LookupEvents: {
      auth: 'handler',
      async handler(ctx) {
        throttleOf(ctx.sim).check(ctx.caller.accountId, ctx.region);
        await ctx.authorize('cloudtrail:LookupEvents');
        return lookupEvents(ctx.account, ctx.region, ctx.body, ctx.now.getTime());
      },
    },
    CreateTrail: {
      auth: {
        resource: (ctx) => `arn:aws:cloudtrail:${ctx.region}:${ctx.caller.accountId}:trail/${trailName(ctx)}`,
      },
      handler(ctx) {
        const name = trailName(ctx);
        if (!/^[A-Za-z0-9][\w.-]{1,126}[A-Za-z0-9]$/.test(name)) {
          throw new SimError(
            'InvalidTrailNameException',
            'Trail name must starts with a letter or number, end with a letter or number, and contain only letters, numbers, periods, underscores and dashes.',
            400,
          );
        }
        const arn = `arn:aws:cloudtrail:${ctx.region}:${ctx.account.accountId}:trail/${name}`;
        if (Object.values(ctx.account.cloudtrail.trails).some((t) => t.name === name)) {
          throw new SimError(
            'TrailAlreadyExistsException',
            `Trail ${name} already exists for customer: ${ctx.account.accountId}`,
            400,
          );
        }
        const bucket = bodyString(ctx.body.S3BucketName);
        checkBucket(ctx, bucket);
        const organizationId = ctx.body.IsOrganizationTrail ? organizationTrailOwner(ctx) : undefined;
        const trail: Trail = {
          name,
          arn,
          homeRegion: ctx.region,
          s3BucketName: bucket,
          s3KeyPrefix: ctx.body.S3KeyPrefix as string | undefined,
          isMultiRegionTrail: Boolean(ctx.body.IsMultiRegionTrail),
          ...(organizationId ? { isOrganizationTrail: true, organizationId } : {}),
          includeGlobalServiceEvents:
            ctx.body.IncludeGlobalServiceEvents === undefined
              ? true
              : Boolean(ctx.body.IncludeGlobalServiceEvents),
          logFileValidationEnabled: Boolean(ctx.body.EnableLogFileValidation),
          // A new trail does not log until StartLogging (CloudTrail API CreateTrail).
          isLogging: false,
          eventSelectors: DEFAULT_SELECTORS.map((s) => ({ ...s })),
          pending: [],
          tags: ((ctx.body.TagsList as { Key: string; Value: string }[] | undefined) ?? []).slice(),
        };
        ctx.account.cloudtrail.trails[arn] = trail;
        const {
          HomeRegion: _h,
          HasCustomEventSelectors: _c,
          HasInsightSelectors: _i,
          ...shape
        } = trailShape(trail);
        return shape;
      },
    },
    UpdateTrail: {
      auth: { resource: (ctx) => findTrail(ctx, trailName(ctx)).arn },
      handler(ctx) {
        const t = findTrail(ctx, trailName(ctx));
        const b = ctx.body;
        if (b.S3BucketName !== undefined) {
          checkBucket(ctx, bodyString(b.S3BucketName));
          t.s3BucketName = bodyString(b.S3BucketName);
        }
        if (b.S3KeyPrefix !== undefined) t.s3KeyPrefix = bodyString(b.S3KeyPrefix);
        if (b.IsMultiRegionTrail !== undefined) t.isMultiRegionTrail = Boolean(b.IsMultiRegionTrail);
        if (b.IncludeGlobalServiceEvents !== undefined)
          t.includeGlobalServiceEvents = Boolean(b.IncludeGlobalServiceEvents);
        if (b.EnableLogFileValidation !== undefined)
          t.logFileValidationEnabled = Boolean(b.EnableLogFileValidation);
        const {
          HomeRegion: _h,
          HasCustomEventSelectors: _c,
          HasInsightSelectors: _i,
          ...shape
        } = trailShape(t);
        return shape;
      },
    },
    DescribeTrails: {
      handler(ctx) {
        const names = (ctx.body.trailNameList as string[] | undefined) ?? [];
        const shadows =
          ctx.body.includeShadowTrails === undefined ? true : Boolean(ctx.body.includeShadowTrails);
        const list = Object.values(ctx.account.cloudtrail.trails).filter(
          (t) =>
            (t.homeRegion === ctx.region || (shadows && t.isMultiRegionTrail)) &&
            (names.length === 0 || names.includes(t.name) || names.includes(t.arn)),
        );
        return { trailList: list.map(trailShape) };
      },
    },
    GetTrail: {
      auth: { resource: (ctx) => findTrail(ctx, trailName(ctx)).arn },
      handler: (ctx) => ({ Trail: trailShape(findTrail(ctx, trailName(ctx))) }),
    },
    ListTrails: {
      handler: (ctx) => ({
        Trails: Object.values(ctx.account.cloudtrail.trails).map((t) => ({
          TrailARN: t.arn,
          Name: t.name,
          HomeRegion: t.homeRegion,
        })),
      }),
    },
    GetTrailStatus: {
      auth: { resource: (ctx) => findTrail(ctx, trailName(ctx)).arn },
      handler(ctx) {
        const t = findTrail(ctx, trailName(ctx));
        const date = (iso: string | undefined) => (iso ? new Date(iso) : undefined);
        return {
          IsLogging: t.isLogging,
          LatestDeliveryError: t.lastDeliveryError,
          LatestDeliveryTime: t.latestDeliveredKey ? date(t.lastDeliveryTime) : undefined,
          LatestDeliveryAttemptTime: t.lastDeliveryTime,
          LatestDeliveryAttemptSucceeded: t.lastDeliveryTime ? t.lastDeliveryTime : undefined,
          StartLoggingTime: date(t.startLoggingTime),
          StopLoggingTime: date(t.stopLoggingTime),
          TimeLoggingStarted: t.startLoggingTime,
          TimeLoggingStopped: t.stopLoggingTime,
        };
      },
    },
    StartLogging: {
      auth: { resource: (ctx) => findTrail(ctx, trailName(ctx)).arn },
      handler(ctx) {
        const t = findTrail(ctx, trailName(ctx));
        if (t.homeRegion !== ctx.region) throw homeRegionError(t);
        if (!t.isLogging) {
          t.isLogging = true;
          t.startLoggingTime = ctx.sim.nowIso();
          t.lastDeliveryTime ??= ctx.sim.nowIso();
        }
        return {};
      },
    },
    StopLogging: {
      auth: { resource: (ctx) => findTrail(ctx, trailName(ctx)).arn },
      handler(ctx) {
        const t = findTrail(ctx, trailName(ctx));
        if (t.homeRegion !== ctx.region) throw homeRegionError(t);
        t.isLogging = false;
        t.stopLoggingTime = ctx.sim.nowIso();
        return {};
      },
    },
    DeleteTrail: {
      auth: { resource: (ctx) => findTrail(ctx, trailName(ctx)).arn },
      handler(ctx) {
        const t = findTrail(ctx, trailName(ctx));
        if (t.homeRegion !== ctx.region) throw homeRegionError(t);
        delete ctx.account.cloudtrail.trails[t.arn];
        return {};
      },
    },
    PutEventSelectors: {
      auth: { resource: (ctx) => findTrail(ctx, trailName(ctx)).arn },
      handler(ctx) {
        const t = findTrail(ctx, trailName(ctx));
        if (t.homeRegion !== ctx.region) throw homeRegionError(t);
        if ((ctx.body.AdvancedEventSelectors === undefined) === (ctx.body.EventSelectors === undefined))
          throw new SimError(
            'InvalidParameterCombinationException',
            'Specify either EventSelectors or AdvancedEventSelectors, not both.',
            400,
          );
        if (ctx.body.AdvancedEventSelectors !== undefined) {
          t.advancedEventSelectors = advancedSelectorsFrom(ctx.body.AdvancedEventSelectors);
          t.eventSelectors = [];
          return { TrailARN: t.arn, AdvancedEventSelectors: t.advancedEventSelectors };
        }
        delete t.advancedEventSelectors;
        t.eventSelectors = selectorsFrom(ctx.body.EventSelectors);
        return { TrailARN: t.arn, EventSelectors: t.eventSelectors };
      },
    },
    GetEventSelectors: {
      auth: { resource: (ctx) => findTrail(ctx, trailName(ctx)).arn },
      handler(ctx) {
        const t = findTrail(ctx, trailName(ctx));
        return t.advancedEventSelectors
          ? { TrailARN: t.arn, AdvancedEventSelectors: t.advancedEventSelectors }
          : { TrailARN: t.arn, EventSelectors: t.eventSelectors };
      },
    },
    ...storeOperations,
    ...queryOperations,
  },
});

function homeRegionError(t: Trail): SimError {
  return new SimError(
    'InvalidHomeRegionException',
    `This operation must be called from the trail's home region, ${t.homeRegion}.`,
    400,
  );
}
