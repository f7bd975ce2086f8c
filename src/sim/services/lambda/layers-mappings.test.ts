import {
  AddLayerVersionPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteLayerVersionCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListLayerVersionsCommand,
  ListLayersCommand,
  PublishLayerVersionCommand,
  RemoveLayerVersionPermissionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_ACCOUNT, SimClock, VICTIM_ACCOUNT, startSim, type RunningSim } from '../../index.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';
import { createUserWithKey } from '../iam/entities.js';
import { zipOneFile } from './zip.js';

const ROLE = `arn:aws:iam::${VICTIM_ACCOUNT}:role/app`;
const QUEUE = `arn:aws:sqs:us-east-1:${VICTIM_ACCOUNT}:orders`;
const SLOW = 240_000;

let sim: RunningSim;
let admin: Creds;

beforeAll(async () => {
  sim = await startSim({ seed: 21, clock: new SimClock({ start: '2026-03-01T10:00:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
});
afterAll(() => sim.stop());

const lambda = () => new LambdaClient(sdkConfig(sim, admin));
const events = (name: string) =>
  sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events.filter((e) => e.eventName === name);

async function createFunction(name: string) {
  await lambda().send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'python3.12',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: zipOneFile('index.py', 'def handler(e, c):\n    return 1\n') },
    }),
  );
}

