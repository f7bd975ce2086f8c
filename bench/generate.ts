import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * A synthetic trail bucket for the ingest benchmark: the AWSLogs/ layout CloudTrail writes
 * (`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<stamp>_<id>.json.gz`),
 * gzip'd `{"Records":[…]}` files of a few hundred records, and the field shapes of real traffic:
 * every record is built on a real record of the public datasets (`../shared/datasets`, 3,210
 * records: KMS/EC2/IAM/SSM/S3 calls, ~10% with errorCode, resources arrays, TLS details, service
 * calls with "AWS Internal" or "*.amazonaws.com" source addresses, records without
 * userIdentity.type) whose identity, time, region, address and ids are replaced from a pool of
 * many principals. One access key (`targetKey`) is the hunted one.
 */
export interface TrailSpec {
  dir: string;
  records: number;
  /** Distinct principals (IAM users with AKIA keys and role sessions with ASIA keys). */
  principals?: number;
  /** Share of records made with the target key. */
  targetShare?: number;
  seed?: number;
}

export interface GeneratedTrail {
  dir: string;
  files: number;
  records: number;
  targetKey: string;
  targetRecords: number;
  gzBytes: number;
}

const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1'];
const TARGET_KEY = 'AKIABENCHTARGET00001';
const START = Date.parse('2026-11-20T00:00:00Z');

/** A small deterministic PRNG (mulberry32), so a run is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Template {
  /** JSON of the record without the replaced fields, starting with `{`. */
  rest: string;
  /** The original identity, kept for AWS-service calls (they have no key and a service address). */
  keepIdentity: string | null;
  keepAddress: string | null;
}

const REPLACED = [
  'userIdentity',
  'eventTime',
  'awsRegion',
  'sourceIPAddress',
  'eventID',
  'requestID',
  'recipientAccountId',
];

function loadTemplates(): Template[] {
  const root = join(process.cwd(), '..', 'shared', 'datasets');
  const raw: Record<string, unknown>[] = [];
  for (const dataset of ['invictus-sigma-aws', 'stratus-detonation-logs']) {
    for (const name of readdirSync(join(root, dataset)).filter((n) => n.endsWith('.json'))) {
      const doc = JSON.parse(readFileSync(join(root, dataset, name), 'utf8')) as
        Record<string, unknown>[] | { Records: Record<string, unknown>[] };
      raw.push(...(Array.isArray(doc) ? doc : doc.Records));
    }
  }
  return raw.map((record) => {
    const identity = record.userIdentity as { type?: string } | undefined;
    const service = !identity?.type || identity.type === 'AWSService';
    const address = typeof record.sourceIPAddress === 'string' ? record.sourceIPAddress : '';
    const rest = Object.fromEntries(Object.entries(record).filter(([k]) => !REPLACED.includes(k)));
    return {
      rest: JSON.stringify(rest),
      keepIdentity: service ? JSON.stringify(record.userIdentity ?? null) : null,
      keepAddress: /^[\d.]+$|^[0-9a-f:]+$/i.test(address) ? null : address,
    };
  });
}

function keyId(prefix: string, n: number): string {
  return `${prefix}BENCH${n.toString(36).toUpperCase().padStart(11, '0')}`;
}

/** The identities of the pool, as JSON text, with the key each one uses. */
function principalPool(count: number, random: () => number): { json: string; key: string }[] {
  const pool: { json: string; key: string }[] = [];
  for (let i = 0; i < count; i++) {
    const account = ACCOUNTS[i % ACCOUNTS.length]!;
    if (i === 0 || random() < 0.6) {
      const user = i === 0 ? 'deploy-bot' : `user-${i}`;
      const key = i === 0 ? TARGET_KEY : keyId('AKIA', i);
      pool.push({
        key,
        json: JSON.stringify({
          type: 'IAMUser',
          principalId: `AIDABENCH${i.toString().padStart(12, '0')}`,
          arn: `arn:aws:iam::${account}:user/${user}`,
          accountId: account,
          accessKeyId: key,
          userName: user,
        }),
      });
    } else {
      const role = `role-${i % 97}`;
      const key = keyId('ASIA', i);
      pool.push({
        key,
        json: JSON.stringify({
          type: 'AssumedRole',
          principalId: `AROABENCH${(i % 97).toString().padStart(12, '0')}:session-${i}`,
          arn: `arn:aws:sts::${account}:assumed-role/${role}/session-${i}`,
          accountId: account,
          accessKeyId: key,
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: `AROABENCH${(i % 97).toString().padStart(12, '0')}`,
              arn: `arn:aws:iam::${account}:role/${role}`,
              accountId: account,
              userName: role,
            },
            attributes: { creationDate: '2026-11-20T00:00:00Z', mfaAuthenticated: 'false' },
          },
        }),
      });
    }
  }
  return pool;
}

