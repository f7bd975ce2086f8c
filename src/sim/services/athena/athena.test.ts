import { gunzipSync } from 'node:zlib';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../../index.js';
import { runAws, runShell, sdkConfig } from '../../test-support/aws.js';

let sim: RunningSim;
let admin: { accessKeyId: string; secretAccessKey: string };
let athena: AthenaClient;
let s3: S3Client;
/** eu-west-1's delivered trail objects: key → size, and their event ids. */
const euObjects = new Map<string, number>();
const euEventIds: string[] = [];

const TRAIL = 'trail-logs';
const RESULTS = 'athena-results';
const OUTPUT = `s3://${RESULTS}/tq/`;

beforeAll(async () => {
  sim = await startSim({
    port: 0,
    seed: 'athena',
    clock: new SimClock({ start: '2026-02-02T08:00:00Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  s3 = new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true });
  athena = new AthenaClient(sdkConfig(sim, admin, 'eu-west-1'));
  for (const b of [TRAIL, RESULTS]) await s3.send(new CreateBucketCommand({ Bucket: b }));
  const ct = new CloudTrailClient(sdkConfig(sim, admin));
  await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: TRAIL, IsMultiRegionTrail: true }));
  await ct.send(new StartLoggingCommand({ Name: 'main' }));
  for (const [region, n] of [
    ['us-east-1', 4],
    ['eu-west-1', 3],
  ] as const) {
    const ec2 = new EC2Client(sdkConfig(sim, admin, region));
    for (let i = 0; i < n; i++) await ec2.send(new DescribeVpcsCommand({}));
    ec2.destroy();
  }
  sim.clock.advance(5 * 60_000);
  sim.deliverTrails({ force: true });
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: TRAIL, Prefix: `AWSLogs/${VICTIM_ACCOUNT}/CloudTrail/eu-west-1/` }),
  );
  for (const o of listed.Contents ?? []) {
    euObjects.set(o.Key!, o.Size!);
    const got = await s3.send(new GetObjectCommand({ Bucket: TRAIL, Key: o.Key! }));
    const records = (
      JSON.parse(gunzipSync(await got.Body!.transformToByteArray()).toString('utf8')) as {
        Records: { eventID: string }[];
      }
    ).Records;
    euEventIds.push(...records.map((r) => r.eventID));
  }
  const glue = new GlueClient(sdkConfig(sim, admin, 'eu-west-1'));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'tq' } }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: 'tq',
      TableInput: {
        Name: 'cloudtrail',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [
          { Name: 'account', Type: 'string' },
          { Name: 'region', Type: 'string' },
          { Name: 'timestamp', Type: 'string' },
        ],
        Parameters: {
          'projection.enabled': 'true',
          'projection.account.type': 'enum',
          'projection.account.values': VICTIM_ACCOUNT,
          'projection.region.type': 'enum',
          'projection.region.values': 'us-east-1,eu-west-1',
          'projection.timestamp.type': 'date',
          'projection.timestamp.format': 'yyyy/MM/dd',
          'projection.timestamp.range': '2026/01/01,NOW',
          'storage.location.template': `s3://${TRAIL}/AWSLogs/\${account}/CloudTrail/\${region}/\${timestamp}`,
        },
        StorageDescriptor: {
          Location: `s3://${TRAIL}/AWSLogs/`,
          Columns: [
            { Name: 'eventid', Type: 'string' },
            { Name: 'eventtime', Type: 'string' },
            { Name: 'eventname', Type: 'string' },
            { Name: 'useridentity', Type: 'struct<type:string,arn:string,accesskeyid:string>' },
            { Name: 'requestparameters', Type: 'string' },
          ],
          InputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
        },
      },
    }),
  );
  glue.destroy();
  ct.destroy();
}, 60_000);

afterAll(async () => {
  athena.destroy();
  s3.destroy();
  await sim.stop();
});

/** Start a query and poll it to its end, returning every state seen. */
async function run(query: string): Promise<{ id: string; states: string[]; execution: QueryExecution }> {
  const { QueryExecutionId: id } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: query,
      QueryExecutionContext: { Database: 'tq' },
      ResultConfiguration: { OutputLocation: OUTPUT },
    }),
  );
  const states: string[] = [];
  for (let i = 0; i < 200; i++) {
    const got = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id! }));
    const state = got.QueryExecution!.Status!.State!;
    if (states.at(-1) !== state) states.push(state);
    if (!['QUEUED', 'RUNNING'].includes(state)) return { id: id!, states, execution: got.QueryExecution! };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`query ${id!} did not finish`);
}

const EU_QUERY = `SELECT eventid, eventname, useridentity.accesskeyid AS accesskey
  FROM cloudtrail WHERE region = 'eu-west-1' AND "timestamp" >= '2026/02/01' ORDER BY eventid`;