describe('Lambda layers and event source mappings through the SDK', () => {
  it('numbers layer versions without reuse, shares one with everyone, and deletes it', async () => {
    const client = lambda();
    const publish = () =>
      client.send(
        new PublishLayerVersionCommand({
          LayerName: 'telemetry',
          Content: { ZipFile: zipOneFile('ext/run', '#!/bin/sh\n') },
          CompatibleRuntimes: ['python3.12'],
        }),
      );
    expect((await publish()).Version).toBe(1);
    expect((await publish()).Version).toBe(2);
    await client.send(new DeleteLayerVersionCommand({ LayerName: 'telemetry', VersionNumber: 2 }));
    expect((await publish()).Version).toBe(3);
    const versions = await client.send(new ListLayerVersionsCommand({ LayerName: 'telemetry' }));
    expect(versions.LayerVersions?.map((v) => v.Version)).toEqual([3, 1]);
    const layers = await client.send(new ListLayersCommand({}));
    expect(layers.Layers?.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version])).toEqual([
      ['telemetry', 3],
    ]);
    await expect(
      client.send(new GetLayerVersionPolicyCommand({ LayerName: 'telemetry', VersionNumber: 3 })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const added = await client.send(
      new AddLayerVersionPermissionCommand({
        LayerName: 'telemetry',
        VersionNumber: 3,
        StatementId: 'everyone',
        Action: 'lambda:GetLayerVersion',
        Principal: '*',
      }),
    );
    expect(JSON.parse(added.Statement ?? '{}')).toMatchObject({
      Principal: '*',
      Action: 'lambda:GetLayerVersion',
    });
    await client.send(
      new AddLayerVersionPermissionCommand({
        LayerName: 'telemetry',
        VersionNumber: 3,
        StatementId: 'partner',
        Action: 'lambda:GetLayerVersion',
        Principal: EXTERNAL_ACCOUNT,
      }),
    );
    const policy = await client.send(
      new GetLayerVersionPolicyCommand({ LayerName: 'telemetry', VersionNumber: 3 }),
    );
    expect(
      (JSON.parse(policy.Policy ?? '{}') as { Statement: { Principal: unknown }[] }).Statement.map(
        (s) => s.Principal,
      ),
    ).toEqual(['*', { AWS: `arn:aws:iam::${EXTERNAL_ACCOUNT}:root` }]);
    await client.send(
      new RemoveLayerVersionPermissionCommand({
        LayerName: 'telemetry',
        VersionNumber: 3,
        StatementId: 'everyone',
      }),
    );
    const got = await client.send(new GetLayerVersionCommand({ LayerName: 'telemetry', VersionNumber: 3 }));
    expect(got.LayerVersionArn).toBe(`arn:aws:lambda:us-east-1:${VICTIM_ACCOUNT}:layer:telemetry:3`);
    expect(events('AddLayerVersionPermission20181031')[0]).toMatchObject({
      readOnly: false,
      requestParameters: {
        layerName: 'telemetry',
        versionNumber: '3',
        statementId: 'everyone',
        principal: '*',
      },
    });
    expect(events('GetLayerVersionPolicy20181031').at(-1)).toMatchObject({ readOnly: true });
  });

  it('maps a queue to a function, lists it by function, pages functions and keeps environment names', async () => {
    const client = lambda();
    for (const name of ['worker', 'api', 'cron']) await createFunction(name);
    const created = await client.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'worker', EventSourceArn: QUEUE }),
    );
    expect(created).toMatchObject({ State: 'Creating', BatchSize: 10, EventSourceArn: QUEUE });
    await expect(
      client.send(new CreateEventSourceMappingCommand({ FunctionName: 'worker', EventSourceArn: QUEUE })),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' });
    const listed = await client.send(new ListEventSourceMappingsCommand({ FunctionName: 'worker' }));
    expect(listed.EventSourceMappings?.map((m) => [m.UUID, m.State])).toEqual([[created.UUID, 'Enabled']]);
    expect(
      (await client.send(new ListEventSourceMappingsCommand({ FunctionName: 'api' }))).EventSourceMappings,
    ).toEqual([]);
    const one = await client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    expect(one.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${VICTIM_ACCOUNT}:function:worker`);
    expect(events('CreateEventSourceMapping20150331')[0]?.requestParameters).toMatchObject({
      functionName: 'worker',
      eventSourceArn: QUEUE,
    });
    await client.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    await expect(client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).rejects.toMatchObject(
      {
        name: 'ResourceNotFoundException',
      },
    );

    const first = await client.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(first.Functions?.map((f) => f.FunctionName)).toEqual(['api', 'cron']);
    const rest = await client.send(new ListFunctionsCommand({ MaxItems: 2, Marker: first.NextMarker }));
    expect(rest.Functions?.map((f) => f.FunctionName)).toEqual(['worker']);
    expect(rest.NextMarker).toBeUndefined();

    await client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'api',
        Environment: { Variables: { EXFIL_URL: 'https://203.0.113.5/c', TOKEN: 's3cr3t' } },
      }),
    );
    const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'api' }));
    expect(Object.keys(config.Environment?.Variables ?? {})).toEqual(['EXFIL_URL', 'TOKEN']);
    expect(JSON.stringify(sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events)).not.toContain(
      's3cr3t',
    );
  });
});

describe('Lambda layers and event source mappings through /usr/bin/aws', () => {
  it(
    'publishes, shares, lists and deletes a layer, and maps a stream to a function',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tq-layer-'));
      writeFileSync(join(dir, 'layer.zip'), zipOneFile('python/x.py', 'X = 1\n'));
      const cli = async (args: string[]) => {
        const out = await runAws(sim, admin, args);
        expect(out.stderr).toBe('');
        return out.stdout ? (JSON.parse(out.stdout) as Record<string, unknown>) : {};
      };
      const published = await cli([
        'lambda',
        'publish-layer-version',
        '--layer-name',
        'cli-layer',
        '--zip-file',
        `fileb://${join(dir, 'layer.zip')}`,
      ]);
      expect(published.Version).toBe(1);
      await cli([
        'lambda',
        'add-layer-version-permission',
        '--layer-name',
        'cli-layer',
        '--version-number',
        '1',
        '--statement-id',
        'all',
        '--action',
        'lambda:GetLayerVersion',
        '--principal',
        '*',
      ]);
      const policy = await cli([
        'lambda',
        'get-layer-version-policy',
        '--layer-name',
        'cli-layer',
        '--version-number',
        '1',
      ]);
      expect(String(policy.Policy)).toContain('"Principal":"*"');
      const versions = (await cli(['lambda', 'list-layer-versions', '--layer-name', 'cli-layer'])) as {
        LayerVersions: { Version: number }[];
      };
      expect(versions.LayerVersions.map((v) => v.Version)).toEqual([1]);
      await cli(['lambda', 'delete-layer-version', '--layer-name', 'cli-layer', '--version-number', '1']);
      const after = (await cli(['lambda', 'list-layers'])) as { Layers: { LayerName: string }[] };
      expect(after.Layers.map((l) => l.LayerName)).not.toContain('cli-layer');

      await createFunction('stream-reader');
      const stream = `arn:aws:kinesis:us-east-1:${VICTIM_ACCOUNT}:stream/clicks`;
      const mapping = await cli([
        'lambda',
        'create-event-source-mapping',
        '--function-name',
        'stream-reader',
        '--event-source-arn',
        stream,
        '--starting-position',
        'LATEST',
      ]);
      expect(mapping).toMatchObject({ BatchSize: 100, StartingPosition: 'LATEST', State: 'Creating' });
      const listed = (await cli(['lambda', 'list-event-source-mappings', '--event-source-arn', stream])) as {
        EventSourceMappings: { UUID: string }[];
      };
      expect(listed.EventSourceMappings.map((m) => m.UUID)).toEqual([mapping.UUID]);
      await cli(['lambda', 'delete-event-source-mapping', '--uuid', String(mapping.UUID)]);
    },
    SLOW,
  );
});
