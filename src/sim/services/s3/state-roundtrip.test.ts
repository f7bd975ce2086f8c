import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeInstancesCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { SimClock, SimState, VICTIM_ACCOUNT, createUserWithKey, startSim } from '../../index.js';
import { sdkConfig } from '../../test-support/aws.js';

describe('EC2 and S3 state across save and load', () => {
  it('keeps instances and object bytes when a drill stops and resumes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tq-sim-state-')), 'state.json');
    const first = await startSim({
      seed: 21,
      clock: new SimClock({ start: '2026-05-01T09:30:00Z', frozen: true }),
    });
    const key = createUserWithKey(first.state, VICTIM_ACCOUNT, 'responder', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    }).key;
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    let instanceId: string;
    try {
      const ec2 = new EC2Client(sdkConfig(first, key));
      const image = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
      const run = await ec2.send(
        new RunInstancesCommand({
          ImageId: image.Images![0]!.ImageId!,
          MinCount: 1,
          MaxCount: 1,
          InstanceType: 't3.micro',
        }),
      );
      instanceId = run.Instances![0]!.InstanceId!;
      const s3 = new S3Client({ ...sdkConfig(first, key), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'blob.bin', Body: bytes }));
      first.state.save(file);
    } finally {
      await first.stop();
    }

    const second = await startSim({ state: SimState.load(file) });
    try {
      const ec2 = new EC2Client(sdkConfig(second, key));
      const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      expect(described.Reservations![0]!.Instances![0]!.State!.Name).toBe('running');
      const s3 = new S3Client({ ...sdkConfig(second, key), forcePathStyle: true });
      const got = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'blob.bin' }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(bytes);
    } finally {
      await second.stop();
    }
  });
});
