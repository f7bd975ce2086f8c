import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { RunningSim } from '../index.js';
import { sdkConfig, type Creds } from './aws.js';

/**
 * Download every object of a simulated bucket under `dir/<key>`, as a responder copies a trail
 * bucket before a local hunt; returns the keys.
 */
export async function downloadBucket(s3: S3Client, bucket: string, dir: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const o of page.Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
      const path = join(dir, o.Key!);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, await got.Body!.transformToByteArray());
      keys.push(o.Key!);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Make `n` DescribeVpcs calls as each caller in each region, then deliver every trail's files:
 * a small, known trail history to hunt.
 */
export async function callsThenDelivery(
  sim: RunningSim,
  calls: readonly (readonly [Creds, string, number])[],
): Promise<void> {
  for (const [who, region, n] of calls) {
    const ec2 = new EC2Client(sdkConfig(sim, who, region));
    for (let i = 0; i < n; i++) await ec2.send(new DescribeVpcsCommand({}));
    ec2.destroy();
  }
  sim.clock.advance(5 * 60_000);
  sim.deliverTrails({ force: true });
}
