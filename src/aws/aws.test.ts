import { GetUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DeleteBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { VERSION } from '../version.js';
import { queryError, startStub } from '../test-support/http-stub.js';
import { classifyAwsError } from './errors.js';
import { callerIdentity } from './identity.js';
import { collectAll } from './paginate.js';
import { ClientPool, WriteRefused } from './pool.js';
import { enabledRegions, FALLBACK_REGIONS } from './regions.js';

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function poolFor(status: number, body: string, extra: Record<string, string> = {}) {
  const stub = await startStub(() => ({ status, body, headers: extra }));
  closers.push(stub.close);
  const pool = await ClientPool.create(
    { region: 'us-east-1', endpointUrl: stub.url, credentials, maxAttempts: 1 },
    systemClock,
  );
  closers.push(() => Promise.resolve(pool.destroy()));
  return { pool, stub };
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('classifyAwsError on real SDK errors', () => {
  it('AccessDenied → denied', async () => {
    const { pool } = await poolFor(
      403,
      queryError('AccessDenied', 'User: arn:aws:iam::1:user/x is not authorized to perform: iam:GetUser'),
    );
    const c = classifyAwsError(
      await errorOf(pool.get(IAMClient).send(new GetUserCommand({ UserName: 'bob' }))),
    );
    expect(c).toMatchObject({ kind: 'denied', code: 'AccessDenied', httpStatus: 403, network: false });
  });

  it('NoSuchEntity → absent', async () => {
    const { pool } = await poolFor(
      404,
      queryError('NoSuchEntity', 'The user with name bob cannot be found.'),
    );
    const c = classifyAwsError(
      await errorOf(pool.get(IAMClient).send(new GetUserCommand({ UserName: 'bob' }))),
    );
    expect(c).toMatchObject({ kind: 'absent', code: 'NoSuchEntity', httpStatus: 404 });
  });

  it('Throttling → throttled', async () => {
    const { pool } = await poolFor(400, queryError('Throttling', 'Rate exceeded'));
    const c = classifyAwsError(
      await errorOf(pool.get(IAMClient).send(new GetUserCommand({ UserName: 'bob' }))),
    );
    expect(c).toMatchObject({ kind: 'throttled', code: 'Throttling' });
  });

  it('a refused connection → other, network', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const pool = await ClientPool.create(
      { region: 'us-east-1', endpointUrl: `http://127.0.0.1:${port}`, credentials, maxAttempts: 1 },
      systemClock,
    );
    closers.push(() => Promise.resolve(pool.destroy()));
    const c = classifyAwsError(await errorOf(pool.get(STSClient).send(new GetCallerIdentityCommand({}))));
    expect(c).toMatchObject({ kind: 'other', network: true, code: 'ECONNREFUSED' });
  });

  it('rejected credentials → other, credentialsRejected', async () => {
    const { pool } = await poolFor(
      403,
      queryError('InvalidClientTokenId', 'The security token included in the request is invalid.'),
    );
    const c = classifyAwsError(await errorOf(pool.get(STSClient).send(new GetCallerIdentityCommand({}))));
    expect(c).toMatchObject({ kind: 'other', credentialsRejected: true });
  });

  it('S3 REST-XML NoSuchBucket → absent', async () => {
    const { pool } = await poolFor(
      404,
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>',
      { 'content-type': 'application/xml' },
    );
    const c = classifyAwsError(await errorOf(pool.get(S3Client).send(new ListBucketsCommand({}))));
    expect(c.kind).toBe('absent');
  });
});

describe('ClientPool', () => {
  it('tags every call with tourniquet/<version> case/<id> and uses path-style S3 on a custom endpoint', async () => {
    const { pool, stub } = await poolFor(
      200,
      '<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>',
      {
        'content-type': 'application/xml',
      },
    );
    pool.caseId = 'tq-test-1';
    await pool.get(S3Client).send(new ListBucketsCommand({}));
    const ua = stub.requests[0]!.headers['user-agent'];
    expect(ua).toContain(`tourniquet/${VERSION} case/tq-test-1`);
    expect(stub.requests[0]!.headers.host).toMatch(/^127\.0\.0\.1:/);
  });

  it('a read-only pool sends reads and refuses anything else before it leaves the process', async () => {
    const stub = await startStub(() => ({
      status: 200,
      body: '<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>',
      headers: { 'content-type': 'application/xml' },
    }));
    closers.push(stub.close);
    const pool = await ClientPool.create(
      { region: 'us-east-1', endpointUrl: stub.url, credentials, maxAttempts: 1, readOnly: true },
      systemClock,
    );
    closers.push(() => Promise.resolve(pool.destroy()));
    await pool.get(S3Client).send(new ListBucketsCommand({}));
    await expect(
      pool
        .get(IAMClient)
        .send(new UpdateAccessKeyCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Inactive' })),
    ).rejects.toBeInstanceOf(WriteRefused);
    await expect(pool.get(S3Client).send(new DeleteBucketCommand({ Bucket: 'b' }))).rejects.toThrow(
      /DeleteBucket refused: this session may only read from AWS/,
    );
    expect(stub.requests).toHaveLength(1);
  });

  it('reuses one client per service and region', async () => {
    const pool = await ClientPool.create({ region: 'eu-west-1', credentials }, systemClock);
    closers.push(() => Promise.resolve(pool.destroy()));
    expect(pool.get(IAMClient)).toBe(pool.get(IAMClient));
    expect(pool.get(IAMClient, 'us-east-1')).not.toBe(pool.get(IAMClient));
    expect(await pool.get(IAMClient).config.region()).toBe('eu-west-1');
  });

  it('records the caller identity', async () => {
    const { pool } = await poolFor(
      200,
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/responder</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
    );
    expect(await callerIdentity(pool)).toEqual({
      arn: 'arn:aws:iam::111122223333:user/responder',
      account: '111122223333',
      userId: 'AIDAEXAMPLE',
    });
  });

  it('falls back to the default region list and says why when DescribeRegions is denied', async () => {
    const { pool } = await poolFor(
      403,
      '<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>',
    );
    const result = await enabledRegions(pool);
    expect(result.source).toBe('fallback');
    expect(result.regions).toEqual([...FALLBACK_REGIONS]);
    expect(result.reason).toMatch(/UnauthorizedOperation/);
  });

  it('reads enabled regions from DescribeRegions', async () => {
    const { pool } = await poolFor(
      200,
      '<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><regionInfo><item><regionName>eu-west-1</regionName><regionEndpoint>x</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item><item><regionName>us-east-1</regionName><regionEndpoint>x</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item><item><regionName>af-south-1</regionName><regionEndpoint>x</regionEndpoint><optInStatus>not-opted-in</optInStatus></item></regionInfo></DescribeRegionsResponse>',
    );
    expect(await enabledRegions(pool)).toEqual({
      regions: ['eu-west-1', 'us-east-1'],
      disabled: ['af-south-1'],
      source: 'DescribeRegions',
    });
  });
});

describe('paginate', () => {
  it('follows tokens to the end', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = {
      '': { items: [1, 2], next: 'a' },
      a: { items: [3], next: 'b' },
      b: { items: [4] },
    };
    const first: { Marker?: string } = {};
    const items = await collectAll({
      send: (input: { Marker?: string }) => Promise.resolve(pages[input.Marker ?? '']!),
      input: first,
      inputToken: 'Marker',
      nextToken: (p) => p.next,
      items: (p) => p.items,
    });
    expect(items).toEqual([1, 2, 3, 4]);
  });
});
