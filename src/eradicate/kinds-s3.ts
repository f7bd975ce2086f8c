import type { StepParams } from '../actions/action.js';
import type { StepRequest } from '../actions/engine.js';
import type { ClientPool } from '../aws/pool.js';
import { stringsAt } from '../report/json-path.js';
import { itemId, type EradicationItem } from './items.js';
import type { KindRule, PlanContext } from './kinds.js';
import { lastBefore, pastEvents } from './prior.js';

/**
 * S3 ransomware's items, planned: a bucket's lifecycle the attacker set (`bucket-lifecycle`), its
 * objects re-encrypted with the attacker's key (`encrypted-objects`), an object the attacker wrote
 * (`s3-object`, the ransom note). The same note key is looked for in every bucket the campaign hit:
 * a bucket without object data events in the trail shows no PutObject.
 */

/** CloudTrail records an XML body's repeated elements singular; the SDK's lists are plural. */
const LISTS: Record<string, string> = {
  Rule: 'Rules',
  Transition: 'Transitions',
  NoncurrentVersionTransition: 'NoncurrentVersionTransitions',
  Tag: 'Tags',
};
const NUMBERS = new Set([
  'Days',
  'NoncurrentDays',
  'NewerNoncurrentVersions',
  'DaysAfterInitiation',
  'ObjectSizeGreaterThan',
  'ObjectSizeLessThan',
]);

function sdkShape(value: unknown, name: string): unknown {
  if (Array.isArray(value)) return value.map((v) => sdkShape(v, name));
  if (value === null || typeof value !== 'object') {
    if (NUMBERS.has(name) && typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
    if (name === 'ExpiredObjectDeleteMarker' && typeof value === 'string') return value === 'true';
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'xmlns') continue;
    // A filter's single Tag stays `Tag`; the Tags of an `And` are a list.
    const list = LISTS[k] && (k !== 'Tag' || name === 'And') ? LISTS[k] : undefined;
    if (list) out[list] = (Array.isArray(v) ? v : [v]).map((x) => sdkShape(x, k));
    else out[k] = sdkShape(v, k);
  }
  return out;
}

/**
 * A lifecycle configuration as CloudTrail recorded a PutBucketLifecycle (`LifecycleConfiguration`
 * with XML element names), as PutBucketLifecycleConfiguration takes it (`{ Rules: [...] }`).
 */
export function lifecycleFromTrail(request: unknown): unknown {
  const doc = (request as { LifecycleConfiguration?: unknown } | null)?.LifecycleConfiguration;
  return doc && typeof doc === 'object' ? sdkShape(doc, 'LifecycleConfiguration') : undefined;
}

/**
 * A bucket's lifecycle before the attacker changed it: the configuration of the last
 * PutBucketLifecycle by someone else (`none` after a DeleteBucketLifecycle), undefined when Event
 * history (90 days) has neither.
 */
export async function priorLifecycle(
  pool: ClientPool,
  region: string,
  bucket: string,
  before: string,
  attacker: Set<string>,
): Promise<string | undefined> {
  const events = await pastEvents(pool, region, ['PutBucketLifecycle', 'DeleteBucketLifecycle']);
  const e = lastBefore(events, before, attacker, (x) => stringsAt(x.request, 'bucketName')[0] === bucket);
  if (!e) return undefined;
  if (e.eventName === 'DeleteBucketLifecycle') return 'none';
  const config = lifecycleFromTrail(e.request);
  return config ? JSON.stringify(config) : undefined;
}

const at = (item: EradicationItem, action: string, params: StepParams): StepRequest => ({
  action,
  account: item.account,
  params,
});
const created = (ctx: PlanContext): StepParams => (ctx.attackStart ? { createdAfter: ctx.attackStart } : {});

/** `bucket/key` → [bucket, key]. */
const split = (name: string): [string, string] => {
  const slash = name.indexOf('/');
  return slash < 0 ? [name, ''] : [name.slice(0, slash), name.slice(slash + 1)];
};

/**
 * The ransom note in the buckets whose writes the trail did not see: the keys of the objects the
 * attacker wrote in other buckets, in each bucket the campaign hit that has no such item (the step
 * deletes only an object of that key written since the attack).
 */
function notesElsewhere(item: EradicationItem, ctx: PlanContext): StepRequest[] {
  const written = [...ctx.items.values()].filter((i) => i.kind === 's3-object').map((i) => split(i.name));
  const keys = [...new Set(written.map(([, key]) => key))];
  return keys
    .filter((key) => !written.some(([b, k]) => b === item.name && k === key))
    .map((key) => at(item, 'delete-object', { bucket: item.name, key, ...created(ctx) }));
}

/** A bucket the attacker created is deleted whole: what is in it goes with it. */
const inBucket = (i: EradicationItem): string => itemId('bucket', i.region, split(i.name)[0]);

export const S3_RANSOM_KINDS: Record<string, KindRule> = {
  'bucket-lifecycle': {
    coveredBy: inBucket,
    async steps(i, ctx) {
      const prior = await priorLifecycle(
        ctx.pool,
        i.region,
        i.name,
        i.firstSeen ?? '9999',
        ctx.attackerEvents,
      );
      return [
        at(i, 'restore-bucket-lifecycle', {
          bucket: i.name,
          attackerRules: i.details?.ruleIds ?? '',
          ...(prior ? { prior } : {}),
        }),
      ];
    },
  },
  'encrypted-objects': {
    coveredBy: inBucket,
    steps: (i, ctx) => [
      at(i, 'restore-encrypted-objects', { bucket: i.name, ...created(ctx) }),
      ...notesElsewhere(i, ctx),
    ],
  },
  's3-object': {
    coveredBy: inBucket,
    steps: (i, ctx) => {
      const [bucket, key] = split(i.name);
      return [at(i, 'delete-object', { bucket, key, ...created(ctx) })];
    },
  },
};
