import { describe, expect, it } from 'vitest';
import {
  ALL_USERS,
  cannedGrants,
  createBucket,
  deleteBucket,
  findBucket,
  getBucketPolicy,
  listBuckets,
  putBucketAcl,
  putBucketPolicy,
} from './buckets.js';
import { listPage } from './listing.js';
import type { S3World } from './model.js';
import { computeChecksum, deleteObjects, getObject, putObject } from './objects.js';

const VICTIM = '111122223333';
const OTHER = '444455556666';
const deps = { now: () => new Date('2026-05-01T12:00:00.250Z') };

function world(): S3World {
  return { accounts: {} };
}

function put(w: S3World, key: string, text = 'x') {
  return putObject(w, deps, VICTIM, { bucket: 'logs', key, body: Buffer.from(text) });
}

describe('S3 buckets', () => {
  it('creates buckets in a region, enforces the global namespace and lists the caller’s own', () => {
    const w = world();
    createBucket(w, deps, VICTIM, 'us-east-1', { bucket: 'logs' });
    createBucket(w, deps, VICTIM, 'eu-west-1', { bucket: 'eu-data', locationConstraint: 'eu-west-1' });
    expect(findBucket(w, 'eu-data').region).toBe('eu-west-1');
    expect(() => createBucket(w, deps, OTHER, 'us-east-1', { bucket: 'logs' })).toThrow(/not available/);
    expect(() =>
      createBucket(w, deps, VICTIM, 'eu-west-1', { bucket: 'eu-data', locationConstraint: 'eu-west-1' }),
    ).toThrow(/already own it/);
    expect(() => createBucket(w, deps, VICTIM, 'eu-west-1', { bucket: 'nolc' })).toThrow(
      /unspecified location constraint/,
    );
    expect(() => createBucket(w, deps, VICTIM, 'us-east-1', { bucket: 'Bad_Name' })).toThrow(
      'The specified bucket is not valid.',
    );
    expect(listBuckets(w, VICTIM).buckets.map((b) => b.name)).toEqual(['eu-data', 'logs']);
    expect(listBuckets(w, OTHER).buckets).toEqual([]);
  });

  it('refuses public ACLs until ownership allows ACLs and Block Public Access is off', () => {
    const w = world();
    expect(() => createBucket(w, deps, VICTIM, 'us-east-1', { bucket: 'pub', acl: 'public-read' })).toThrow(
      /BucketOwnerEnforced/,
    );
    createBucket(w, deps, VICTIM, 'us-east-1', { bucket: 'pub', objectOwnership: 'ObjectWriter' });
    const publicRead = cannedGrants('public-read', VICTIM);
    expect(() => putBucketAcl(w, 'pub', publicRead)).toThrow('Access Denied');
    delete findBucket(w, 'pub').publicAccessBlock;
    putBucketAcl(w, 'pub', publicRead);
    expect(
      findBucket(w, 'pub').acl.some((g) => g.grantee.type === 'Group' && g.grantee.uri === ALL_USERS),
    ).toBe(true);
  });

  it('stores, rejects and reads bucket policies', () => {
    const w = world();
    createBucket(w, deps, VICTIM, 'us-east-1', { bucket: 'logs' });
    expect(() => getBucketPolicy(w, 'logs')).toThrow('The bucket policy does not exist');
    expect(() => putBucketPolicy(w, 'logs', 'nope')).toThrow(/valid JSON/);
    const open = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
    });
    expect(() => putBucketPolicy(w, 'logs', open)).toThrow('Access Denied');
    const cross = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 's3:*', Resource: '*' }],
    });
    putBucketPolicy(w, 'logs', cross);
    expect(getBucketPolicy(w, 'logs')).toBe(cross);
  });

  it('refuses to delete a non-empty bucket', () => {
    const w = world();
    createBucket(w, deps, VICTIM, 'us-east-1', { bucket: 'logs' });
    put(w, 'a');
    expect(() => deleteBucket(w, 'logs')).toThrow('The bucket you tried to delete is not empty');
    deleteObjects(w, deps, 'logs', ['a', 'never-existed'], VICTIM);
    deleteBucket(w, 'logs');
    expect(() => findBucket(w, 'logs')).toThrow('The specified bucket does not exist');
  });
});

describe('S3 objects', () => {
  it('keeps bytes, ETag and last-modified and verifies checksums', () => {
    const w = world();
    createBucket(w, deps, VICTIM, 'us-east-1', { bucket: 'logs' });
    const stored = put(w, 'hello.txt', 'hello');
    expect(stored.etag).toBe('"5d41402abc4b2a76b9719d911017c592"');
    expect(stored.lastModified).toBe('2026-05-01T12:00:00.000Z');
    expect(Buffer.from(getObject(w, 'logs', 'hello.txt').body, 'base64').toString()).toBe('hello');
    expect(computeChecksum('CRC32', Buffer.from('hello'))).toBe('NhCmhg==');
    expect(computeChecksum('CRC32C', Buffer.from('hello'))).toBe('mnG7TA==');
    expect(() =>
      putObject(w, deps, VICTIM, {
        bucket: 'logs',
        key: 'k',
        body: Buffer.from('hello'),
        checksums: { CRC32: 'AAAAAA==' },
      }),
    ).toThrow(/CRC32 you specified did not match/);
    expect(() => getObject(w, 'logs', 'missing')).toThrow('The specified key does not exist.');
    expect(JSON.parse(JSON.stringify(w))).toEqual(w);
  });

  it('lists with prefix, delimiter and pages', () => {
    const w = world();
    createBucket(w, deps, VICTIM, 'us-east-1', { bucket: 'logs' });
    for (const key of ['a/1', 'a/2', 'b', 'c/x/1', 'c/y', 'd']) put(w, key);
    const top = listPage(w, 'logs', { delimiter: '/' });
    expect(top.contents.map((o) => o.key)).toEqual(['b', 'd']);
    expect(top.commonPrefixes).toEqual(['a/', 'c/']);
    const page1 = listPage(w, 'logs', { delimiter: '/', maxKeys: 2 });
    expect([page1.commonPrefixes, page1.contents.map((o) => o.key), page1.isTruncated]).toEqual([
      ['a/'],
      ['b'],
      true,
    ]);
    const page2 = listPage(w, 'logs', { delimiter: '/', maxKeys: 2, after: page1.last! });
    expect([page2.commonPrefixes, page2.contents.map((o) => o.key), page2.isTruncated]).toEqual([
      ['c/'],
      ['d'],
      false,
    ]);
    const under = listPage(w, 'logs', { prefix: 'c/', delimiter: '/' });
    expect([under.commonPrefixes, under.contents.map((o) => o.key)]).toEqual([['c/x/'], ['c/y']]);
    expect(listPage(w, 'logs', { after: 'c/x/1' }).contents.map((o) => o.key)).toEqual(['c/y', 'd']);
  });
});
