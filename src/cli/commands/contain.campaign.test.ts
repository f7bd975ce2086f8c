import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SESClient, SendEmailCommand, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import { approveSms } from '../../sim/services/sns/sms.js';
import { cli, iam, simWithResponder, tempDir, victimUser, type Creds } from './contain.fixture.js';

const run = promisify(execFile);
const BUCKET = 'prod-data';
const OWN_STATEMENT = {
  Sid: 'OwnersRead',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};

let sim: RunningSim;
let responder: Creds;
let caseDir: string;
let cwd: string;
let plan: { code: number; out: string; err: string };
let applied: { code: number; out: string; err: string };

/** The official AWS CLI against the simulator, with the responder's credentials. */
async function aws(...args: string[]): Promise<unknown> {
  const { stdout } = await run(
    '/usr/bin/aws',
    [...args, '--endpoint-url', sim.endpoint, '--output', 'json'],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: responder.accessKeyId,
        AWS_SECRET_ACCESS_KEY: responder.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(cwd, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'no-credentials'),
      },
    },
  );
  return JSON.parse(stdout || '{}') as unknown;
}

const s3 = () =>
  new S3Client({
    region: 'us-east-1',
    endpoint: sim.endpoint,
    forcePathStyle: true,
    credentials: responder,
    maxAttempts: 1,
  });

const SSE_C = {
  SSECustomerAlgorithm: 'AES256',
  SSECustomerKey: Buffer.alloc(32, 7).toString('base64'),
};

beforeAll(async () => {
  ({ sim, responder } = await simWithResponder());
  cwd = tempDir();
  caseDir = join(cwd, 'case');
  await victimUser(sim.endpoint, responder, 'mailer');
  // The account texts for real: out of the sandbox, a USD 500 limit (what the attacker raises).
  approveSms(sim.state, VICTIM_ACCOUNT, 'us-east-1', { spendQuotaUsd: 1000, monthlySpendLimit: 500 });
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: BUCKET,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [OWN_STATEMENT] }),
    }),
  );
  expect((await cli(['triage', 'mailer', '--case', caseDir], sim.endpoint, responder, cwd)).code).toBe(0);
  const campaign = [
    ...['llmjacking', 'ses-spam', 'sms-pumping', 's3-ransomware'].flatMap((c) => ['--campaign', c]),
    ...['--campaign-region', 'us-east-1', '--bucket', BUCKET],
  ];
  plan = await cli(['contain', '--case', caseDir, ...campaign], sim.endpoint, responder, cwd);
  applied = await cli(['contain', '--case', caseDir, '--apply', ...campaign], sim.endpoint, responder, cwd);
}, 60_000);
afterAll(() => sim.stop());

describe('contain --campaign: campaign containment as plan steps', () => {
  it('shows each campaign step in the plan and changes nothing before --apply', () => {
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toMatch(
      /user-deny-bedrock .*add inline TourniquetDenyBedrock \(Deny bedrock:\* on \*\)/,
    );
    expect(plan.out).toMatch(/pause-ses-sending .*us-east-1\/ses-sending .*SES sending enabled → paused/);
    expect(plan.out).toMatch(/lower-sms-spend-limit .*SMS MonthlySpendLimit USD 500 → 1/);
    expect(plan.out).toMatch(
      /refuse-sse-c .*prod-data .*add to the bucket policy: Deny s3:PutObject with an SSE-C key/,
    );
  });

  it('applies and verifies every step, keeping the prior state in the plan for undo', () => {
    expect(applied.code, applied.err + applied.out).toBe(0);
    const steps = (
      JSON.parse(readFileSync(join(caseDir, 'evidence', 'plans', 'contain-2.json'), 'utf8')) as {
        steps: { action: string; before: unknown }[];
      }
    ).steps;
    const before = (action: string) => steps.find((s) => s.action === action)?.before;
    expect(before('pause-ses-sending')).toEqual({ sendingEnabled: true });
    expect(before('lower-sms-spend-limit')).toMatchObject({ attributes: { MonthlySpendLimit: '500' } });
    expect(JSON.parse((before('refuse-sse-c') as { policy: string }).policy)).toEqual({
      Version: '2012-10-17',
      Statement: [OWN_STATEMENT],
    });
  });

  it('the bucket refuses an SSE-C upload, takes a plain one and keeps its own statement', async () => {
    const refused = await s3()
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x.enc', Body: 'ransom', ...SSE_C }))
      .then(
        () => 'accepted',
        (e: Error) => e.name,
      );
    expect(refused).toBe('AccessDenied');
    await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain.txt', Body: 'fine' }));
    const policy = JSON.parse((await s3().send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!) as {
      Statement: { Sid: string; Condition?: unknown }[];
    };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['OwnersRead', 'TourniquetDenySseC']);
    expect(policy.Statement[1]!.Condition).toEqual({
      Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' },
    });
  });

  it('SES refuses to send (AccountSendingPausedException), SMS spend is capped, Bedrock denied', async () => {
    const ses = new SESClient({
      region: 'us-east-1',
      endpoint: sim.endpoint,
      credentials: responder,
      maxAttempts: 1,
    });
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'owner@example.com' }));
    const sent = await ses
      .send(
        new SendEmailCommand({
          Source: 'owner@example.com',
          Destination: { ToAddresses: ['owner@example.com'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } },
        }),
      )
      .then(
        () => 'sent',
        (e: Error) => e.name,
      );
    expect(sent).toBe('AccountSendingPausedException');
    expect(await aws('ses', 'get-account-sending-enabled')).toEqual({ Enabled: false });
    expect(await aws('sns', 'get-sms-attributes', '--attributes', 'MonthlySpendLimit')).toEqual({
      attributes: { MonthlySpendLimit: '1' },
    });
    const policy = await iam(sim.endpoint, responder).send(
      new GetUserPolicyCommand({ UserName: 'mailer', PolicyName: 'TourniquetDenyBedrock' }),
    );
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toMatchObject({
      Statement: [{ Effect: 'Deny', Action: 'bedrock:*', Resource: '*' }],
    });
  });

  it('--undo puts the recorded prior state back', async () => {
    for (const step of ['pause-ses-sending', 'lower-sms-spend-limit', 'refuse-sse-c']) {
      const undone = await cli(['contain', '--case', caseDir, '--undo', step], sim.endpoint, responder, cwd);
      expect(undone.code, undone.err).toBe(0);
    }
    expect(await aws('ses', 'get-account-sending-enabled')).toEqual({ Enabled: true });
    expect(await aws('sns', 'get-sms-attributes', '--attributes', 'MonthlySpendLimit')).toEqual({
      attributes: { MonthlySpendLimit: '500' },
    });
    expect(await aws('s3api', 'get-bucket-policy', '--bucket', BUCKET)).toMatchObject({
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [OWN_STATEMENT] }),
    });
  });
});
