import { baseEventName } from './activity.js';
import type { AttackerEvent } from './input.js';
import { parseJsonText, stringsAt } from './json-path.js';

/**
 * A store of the company's data the attacker took out of the account or made unavailable: the
 * kind of breach GDPR Art. 33 counts (confidentiality or availability), which starts its clock.
 */
export interface DataStoreReached {
  /** `RDS snapshot orders-copy (eu-west-1)`, `S3 bucket hr-exports`. */
  store: string;
  /** What happened to it, in a few words. */
  how: string;
  /** The whole store left the account or became unusable (a snapshot shared or exported, objects held to ransom). */
  whole: boolean;
  /** The bucket whose objects were re-encrypted with the attacker's key (what `contain --bucket` names). */
  ransomedBucket?: string;
  eventIds: string[];
}

type Reader = (req: unknown, e: AttackerEvent) => Omit<DataStoreReached, 'eventIds'> | undefined;

const first = (root: unknown, path: string) => stringsAt(root, path)[0];
const snapshotName = (arn: string) => arn.split(':').at(-1) ?? arn;

/** The calls that take data out or hold it to ransom, as data: event name → the store it names. */
const READERS: Record<string, Reader> = {
  ModifyDBSnapshotAttribute: (q, e) => {
    const to = stringsAt(q, 'valuesToAdd[]');
    if (first(q, 'attributeName') !== 'restore' || !to.length) return undefined;
    return {
      store: `RDS snapshot ${first(q, 'dBSnapshotIdentifier') ?? '?'} (${e.region})`,
      how: `shared with ${to.join(', ')}`,
      whole: true,
    };
  },
  StartExportTask: (q, e) => ({
    store: `RDS snapshot ${snapshotName(first(q, 'sourceArn') ?? '?')} (${e.region})`,
    how: `exported to s3://${first(q, 's3BucketName') ?? '?'}/${first(q, 's3Prefix') ?? ''}`,
    whole: true,
  }),
  ModifySnapshotAttribute: (q, e) => {
    const to = [
      ...stringsAt(q, 'createVolumePermission.add.items[].userId'),
      ...stringsAt(q, 'createVolumePermission.add.items[].group'),
    ];
    if (!to.length) return undefined;
    return {
      store: `EBS snapshot ${first(q, 'snapshotId') ?? '?'} (${e.region})`,
      how: `shared with ${to.join(', ')}`,
      whole: true,
    };
  },
  // Objects rewritten under the attacker's own key (SSE-C): the company can no longer read them.
  CopyObject: (q) => encrypted(q),
  PutObject: (q) => encrypted(q),
  GetObject: (q) => ({
    store: `S3 bucket ${first(q, 'bucketName') ?? '?'}`,
    how: 'objects read',
    whole: false,
  }),
};

function encrypted(q: unknown): Omit<DataStoreReached, 'eventIds'> | undefined {
  if (first(q, 'x-amz-server-side-encryption-customer-algorithm') === undefined) return undefined;
  const bucket = first(q, 'bucketName');
  return {
    store: `S3 bucket ${bucket ?? '?'}`,
    how: 'objects re-encrypted with the attacker’s key (SSE-C)',
    whole: true,
    ...(bucket ? { ransomedBucket: bucket } : {}),
  };
}

/** The data stores the attacker's successful calls took out or made unavailable, once each. */
export function dataStoresReached(events: AttackerEvent[]): DataStoreReached[] {
  const out = new Map<string, DataStoreReached>();
  for (const e of events) {
    if (e.errorCode) continue;
    const read = READERS[baseEventName(e.eventName)];
    const found = read?.(parseJsonText(e.requestParameters), e);
    if (!found) continue;
    const key = `${found.store}|${found.how}`;
    const seen = out.get(key);
    if (seen) seen.eventIds.push(e.eventId);
    else out.set(key, { ...found, eventIds: [e.eventId] });
  }
  return [...out.values()];
}

/** One store in words: `RDS snapshot x (eu-west-1) shared with 999…`, `S3 bucket hr: 12 objects read`. */
export function storePhrase(s: DataStoreReached): string {
  return s.whole ? `${s.store} ${s.how}` : `${s.store}: ${s.how} (${s.eventIds.length} call(s))`;
}
