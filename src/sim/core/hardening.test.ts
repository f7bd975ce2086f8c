import { readFileSync } from 'node:fs';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { BuildMiddleware, MetadataBearer } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../index.js';
import { createUserWithKey } from '../services/iam/entities.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { sdkConfig, type Creds } from '../test-support/aws.js';
import { MAX_BODY_BYTES } from './server.js';

let sim: RunningSim;
let admin: Creds;
beforeAll(async () => {
  sim = await startSim({ seed: 'hardening' });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
});
afterAll(() => sim.stop());

const alive = async (): Promise<void> => {
  const who = await new STSClient(sdkConfig(sim, admin)).send(new GetCallerIdentityCommand({}));
  expect(who.Account).toBe(VICTIM_ACCOUNT);
};

/** A client whose request body is replaced before signing: a validly signed malformed request. */
function withBody<C extends { middlewareStack: object }>(client: C, body: string): C {
  type Stack = { add: (m: BuildMiddleware<object, MetadataBearer>, o: object) => void };
  (client.middlewareStack as Stack).add(
    (next) => (args) => {
      const request = args.request as { body?: unknown; headers: Record<string, string> };
      request.body = body;
      request.headers['content-length'] = String(Buffer.byteLength(body));
      delete request.headers['content-md5'];
      return next(args);
    },
    { step: 'build', priority: 'low' },
  );
  return client;
}

describe('the simulated account server', () => {
  it('listens on loopback only', () => {
    const hexPort = sim.port.toString(16).toUpperCase().padStart(4, '0');
    const listening = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A'); // 0A = LISTEN
    expect(listening.map((f) => f[1])).toEqual([`0100007F:${hexPort}`]); // 127.0.0.1
    expect(new URL(sim.endpoint).hostname).toBe('127.0.0.1');
  });

  it('refuses a signature dated more than 15 minutes ahead of its clock, and accepts 14 minutes', async () => {
    const behind = async (ms: number) => {
      sim.state.wallClock = () => Date.now() - ms;
      try {
        return await new STSClient({ ...sdkConfig(sim, admin), systemClockOffset: 0 }).send(
          new GetCallerIdentityCommand({}),
        );
      } finally {
        sim.state.wallClock = Date.now;
      }
    };
    await expect(behind(16 * 60_000)).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      message: expect.stringContaining('Signature not yet current') as unknown,
    });
    await expect(behind(14 * 60_000)).resolves.toMatchObject({ Account: VICTIM_ACCOUNT });
  });

  it('answers no web page: a request with Origin and a CORS preflight get 403 and no Access-Control header', async () => {
    const fromPage = await fetch(sim.endpoint, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const preflight = await fetch(sim.endpoint, {
      method: 'OPTIONS',
      headers: { 'access-control-request-method': 'POST' },
    });
    for (const r of [fromPage, preflight]) {
      expect(r.status).toBe(403);
      expect([...r.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('refuses a body over the bound with 413 and keeps serving', async () => {
    const big = await fetch(sim.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x61),
    }).catch((error: unknown) => error);
    // The server may close the socket while the client still sends: either is a refusal.
    if (big instanceof Response) expect(big.status).toBe(413);
    else expect(String(big)).toMatch(/fetch failed|socket|ECONNRESET|EPIPE/i);
    await alive();
  });

  it.each([
    ['truncated JSON', '{"LookupAttributes": ['],
    ['deeply nested JSON', '['.repeat(200_000)],
    ['not JSON at all', '\u0000\u00ff<xml/>'],
  ])('answers a signed request with %s with a client error, at once, and keeps serving', async (_, body) => {
    const started = Date.now();
    const ct = withBody(new CloudTrailClient(sdkConfig(sim, admin)), body);
    const error = (await ct.send(new LookupEventsCommand({})).catch((e: unknown) => e)) as {
      $metadata?: { httpStatusCode?: number };
    };
    expect(error.$metadata?.httpStatusCode).toBeGreaterThanOrEqual(400);
    expect(error.$metadata?.httpStatusCode).toBeLessThan(500);
    expect(Date.now() - started).toBeLessThan(5_000);
    await alive();
  });

  it.each([
    ['truncated XML', '<Tagging><TagSet><Tag><Key>a'],
    [
      'an entity expansion bomb',
      '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">' +
        '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>' +
        '<Tagging><TagSet><Tag><Key>k</Key><Value>&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;</Value></Tag></TagSet></Tagging>',
    ],
  ])('answers a signed S3 request with %s without hanging, and keeps serving', async (_, body) => {
    const s3 = new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'xml-bomb' })).catch(() => undefined);
    const started = Date.now();
    const bad = withBody(new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true }), body);
    const result = await bad
      .send(new PutBucketTaggingCommand({ Bucket: 'xml-bomb', Tagging: { TagSet: [] } }))
      .catch((e: unknown) => e as { $metadata?: { httpStatusCode?: number } });
    const status = result.$metadata?.httpStatusCode;
    expect(status).toBeLessThan(500);
    expect(Date.now() - started).toBeLessThan(5_000);
    await alive();
  });
});
