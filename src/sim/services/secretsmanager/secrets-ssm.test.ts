import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { EXTERNAL_ACCOUNT, VICTIM_ACCOUNT } from '../../state.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';
import { createUserWithKey } from '../iam/entities.js';

let sim: RunningSim;
let admin: Creds;
let outsider: Creds;

beforeAll(async () => {
  sim = await startSim({ seed: 8, clock: new SimClock({ start: '2026-06-01T09:00:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  outsider = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'mallory', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
});
afterAll(() => sim.stop());

const events = (name: string) =>
  sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events.filter((e) => e.eventName === name);

describe('Secrets Manager', () => {
  it('keeps versions, rotation markers and a resource policy that governs cross-account reads', async () => {
    const sm = new SecretsManagerClient(sdkConfig(sim, admin));
    const created = await sm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: 's3cret-1' }));
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:${VICTIM_ACCOUNT}:secret:prod/db-[A-Za-z0-9]{6}$`),
    );
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))).SecretString).toBe('s3cret-1');
    await sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: 's3cret-2' }));
    const value = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(value.SecretString).toBe('s3cret-2');
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'AWSPREVIOUS' })))
        .SecretString,
    ).toBe('s3cret-1');
    sim.clock.advance(86_400_000);
    await sm.send(
      new RotateSecretCommand({ SecretId: 'prod/db', RotationRules: { AutomaticallyAfterDays: 30 } }),
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }));
    expect(d.RotationEnabled).toBe(true);
    expect(d.LastRotatedDate?.toISOString()).toBe('2026-06-02T09:00:00.000Z');
    expect(d.LastAccessedDate?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect((await sm.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).toEqual(['prod/db']);

    // Another account needs both its own permission and the secret's resource policy.
    const theirs = new SecretsManagerClient(sdkConfig(sim, outsider));
    await expect(theirs.send(new GetSecretValueCommand({ SecretId: created.ARN }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await sm.send(
      new PutResourcePolicyCommand({
        SecretId: 'prod/db',
        ResourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${EXTERNAL_ACCOUNT}:root` },
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
            },
          ],
        }),
      }),
    );
    expect((await sm.send(new GetResourcePolicyCommand({ SecretId: 'prod/db' }))).ResourcePolicy).toContain(
      EXTERNAL_ACCOUNT,
    );
    expect((await theirs.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString).toMatch(
      /^rotated-/,
    );

    const [createEvent] = events('CreateSecret');
    expect(createEvent?.responseElements).toMatchObject({ aRN: created.ARN, name: 'prod/db' });
    expect(JSON.stringify(sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events)).not.toContain(
      's3cret',
    );
    expect(events('GetSecretValue')[0]).toMatchObject({
      requestParameters: { secretId: 'prod/db' },
      responseElements: null,
      readOnly: true,
    });
  });

  it('answers the AWS CLI', async () => {
    const r = await runAws(sim, admin, [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'prod/db',
      '--query',
      'SecretString',
      '--output',
      'text',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^rotated-/);
  });
});

describe('SSM Parameter Store', () => {
  it('returns SecureString values encrypted unless WithDecryption, and hides values from CloudTrail', async () => {
    const ssm = new SSMClient(sdkConfig(sim, admin));
    await ssm.send(
      new PutParameterCommand({ Name: '/app/db-password', Type: 'SecureString', Value: 'hunter2' }),
    );
    await ssm.send(new PutParameterCommand({ Name: '/app/db-host', Type: 'String', Value: 'db.internal' }));
    const enc = await ssm.send(new GetParameterCommand({ Name: '/app/db-password' }));
    expect(enc.Parameter?.Value).not.toBe('hunter2');
    const dec = await ssm.send(
      new GetParametersCommand({
        Names: ['/app/db-password', '/app/db-host', '/app/missing'],
        WithDecryption: true,
      }),
    );
    expect(dec.Parameters?.map((p) => p.Value)).toEqual(['hunter2', 'db.internal']);
    expect(dec.InvalidParameters).toEqual(['/app/missing']);
    await expect(
      ssm.send(new PutParameterCommand({ Name: '/app/db-host', Type: 'String', Value: 'x' })),
    ).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    await expect(ssm.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    expect(events('GetParameters')[0]?.requestParameters).toMatchObject({
      names: ['/app/db-password', '/app/db-host', '/app/missing'],
      withDecryption: true,
    });
    expect(JSON.stringify(events('PutParameter'))).not.toContain('hunter2');
    const r = await runAws(sim, admin, [
      'ssm',
      'get-parameter',
      '--name',
      '/app/db-password',
      '--with-decryption',
      '--query',
      'Parameter.Value',
      '--output',
      'text',
    ]);
    expect(r.stdout.trim()).toBe('hunter2');
  });
});