describe('simulated Athena over the trail bucket', () => {
  it('runs a SELECT through QUEUED, RUNNING, SUCCEEDED; pages its rows with the header first; writes the CSV', async () => {
    const { id, states, execution } = await run(EU_QUERY);
    expect(states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(execution.Statistics!.DataScannedInBytes).toBe([...euObjects.values()].reduce((a, b) => a + b, 0));
    expect(execution.ResultConfiguration!.OutputLocation).toBe(`${OUTPUT}${id}.csv`);

    const rows: string[][] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await athena.send(
        new GetQueryResultsCommand({
          QueryExecutionId: id,
          MaxResults: 2,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      pages++;
      if (pages === 1)
        expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type])).toEqual([
          ['eventid', 'varchar'],
          ['eventname', 'varchar'],
          ['accesskey', 'varchar'],
        ]);
      rows.push(...page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? '')));
      token = page.NextToken;
    } while (token);
    expect(rows[0]).toEqual(['eventid', 'eventname', 'accesskey']);
    expect(rows.slice(1).map((r) => r[0])).toEqual([...euEventIds].sort());
    expect(new Set(rows.slice(1).map((r) => r[1]))).toEqual(new Set(['DescribeVpcs']));
    expect(rows.slice(1).every((r) => r[2] === admin.accessKeyId)).toBe(true);
    expect(pages).toBe(Math.ceil(rows.length / 2));

    const csv = await s3.send(new GetObjectCommand({ Bucket: RESULTS, Key: `tq/${id}.csv` }));
    const text = await csv.Body!.transformToString();
    expect(text.split('\n')[0]).toBe('"eventid","eventname","accesskey"');
    expect(text.trim().split('\n')).toHaveLength(rows.length);
  });

  it('answers the official CLI (aws 2.9) and botocore (python3 -m awscli) alike', async () => {
    const { id } =
      await run(`SELECT count(*) AS n, max(json_extract_scalar(requestparameters, '$.nope')) AS none
      FROM cloudtrail WHERE region IN ('us-east-1', 'eu-west-1') AND from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2026-02-01T00:00:00Z')`);
    const cli = await runAws(
      sim,
      admin,
      ['athena', 'get-query-results', '--query-execution-id', id, '--output', 'json'],
      'eu-west-1',
    );
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { ResultSet: { Rows: { Data: { VarCharValue?: string }[] }[] } };
    expect(out.ResultSet.Rows[0]!.Data.map((d) => d.VarCharValue)).toEqual(['n', 'none']);
    expect(out.ResultSet.Rows[1]!.Data[1]).toEqual({});
    const total = Number(out.ResultSet.Rows[1]!.Data[0]!.VarCharValue);
    expect(total).toBeGreaterThanOrEqual(euEventIds.length + 4);
    const py = await runShell(
      sim,
      admin,
      `python3 -m awscli --region eu-west-1 --endpoint-url "$AWS_ENDPOINT_URL" athena get-query-execution --query-execution-id ${id} --output json`,
      'eu-west-1',
    );
    expect(py.code, py.stderr).toBe(0);
    const ex = JSON.parse(py.stdout) as {
      QueryExecution: { Status: { State: string }; Statistics: { DataScannedInBytes: number } };
    };
    expect(ex.QueryExecution.Status.State).toBe('SUCCEEDED');
    const wg = await runShell(
      sim,
      admin,
      'python3 -m awscli --region eu-west-1 --endpoint-url "$AWS_ENDPOINT_URL" athena get-work-group --work-group primary --output json',
      'eu-west-1',
    );
    expect(JSON.parse(wg.stdout)).toMatchObject({ WorkGroup: { Name: 'primary', State: 'ENABLED' } });
  });

  it('fails what Athena would refuse with its error shape, and refuses a missing output location at once', async () => {
    const column = await run('SELECT nosuchcolumn FROM cloudtrail');
    expect(column.execution.Status).toMatchObject({
      State: 'FAILED',
      StateChangeReason: "COLUMN_NOT_FOUND: line 1:1: Column 'nosuchcolumn' cannot be resolved",
      AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false },
    });
    const table = await run('SELECT * FROM nosuchtable');
    expect(table.execution.Status!.StateChangeReason).toBe(
      "TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.tq.nosuchtable' does not exist",
    );
    const ddl = await run('CREATE DATABASE other');
    expect(ddl.execution.Status!.StateChangeReason).toMatch(
      /^NOT_SUPPORTED: the simulated Athena runs SELECT queries only/,
    );
    await expect(
      athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' })),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/^No output location provided/) as unknown,
    });
    await expect(
      athena.send(new GetQueryResultsCommand({ QueryExecutionId: column.id })),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/Final query state: FAILED/) as unknown,
    });
  });

  it('fails a query over a damaged trail file with HIVE_CURSOR_ERROR naming the file, and stops a query', async () => {
    const key = `AWSLogs/${VICTIM_ACCOUNT}/CloudTrail/us-east-1/2026/02/02/${VICTIM_ACCOUNT}_CloudTrail_us-east-1_20260202T0805Z_damaged.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: TRAIL, Key: key, Body: '{"Records": [{"eventID": ' }));
    const bad = await run(`SELECT eventid FROM cloudtrail WHERE region = 'us-east-1'`);
    expect(bad.execution.Status).toMatchObject({
      State: 'FAILED',
      AthenaError: { ErrorCategory: 2, ErrorType: 1001 },
    });
    expect(bad.execution.Status!.StateChangeReason).toBe(
      `HIVE_CURSOR_ERROR: Row is not a valid JSON Object - s3://${TRAIL}/${key}`,
    );
    const eu = await run(EU_QUERY);
    expect(eu.execution.Status!.State).toBe('SUCCEEDED');

    const { QueryExecutionId: id } = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: EU_QUERY,
        QueryExecutionContext: { Database: 'tq' },
        ResultConfiguration: { OutputLocation: OUTPUT },
      }),
    );
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    const got = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    expect(got.QueryExecution!.Status!.State).toBe('CANCELLED');
  });
});
