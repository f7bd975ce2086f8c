import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand, type LookupAttributeKey } from '@aws-sdk/client-cloudtrail';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { createUserWithKey, startSim, VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import { main } from '../main.js';
import { containCommand } from './contain.js';
import { COMMANDS } from './index.js';
import { triageCommand } from './triage.js';

const WITH_OURS = [
  ...COMMANDS.filter((c) => c.name !== 'triage' && c.name !== 'contain'),
  triageCommand,
  containCommand,
];

/** Credentials of one actor of a test. */
export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** A simulated account with an admin responder (set up in-process, as the README says). */
export async function simWithResponder(): Promise<{ sim: RunningSim; responder: Creds }> {
  // The tool spaces its own LookupEvents (2/s per region); the checks the tests make in between
  // are not rate-limited, so the account allows them more than AWS would, to keep tests quick.
  const sim = await startSim({ port: 0, seed: 6, lookupEventsPerSecond: 20 });
  const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: [ADMIN] });
  return { sim, responder: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } };
}

export function iam(endpoint: string, creds: Creds): IAMClient {
  return new IAMClient({ region: 'us-east-1', endpoint, credentials: creds, maxAttempts: 1 });
}
export function sts(endpoint: string, creds: Creds): STSClient {
  return new STSClient({ region: 'us-east-1', endpoint, credentials: creds, maxAttempts: 1 });
}

/** The victim: a user made by the responder through the SDK, with a key the attacker holds. */
export async function victimUser(
  endpoint: string,
  responder: Creds,
  name: string,
  options: { admin?: boolean; password?: boolean } = {},
): Promise<{ arn: string; key: Creds }> {
  const client = iam(endpoint, responder);
  const user = await client.send(new CreateUserCommand({ UserName: name }));
  await client.send(
    new AttachUserPolicyCommand({
      UserName: name,
      PolicyArn: options.admin === false ? 'arn:aws:iam::aws:policy/ReadOnlyAccess' : ADMIN,
    }),
  );
  if (options.password)
    await client.send(
      new CreateLoginProfileCommand({
        UserName: name,
        Password: 'Attacker-Chosen-Pa55word!',
        PasswordResetRequired: false,
      }),
    );
  const key = await client.send(new CreateAccessKeyCommand({ UserName: name }));
  return {
    arn: user.User!.Arn!,
    key: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! },
  };
}

/** A role the victim user may assume. */
export async function deployRole(
  endpoint: string,
  responder: Creds,
  trusted: string,
  name = 'deploy',
): Promise<string> {
  const client = iam(endpoint, responder);
  const role = await client.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: trusted }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await client.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: ADMIN }));
  return role.Role!.Arn!;
}

function credsOf(
  c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined,
): Creds {
  return {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
}

/** What an attacker holding the key does to stay in: sessions that outlive the key. */
export async function attackerSessions(endpoint: string, key: Creds, roleArn?: string) {
  const client = sts(endpoint, key);
  const session = credsOf(
    (await client.send(new GetSessionTokenCommand({ DurationSeconds: 3600 }))).Credentials,
  );
  const federated = credsOf(
    (
      await client.send(
        new GetFederationTokenCommand({
          Name: 'backup',
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
          }),
        }),
      )
    ).Credentials,
  );
  const role = roleArn
    ? credsOf(
        (await client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'attacker-session' })))
          .Credentials,
      )
    : undefined;
  return { session, federated, role };
}

/**
 * What an attacker's credential can still do: EC2 DescribeInstances (IAM refuses calls from
 * GetSessionToken sessions without MFA and from federation sessions, as AWS does, so IAM is not
 * a fair probe). Returns `ok` or the error code.
 */
export function probe(endpoint: string, creds: Creds): Promise<string> {
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint, credentials: creds, maxAttempts: 1 });
  return outcome(() => ec2.send(new DescribeInstancesCommand({})));
}

/** AssumeRole with any credentials (role chaining, cross-account). */
export async function assumeRole(
  endpoint: string,
  creds: Creds,
  roleArn: string,
  session = 'attacker-chain',
): Promise<Creds> {
  return credsOf(
    (await sts(endpoint, creds).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session })))
      .Credentials,
  );
}

/** The AWS error code of a call, or `ok`. */
export async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return (error as { name?: string }).name ?? 'error';
  }
}

/** Error codes CloudTrail recorded for calls signed by a key (newest first). */
export async function recordedErrors(endpoint: string, responder: Creds, key: string): Promise<string[]> {
  return (await lookup(endpoint, responder, 'AccessKeyId', key)).map((e) => e.errorCode ?? 'ok');
}

export async function lookup(
  endpoint: string,
  responder: Creds,
  attribute: LookupAttributeKey,
  value: string,
) {
  // The account allows 2 LookupEvents per second, as AWS does; a test reading several keys in a
  // row (on a busy machine, with other tests' calls) is throttled and must retry, like any client.
  const ct = new CloudTrailClient({
    region: 'us-east-1',
    endpoint,
    credentials: responder,
    maxAttempts: 10,
    retryMode: 'adaptive',
  });
  const out = await ct.send(
    new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: attribute, AttributeValue: value }],
      MaxResults: 50,
    }),
  );
  return (out.Events ?? []).map(
    (e) => JSON.parse(e.CloudTrailEvent!) as { eventName: string; errorCode?: string; userAgent?: string },
  );
}

/**
 * Run the CLI in-process as the given credentials; returns exit code, stdout and stderr. The tool
 * keeps LookupEvents to `lookupRate` calls a second (the fixture's accounts allow 20; AWS's 2 for
 * a test that needs a collection still under way when it interrupts it).
 */
export async function cli(args: string[], endpoint: string, creds: Creds, cwd: string, lookupRate = 20) {
  let out = '';
  let err = '';
  const saved = { ...process.env };
  // The SDK's default chain reads the process environment; main() builds its pool from it.
  process.env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
  if (creds.sessionToken) process.env.AWS_SESSION_TOKEN = creds.sessionToken;
  else delete process.env.AWS_SESSION_TOKEN;
  process.env.AWS_CONFIG_FILE = join(cwd, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(cwd, 'no-credentials');
  try {
    const code = await main(
      [...args, '--endpoint-url', endpoint, '--region', 'us-east-1'],
      {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (err += s) },
        env: {
          ...process.env,
          TOURNIQUET_CASES: join(cwd, 'cases'),
          TOURNIQUET_LOOKUP_RATE: String(lookupRate),
        },
        cwd,
      },
      WITH_OURS,
    );
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tq-contain-'));
}