/**
 * Where CloudTrail delivers a file of this account, region and five-minute slot
 * (`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<stamp>_<id>.json.gz`);
 * the folder is created.
 */
export function deliveryPath(logs: string, account: string, region: string, slotStart: number): string {
  const day = new Date(slotStart).toISOString();
  const folder = join(
    logs,
    account,
    'CloudTrail',
    region,
    day.slice(0, 4),
    day.slice(5, 7),
    day.slice(8, 10),
  );
  const stamp = day.slice(0, 16).replace(/[-:]/g, '') + 'Z';
  mkdirSync(folder, { recursive: true });
  return join(
    folder,
    `${account}_CloudTrail_${region}_${stamp}_${randomUUID().replace(/-/g, '').slice(0, 16)}.json.gz`,
  );
}

/** Writes gzip'd delivery files; zlib runs in libuv's thread pool, overlapping with building the next. */
export class DeliveryWriter {
  files = 0;
  gzBytes = 0;
  private pending: Promise<void>[] = [];

  async add(path: string, records: string[]): Promise<void> {
    this.files++;
    this.pending.push(
      gzipAsync(`{"Records":[${records.join(',')}]}`).then(async (bytes) => {
        this.gzBytes += bytes.length;
        await writeFile(path, bytes);
      }),
    );
    if (this.pending.length >= 8) await Promise.all(this.pending.splice(0));
  }

  /** Wait for the files still being written, then describe the trail in its manifest beside the folder. */
  async finish(
    spec: TrailSpec,
    counts: Pick<GeneratedTrail, 'records' | 'targetKey' | 'targetRecords'>,
  ): Promise<GeneratedTrail> {
    await Promise.all(this.pending.splice(0));
    const result: GeneratedTrail = { dir: spec.dir, files: this.files, gzBytes: this.gzBytes, ...counts };
    writeFileSync(`${spec.dir}.generated.json`, JSON.stringify(result, null, 2));
    return result;
  }
}

/** A trail's manifest beside its folder, when one of the same size was generated before. */
export function previousTrail(spec: TrailSpec): GeneratedTrail | null {
  const manifest = `${spec.dir}.generated.json`;
  if (!existsSync(manifest)) return null;
  const previous = JSON.parse(readFileSync(manifest, 'utf8')) as GeneratedTrail;
  return previous.records === spec.records ? previous : null;
}

/** Generate the trail unless the folder already holds one of the same spec; returns its description. */
export async function generateTrail(spec: TrailSpec): Promise<GeneratedTrail> {
  // Beside the folder, not in it: the benchmark reads every .json file under the folder.
  const previous = previousTrail(spec);
  if (previous) return previous;
  const random = rng(spec.seed ?? 42);
  const templates = loadTemplates();
  const pool = principalPool(spec.principals ?? 5000, random);
  const targetShare = spec.targetShare ?? 0.002;
  const logs = join(spec.dir, 'AWSLogs');
  let written = 0;
  let targetRecords = 0;
  const writer = new DeliveryWriter();
  // Five-minute delivery slots across accounts and regions, a few hundred records each.
  let slot = 0;
  while (written < spec.records) {
    const account = ACCOUNTS[slot % ACCOUNTS.length]!;
    const region = REGIONS[Math.floor(slot / ACCOUNTS.length) % REGIONS.length]!;
    const slotStart = START + Math.floor(slot / (ACCOUNTS.length * REGIONS.length)) * 300_000;
    const n = Math.min(spec.records - written, 200 + Math.floor(random() * 940));
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = templates[Math.floor(random() * templates.length)]!;
      let identity: string;
      if (t.keepIdentity !== null) identity = t.keepIdentity;
      else if (random() < targetShare) {
        identity = pool[0]!.json;
        targetRecords++;
      } else {
        // A skewed choice: a few principals make most calls, as in real accounts.
        identity = pool[1 + Math.floor(random() ** 3 * (pool.length - 1))]!.json;
      }
      const time = new Date(slotStart + Math.floor(random() * 300_000))
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
      const address =
        t.keepAddress ??
        `${(random() * 223 + 1) | 0}.${(random() * 255) | 0}.${(random() * 255) | 0}.${(random() * 255) | 0}`;
      const head =
        `{"userIdentity":${identity},"eventTime":"${time}","awsRegion":"${region}",` +
        `"sourceIPAddress":"${address}","eventID":"${randomUUID()}","requestID":"${randomUUID()}",` +
        `"recipientAccountId":"${account}"`;
      parts.push(t.rest === '{}' ? `${head}}` : `${head},${t.rest.slice(1)}`);
    }
    const path = deliveryPath(logs, account, region, slotStart);
    await writer.add(path, parts);
    written += n;
    slot++;
  }
  return writer.finish(spec, { records: written, targetKey: TARGET_KEY, targetRecords });
}
