import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import type { OpContext, OperationDef } from '../../core/service.js';
import type { Detector, Finding, GuardDutyState, IpSet, SuppressionFilter } from './model.js';

type Ctx = OpContext<GuardDutyState>;
type Op = OperationDef<GuardDutyState>;

function badRequest(message: string): SimError {
  return new SimError('BadRequestException', message, 400, {
    Message: message,
    Type: 'InvalidInputException',
  });
}

/** The path's detector (as the index's detector operations check it). */
type DetectorOf = (ctx: Ctx) => Detector;

const detectorArn = (ctx: Ctx): string =>
  `arn:aws:guardduty:${ctx.region}:${ctx.caller.accountId}:detector/${ctx.pathParams.DetectorId ?? ''}`;

/** IAM's resource for filter actions is the filter; for IP set reads the IP set; else none. */
const onFilter = (action: string, name: (ctx: Ctx) => string): Op['auth'] => ({
  action,
  resource: (ctx: Ctx) => `${detectorArn(ctx)}/filter/${name(ctx)}`,
});
const filterInPath = (ctx: Ctx): string => ctx.pathParams.FilterName ?? '';

function filterOf(d: Detector, name: string): SuppressionFilter {
  const f = d.filters?.[name];
  if (!f) throw badRequest(`The request is rejected because the input filterName ${name} is not valid.`);
  return f;
}

