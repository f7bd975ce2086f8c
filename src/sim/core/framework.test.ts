import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, SimState, startSim, type RunningSim } from '../index.js';
import { createUserWithKey } from '../services/iam/entities.js';
import { SERVICES } from '../services/index.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { runAws, sdkConfig, type Creds } from '../test-support/aws.js';
import { SimError } from './errors.js';
import { respond } from './http.js';
import { defineService } from './service.js';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** node:crypto behind the SDK signer's hash interface. */
class Sha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {}
}

/** A restJson1 service declared in a few lines: the framework routes, authorizes, encodes and records it. */
const functions = defineService<{ fns: Record<string, { name: string; runtime: string }> }>({
  signingName: 'lambda',
  protocol: 'restJson',
  eventSource: 'lambda.amazonaws.com',
  apiVersion: '2015-03-31',
  endpointHost: (region) => `lambda.${region}.amazonaws.com`,
  initState: () => ({ fns: {} }),
  operations: {
    CreateFunction: {
      http: 'POST /2015-03-31/functions',
      eventName: 'CreateFunction20150331',
      handler(ctx) {
        const name = String(ctx.body.FunctionName);
        ctx.state.fns[name] = { name, runtime: String(ctx.body.Runtime) };
        return respond({
          status: 201,
          body: {
            FunctionName: name,
            FunctionArn: `arn:aws:lambda:${ctx.region}:${ctx.caller.accountId}:function:${name}`,
            Runtime: ctx.body.Runtime,
          },
        });
      },
    },
    GetFunction: {
      http: 'GET /2015-03-31/functions/{FunctionName}',
      eventName: 'GetFunction20150331v2',
      auth: {
        resource: (ctx) =>
          `arn:aws:lambda:${ctx.region}:${ctx.caller.accountId}:function:${ctx.pathParams.FunctionName}`,
      },
      handler(ctx) {
        const f = ctx.state.fns[ctx.pathParams.FunctionName ?? ''];
        if (!f)
          throw new SimError(
            'ResourceNotFoundException',
            `Function not found: ${ctx.pathParams.FunctionName}`,
            404,
          );
        return { Configuration: { FunctionName: f.name, Runtime: f.runtime } };
      },
    },
  },
});

