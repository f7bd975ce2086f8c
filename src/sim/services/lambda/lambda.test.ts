import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishLayerVersionCommand,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { zipOneFile } from './zip.js';
import { createUserWithKey } from '../iam/entities.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';

let sim: RunningSim;
let admin: Creds;
let reader: Creds;
const role = `arn:aws:iam::${VICTIM_ACCOUNT}:role/app`;

beforeAll(async () => {
  sim = await startSim({ seed: 3, clock: new SimClock({ start: '2026-03-01T10:00:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  reader = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'reader', {
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  }).key;
});
afterAll(() => sim.stop());

function events(name: string) {
  return sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events.filter((e) => e.eventName === name);
}

describe('Lambda over REST-JSON', () => {
  it('creates, lists, updates, exposes and deletes a function, recording AWS event names', async () => {
    const lambda = new LambdaClient(sdkConfig(sim, admin));
    const zip = zipOneFile('index.py', 'def handler(e, c):\n    return 1\n');
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'app',
        Runtime: 'python3.12',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zip },
        Environment: { Variables: { DB_PASSWORD: 'hunter2' } },
      }),
    );
    expect(created.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${VICTIM_ACCOUNT}:function:app`);
    expect(created.CodeSize).toBe(zip.length);
    const [create] = events('CreateFunction20150331');
    expect(create?.responseElements).toMatchObject({ functionName: 'app', environment: {} });
    expect(JSON.stringify(create)).not.toContain('hunter2');

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'app' }));
    const download = await fetch(got.Code!.Location!);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(zip)).toBe(true);
    expect(events('GetFunction20150331v2')).toHaveLength(1);
    sim.clock.advance(11 * 60_000);
    expect((await fetch(got.Code!.Location!)).status).toBe(403);

    const zip2 = zipOneFile('index.py', 'import os\ndef handler(e, c):\n    return os.environ\n');
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'app', ZipFile: zip2 }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'app', Timeout: 30 }));
    expect(events('UpdateFunctionCode20150331v2')).toHaveLength(1);
    expect(events('UpdateFunctionConfiguration20150331v2')[0]?.requestParameters).toMatchObject({
      functionName: 'app',
      timeout: 30,
    });

    const perm = await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'app',
        StatementId: 'public',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      }),
    );
    expect(JSON.parse(perm.Statement!)).toMatchObject({ Sid: 'public', Principal: '*' });
    const url = await lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'app', AuthType: 'NONE' }),
    );
    expect(url.FunctionUrl).toMatch(/^https:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws\/$/);
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'app' }));
    expect((JSON.parse(policy.Policy!) as { Statement: unknown[] }).Statement).toHaveLength(1);
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'app', StatementId: 'public' }));
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: 'app' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });

    const layer = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'ext',
        Content: { ZipFile: zip },
        CompatibleRuntimes: ['python3.12'],
      }),
    );
    expect(layer.LayerVersionArn).toBe(`arn:aws:lambda:us-east-1:${VICTIM_ACCOUNT}:layer:ext:1`);
    expect(events('PublishLayerVersion20181031')).toHaveLength(1);
    expect(events('CreateFunctionUrlConfig20211031')).toHaveLength(1);

    const list = await lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toEqual(['app']);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'app' }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'app' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('denies writes to a read-only user with AccessDeniedException, recorded with the error', async () => {
    const lambda = new LambdaClient(sdkConfig(sim, reader));
    await expect(
      lambda.send(
        new CreateFunctionCommand({ FunctionName: 'x', Role: role, Code: { ZipFile: zipOneFile('a', 'b') } }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(events('CreateFunction20150331').at(-1)?.errorCode).toBe('AccessDeniedException');
  });

  it('answers the AWS CLI, whose downloaded package unzips', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tq-lambda-'));
    const zipFile = join(dir, 'f.zip');
    writeFileSync(zipFile, zipOneFile('handler.js', 'exports.handler = async () => 42;\n'));
    const create = await runAws(sim, admin, [
      'lambda',
      'create-function',
      '--function-name',
      'cli-fn',
      '--runtime',
      'nodejs20.x',
      '--role',
      role,
      '--handler',
      'handler.handler',
      '--zip-file',
      `fileb://${zipFile}`,
    ]);
    expect(create.stderr).toBe('');
    const got = await runAws(sim, admin, [
      'lambda',
      'get-function',
      '--function-name',
      'cli-fn',
      '--query',
      'Code.Location',
      '--output',
      'text',
    ]);
    const body = Buffer.from(await (await fetch(got.stdout.trim())).arrayBuffer());
    writeFileSync(join(dir, 'down.zip'), body);
    expect(
      execFileSync('unzip', ['-p', join(dir, 'down.zip'), 'handler.js'], { encoding: 'utf8' }),
    ).toContain('42');
  });
});