/** `maxResults`/`nextToken` from the query string (the offset, as a string). */
function paged<T>(ctx: Ctx, items: T[]): { items: T[]; nextToken?: string } {
  const start = Number(ctx.params.get('nextToken') ?? '0') || 0;
  const end = start + (Number(ctx.params.get('maxResults') ?? '50') || 50);
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

/** What tells IP sets (trusted IP lists) and threat intel sets apart: their names, paths and limit. */
interface ListKind {
  /** Operation names: Create<op>, List<op>s, Get<op>, Delete<op>. */
  op: 'IPSet' | 'ThreatIntelSet';
  path: 'ipset' | 'threatintelset';
  /** The path parameter and the id member (`ipSetId`, `threatIntelSetId`). */
  param: 'IpSetId' | 'ThreatIntelSetId';
  idMember: 'ipSetId' | 'threatIntelSetId';
  /** How many GuardDuty allows per account and region (UG "Quotas"). */
  limit: number;
  store: (d: Detector) => Record<string, IpSet>;
}

const IP_SETS: ListKind = {
  op: 'IPSet',
  path: 'ipset',
  param: 'IpSetId',
  idMember: 'ipSetId',
  limit: 1,
  store: (d) => (d.ipSets ??= {}),
};
const THREAT_INTEL_SETS: ListKind = {
  op: 'ThreatIntelSet',
  path: 'threatintelset',
  param: 'ThreatIntelSetId',
  idMember: 'threatIntelSetId',
  limit: 6,
  store: (d) => (d.threatIntelSets ??= {}),
};

const FORMATS = ['TXT', 'STIX', 'OTX_CSV', 'ALIEN_VAULT', 'PROOF_POINT', 'FIRE_EYE'];

/** Create, list, get and delete one kind of address list, as GuardDuty answers them. */
function listOps(detectorOf: DetectorOf, k: ListKind): Record<string, Op> {
  const base = `/detector/{DetectorId}/${k.path}`;
  const on = (action: string): Op['auth'] => ({
    action: `guardduty:${action}`,
    resource: (ctx: Ctx) => `${detectorArn(ctx)}/${k.path}/${ctx.pathParams[k.param] ?? ''}`,
  });
  const setOf = (d: Detector, id: string): IpSet => {
    const s = k.store(d)[id];
    if (!s) throw badRequest(`The request is rejected because the input ${k.idMember} ${id} is not valid.`);
    return s;
  };
  return {
    [`Create${k.op}`]: {
      http: `POST ${base}`,
      handler(ctx) {
        const sets = k.store(detectorOf(ctx));
        if (Object.keys(sets).length >= k.limit)
          throw badRequest(
            `The request is rejected because the current account cannot create more than ${k.limit} ${k.op}s.`,
          );
        const format = bodyString(ctx.body.format);
        if (!FORMATS.includes(format))
          throw badRequest(`The request is rejected because the format ${format} is not valid.`);
        const location = bodyString(ctx.body.location);
        if (!/^https:\/\/|^s3:\/\//.test(location))
          throw badRequest('The request is rejected because the location is not valid.');
        const id = ctx.sim.ids.hex(32);
        sets[id] = {
          ipSetId: id,
          name: bodyString(ctx.body.name),
          format,
          location,
          status: ctx.body.activate === true ? 'ACTIVE' : 'INACTIVE',
        };
        return { [k.idMember]: id };
      },
    },
    [`List${k.op}s`]: {
      http: `GET ${base}`,
      handler(ctx) {
        const { items, nextToken } = paged(ctx, Object.keys(k.store(detectorOf(ctx))).sort());
        return { [`${k.idMember}s`]: items, nextToken };
      },
    },
    [`Get${k.op}`]: {
      http: `GET ${base}/{${k.param}}`,
      auth: on(`Get${k.op}`),
      handler(ctx) {
        const s = setOf(detectorOf(ctx), ctx.pathParams[k.param] ?? '');
        return { name: s.name, format: s.format, location: s.location, status: s.status, tags: {} };
      },
    },
    [`Delete${k.op}`]: {
      http: `DELETE ${base}/{${k.param}}`,
      auth: on(`Delete${k.op}`),
      handler(ctx) {
        const d = detectorOf(ctx);
        const s = setOf(d, ctx.pathParams[k.param] ?? '');
        delete k.store(d)[s.ipSetId];
        return {};
      },
    },
  };
}

/**
 * Suppression rules (filters; ARCHIVE ones archive matching findings as they are raised, see
 * `suppressed`), trusted IP lists and threat intel sets (kept and listed; the simulated detector
 * does not read a list's S3 object, so it neither exempts nor flags the addresses).
 */
export function suppressionOps(detectorOf: DetectorOf): Record<string, Op> {
  return {
    CreateFilter: {
      http: 'POST /detector/{DetectorId}/filter',
      auth: onFilter('guardduty:CreateFilter', (ctx) => bodyString(ctx.body.name)),
      handler(ctx) {
        const d = detectorOf(ctx);
        const name = bodyString(ctx.body.name);
        if (!/^[A-Za-z0-9_.-]{3,64}$/.test(name))
          throw badRequest('The request is rejected because the filter name is not valid.');
        const filters = (d.filters ??= {});
        if (filters[name])
          throw badRequest(`The request is rejected because a filter with the name ${name} already exists.`);
        const criteria = ctx.body.findingCriteria as { criterion?: Record<string, unknown> } | undefined;
        if (!criteria?.criterion)
          throw badRequest('The request is rejected because findingCriteria is missing.');
        const action = bodyString(ctx.body.action) || 'NOOP';
        if (action !== 'NOOP' && action !== 'ARCHIVE')
          throw badRequest(`The request is rejected because the action ${action} is not valid.`);
        filters[name] = {
          name,
          description: bodyString(ctx.body.description) || undefined,
          action,
          rank: typeof ctx.body.rank === 'number' ? ctx.body.rank : Object.keys(filters).length + 1,
          criterion: criteria.criterion as SuppressionFilter['criterion'],
        };
        return { name };
      },
    },
    ListFilters: {
      http: 'GET /detector/{DetectorId}/filter',
      handler(ctx) {
        const { items, nextToken } = paged(ctx, Object.keys(detectorOf(ctx).filters ?? {}).sort());
        return { filterNames: items, nextToken };
      },
    },
    GetFilter: {
      http: 'GET /detector/{DetectorId}/filter/{FilterName}',
      auth: onFilter('guardduty:GetFilter', filterInPath),
      handler(ctx) {
        const f = filterOf(detectorOf(ctx), ctx.pathParams.FilterName ?? '');
        return {
          name: f.name,
          description: f.description,
          action: f.action,
          rank: f.rank,
          findingCriteria: { criterion: f.criterion },
          tags: {},
        };
      },
    },
    DeleteFilter: {
      http: 'DELETE /detector/{DetectorId}/filter/{FilterName}',
      auth: onFilter('guardduty:DeleteFilter', filterInPath),
      handler(ctx) {
        const d = detectorOf(ctx);
        const f = filterOf(d, ctx.pathParams.FilterName ?? '');
        delete d.filters![f.name];
        return {};
      },
    },
    ...listOps(detectorOf, IP_SETS),
    ...listOps(detectorOf, THREAT_INTEL_SETS),
  };
}

function valueAt(finding: Finding, path: string): unknown {
  let node: unknown = finding;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

/** Whether one criterion condition (`eq`/`equals`, `neq`, `gt`, `gte`, `lt`, `lte`) holds. */
function holds(value: unknown, condition: Record<string, unknown>): boolean {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  return Object.entries(condition).every(([op, arg]) => {
    const o = op.toLowerCase();
    if (o === 'eq' || o === 'equals') return list(arg).map(String).includes(String(value));
    if (o === 'neq' || o === 'notequals') return !list(arg).map(String).includes(String(value));
    const n = Number(value);
    const a = Number(arg);
    if (o === 'gt' || o === 'greaterthan') return n > a;
    if (o === 'gte' || o === 'greaterthanorequal') return n >= a;
    if (o === 'lt' || o === 'lessthan') return n < a;
    if (o === 'lte' || o === 'lessthanorequal') return n <= a;
    return false;
  });
}

/** Whether an ARCHIVE filter of the detector matches the finding (it is then archived on arrival). */
export function suppressed(detector: Detector, finding: Finding): boolean {
  return Object.values(detector.filters ?? {}).some(
    (f) =>
      f.action === 'ARCHIVE' &&
      Object.entries(f.criterion).every(([path, condition]) => holds(valueAt(finding, path), condition)),
  );
}
