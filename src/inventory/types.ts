import type { ClientPool } from '../aws/pool.js';

/** Who put a resource (or its current configuration) there, as the case's events tell it. */
export type Origin = 'attacker' | 'pre-existing' | 'unknown';

/** How a resource was attributed, with the events that show it. */
export interface Attribution {
  origin: Origin;
  /** `created`: the attacker made it; `changed`: it existed, the attacker changed it. */
  how?: 'created' | 'changed';
  /** The attacker's write events on it (create and change), oldest first. */
  eventIds: string[];
  /** Every write event seen on it, whoever made it (for the record). */
  writes: number;
  /** One line: why this origin. */
  reason: string;
  /** Made by the responder's own calls (containment's policies): reported, never a backdoor. */
  byResponder?: boolean;
}

/** One resource of the live account, as an inventory lister read it. */
export interface InventoryItem {
  /** CloudFormation-style type (`AWS::EC2::Instance`); sub-resources get their own (`AWS::IAM::AccessKey`). */
  type: string;
  /** The id AWS uses to name it in calls (instance id, user name, key id, bucket name…). */
  id: string;
  /** The human name (Name tag, user name, function name…); attacker-controlled. */
  name: string;
  arn?: string | undefined;
  /** `global` for IAM and other account-wide resources. */
  region: string;
  account: string;
  /** When AWS says it was created, when it says. */
  createdAt?: string | undefined;
  /** For sub-resources: the resource it belongs to (the user of a key, the role of a trust). */
  parent?: { type: string; id: string } | undefined;
  /** What the lister kept: the fields that matter for scope, blast radius and eradication. */
  data: Record<string, unknown>;
  attribution?: Attribution;
}

/** What a lister reports about one region (or the global scope) it read. */
export interface InventoryCoverage {
  service: string;
  /** The lister (`ec2.instances`) or detail (`s3.bucket-policy`) that was read. */
  lister: string;
  region: string;
  status: 'complete' | 'not-checked' | 'skipped' | 'failed';
  items: number;
  /** Why it is not complete (AccessDenied …, region disabled, throttled after retries). */
  reason?: string | undefined;
}

/**
 * What a lister is given: the account and region it reads, and `read`, through which it makes
 * every AWS call. `read` bounds the calls in flight, and turns an expected failure into data:
 * refused or throttled → `undefined` and a "not checked" coverage line named `what`; absent
 * (NoSuchBucketPolicy, NoSuchEntity…) → `null` ("read, none there").
 */
export interface ListContext {
  pool: ClientPool;
  account: string;
  region: string;
  read<T>(what: string, call: () => Promise<T>): Promise<T | null | undefined>;
}

/**
 * One kind of resource, declared: where it lives and how to list it (with the per-item reads
 * it needs: a bucket's policy, an instance's user data). The engine runs `list` once (global)
 * or in every enabled region.
 */
export interface ListerDef {
  /** `service.what`, e.g. `ec2.instances`; names the coverage lines. */
  id: string;
  service: string;
  scope: 'global' | 'regional';
  /** For a global service, the region its calls go to (IAM: us-east-1). */
  homeRegion?: string;
  list(ctx: ListContext): Promise<InventoryItem[]>;
}