let sim: RunningSim;
let admin: Creds;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tq-simfw-'));
  sim = await startSim({
    seed: 'fw',
    services: [...SERVICES, functions],
    clock: new SimClock({ start: '2026-06-01T12:00:00Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the framework', () => {
  it('serves a service declared as data (restJson1): routes, status codes, typed errors, CloudTrail event names', async () => {
    const lambda = new LambdaClient(sdkConfig(sim, admin, 'eu-west-1'));
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'backdoor',
        Runtime: 'python3.12',
        Role: 'arn:aws:iam::111122223333:role/x',
        Code: { ZipFile: new Uint8Array([1]) },
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.FunctionArn).toBe(`arn:aws:lambda:eu-west-1:${VICTIM_ACCOUNT}:function:backdoor`);
    expect(
      (await lambda.send(new GetFunctionCommand({ FunctionName: 'backdoor' }))).Configuration?.Runtime,
    ).toBe('python3.12');
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'powerless');
    await expect(
      new LambdaClient(sdkConfig(sim, key, 'eu-west-1')).send(
        new GetFunctionCommand({ FunctionName: 'backdoor' }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    const names = sim.state
      .account(VICTIM_ACCOUNT)!
      .cloudtrail.events.filter((e) => e.eventSource === 'lambda.amazonaws.com')
      .map((e) => [e.eventName, e.awsRegion, e.errorCode ?? null]);
    expect(names).toEqual([
      ['CreateFunction20150331', 'eu-west-1', null],
      ['GetFunction20150331v2', 'eu-west-1', null],
      ['GetFunction20150331v2', 'eu-west-1', 'ResourceNotFoundException'],
      ['GetFunction20150331v2', 'eu-west-1', 'AccessDeniedException'],
    ]);
  });

  it('accepts presigned query-string signatures (STS GET, and an S3 URL from `aws s3 presign`) and rejects tampered ones', async () => {
    const signer = new SignatureV4({
      service: 'sts',
      region: 'eu-north-1',
      credentials: admin,
      sha256: Sha256,
    });
    const url = new URL(sim.endpoint);
    const request = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host },
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      },
      { expiresIn: 300 },
    );
    const qs = new URLSearchParams(request.query as Record<string, string>).toString();
    const ok = await fetch(`${sim.endpoint}/?${qs}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(`<Arn>arn:aws:iam::${VICTIM_ACCOUNT}:user/admin</Arn>`);
    const bad = await fetch(`${sim.endpoint}/?${qs.replace('GetCallerIdentity', 'GetAccessKeyInfo')}`);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');

    const s3 = new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'shared-files' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'shared-files', Key: 'report 1.txt', Body: 'quarterly numbers' }),
    );
    const presigned = await runAws(sim, admin, [
      's3',
      'presign',
      's3://shared-files/report 1.txt',
      '--expires-in',
      '600',
    ]);
    expect(presigned.code).toBe(0);
    const got = await fetch(presigned.stdout.trim());
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('quarterly numbers');
  });

  it("rejects an unknown or inactive key with each protocol's code (S3: InvalidAccessKeyId)", async () => {
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'soon-inactive', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    });
    const s3 = (c: Creds) => new S3Client({ ...sdkConfig(sim, c), forcePathStyle: true });
    await expect(s3(key).send(new ListBucketsCommand({}))).resolves.toBeDefined();
    sim.state.account(VICTIM_ACCOUNT)!.iam.accessKeys[key.accessKeyId]!.status = 'Inactive';
    await expect(s3(key).send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      s3({ accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x'.repeat(40) }).send(
        new ListBucketsCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
  });

  it('answers unsigned, mis-scoped and stale requests with the errors AWS gives', async () => {
    const unsigned = await fetch(sim.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    // A signature scoped to another service than the one routed to.
    const signer = new SignatureV4({
      service: 'sts',
      region: 'us-east-1',
      credentials: admin,
      sha256: Sha256,
    });
    const url = new URL(sim.endpoint);
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'CloudTrail_20131101.LookupEvents',
      },
      body: '{}',
    });
    const wrong = await fetch(sim.endpoint, { method: 'POST', headers: signed.headers, body: '{}' });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(await wrong.text()).toContain("Credential should be scoped to correct service: 'cloudtrail'");
    const skewed = await startSim({ seed: 'fw2', state: sim.state, realNow: () => Date.now() + 3600_000 });
    try {
      await expect(
        new STSClient({ ...sdkConfig(skewed, admin), systemClockOffset: 0 }).send(
          new GetCallerIdentityCommand({}),
        ),
      ).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
        message: expect.stringContaining('Signature expired') as unknown,
      });
    } finally {
      await skewed.stop();
      sim.state.wallClock = Date.now; // the state is shared with the main simulator
    }
  });

  it('records the socket address, or the apparent IP set in-process for a key (never a header), and evaluates aws:SourceIp on it', async () => {
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'office-only', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      inlinePolicies: {
        office: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: '*',
              Resource: '*',
              Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '192.0.2.0/24'] } },
            },
          ],
        },
      },
    });
    const iam = new IAMClient({ ...sdkConfig(sim, key), customUserAgent: 'drill/1.0' });
    iam.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-forwarded-for'] = '203.0.113.66';
        return next(args);
      },
      { step: 'build' },
    );
    await expect(iam.send(new ListUsersCommand({}))).resolves.toBeDefined();
    sim.state.setApparentIp(key.accessKeyId, '203.0.113.66');
    await expect(iam.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    const mine = sim.state
      .account(VICTIM_ACCOUNT)!
      .cloudtrail.events.filter((e) => (e.userIdentity as { userName?: string }).userName === 'office-only');
    expect(mine.map((e) => [e.sourceIPAddress, e.errorCode ?? 'ok'])).toEqual([
      ['127.0.0.1', 'ok'],
      ['203.0.113.66', 'AccessDenied'],
    ]);
    expect(mine[0]!.userAgent).toContain('drill/1.0');
  });

  it('is deterministic under a seed and resumes from a saved state file', async () => {
    const a = SimState.create({ seed: 7, clock: new SimClock({ start: 0, frozen: true }) });
    const b = SimState.create({ seed: 7, clock: new SimClock({ start: 0, frozen: true }) });
    const ka = createUserWithKey(a, VICTIM_ACCOUNT, 'u').key;
    const kb = createUserWithKey(b, VICTIM_ACCOUNT, 'u').key;
    expect(ka).toEqual(kb);
    expect(createUserWithKey(SimState.create({ seed: 8 }), VICTIM_ACCOUNT, 'u').key.accessKeyId).not.toBe(
      ka.accessKeyId,
    );

    const file = join(dir, 'state.json');
    a.clock.advance(42_000);
    a.save(file);
    const loaded = SimState.load(file);
    expect(loaded.clock.now().toISOString()).toBe('1970-01-01T00:00:42.000Z');
    expect(loaded.clock.isFrozen()).toBe(true);
    // The id counter continues where it stopped: no id is handed out twice.
    expect(loaded.ids.iamId('AKIA')).toBe(b.ids.iamId('AKIA'));
    const resumed = await startSim({ state: SimState.load(file) });
    try {
      const id = await new STSClient(sdkConfig(resumed, ka)).send(new GetCallerIdentityCommand({}));
      expect(id.Arn).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:user/u`);
    } finally {
      await resumed.stop();
    }
  });
});
