import {
  CancelQueryCommand,
  CloudTrailClient,
  CreateEventDataStoreCommand,
  DescribeQueryCommand,
  GetEventDataStoreCommand,
  GetQueryResultsCommand,
  ListEventDataStoresCommand,
  StartQueryCommand,
  type DescribeQueryCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simWithAdminAndIntruder } from '../test-support/admin-and-intruder.js';
import { VICTIM_ACCOUNT, layEventDataStore, type RunningSim } from '../index.js';
import { runAws, runShell, sdkConfig, type Creds } from '../test-support/aws.js';

let sim: RunningSim;
let admin: Creds;
let intruder: Creds;
let ct: CloudTrailClient;
let storeId: string;
let storeArn: string;
let dataStoreId: string;

beforeAll(async () => {
  ({ sim, admin, intruder } = await simWithAdminAndIntruder(
    'lake',
    'arn:aws:iam::aws:policy/AdministratorAccess',
  ));
  ct = new CloudTrailClient(sdkConfig(sim, admin));
  const made = await ct.send(new CreateEventDataStoreCommand({ Name: 'org-events', RetentionPeriod: 90 }));
  storeArn = made.EventDataStoreArn!;
  storeId = storeArn.split('/').pop()!;
  expect(made).toMatchObject({
    Name: 'org-events',
    Status: 'CREATED',
    MultiRegionEnabled: true,
    RetentionPeriod: 90,
  });
  // A store of S3 data events, laid an hour in the past.
  dataStoreId = layEventDataStore(sim.state, VICTIM_ACCOUNT, {
    name: 'object-reads',
    holdsSince: '2026-02-02T07:00:00Z',
    advancedEventSelectors: [
      {
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        ],
      },
    ],
  }).id;
  for (const region of ['us-east-1', 'eu-west-1']) {
    const ec2 = new EC2Client(sdkConfig(sim, intruder, region));
    for (let i = 0; i < 3; i++) await ec2.send(new DescribeVpcsCommand({}));
    ec2.destroy();
  }
  const s3 = new S3Client({ ...sdkConfig(sim, intruder), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'loot' }));
  await s3.send(new PutObjectCommand({ Bucket: 'loot', Key: 'a.txt', Body: 'a' }));
  await s3.send(new GetObjectCommand({ Bucket: 'loot', Key: 'a.txt' }));
  s3.destroy();
}, 60_000);

afterAll(async () => {
  ct.destroy();
  await sim.stop();
});

/** Start a query and describe it until it ends; every status shown on the way. */
async function run(
  statement: string,
): Promise<{ id: string; seen: string[]; done: DescribeQueryCommandOutput }> {
  const { QueryId: id } = await ct.send(new StartQueryCommand({ QueryStatement: statement }));
  const seen: string[] = [];
  for (;;) {
    const done = await ct.send(new DescribeQueryCommand({ QueryId: id }));
    seen.push(done.QueryStatus!);
    if (!['QUEUED', 'RUNNING'].includes(done.QueryStatus!)) return { id: id!, seen, done };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A result row as an object. */
function row(cells: Record<string, string>[]): Record<string, string> {
  return Object.assign({}, ...cells) as Record<string, string>;
}

describe('simulated CloudTrail Lake', () => {
  it('makes, gets and lists event data stores by ARN or id, with CloudTrail errors', async () => {
    const byId = await ct.send(new GetEventDataStoreCommand({ EventDataStore: storeId }));
    expect(byId).toMatchObject({ EventDataStoreArn: storeArn, Status: 'ENABLED', Name: 'org-events' });
    expect(byId.AdvancedEventSelectors).toEqual([
      {
        Name: 'Default management events',
        FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
      },
    ]);
    await expect(ct.send(new GetEventDataStoreCommand({ EventDataStore: storeArn }))).resolves.toMatchObject({
      Name: 'org-events',
    });
    await expect(
      ct.send(new GetEventDataStoreCommand({ EventDataStore: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toMatchObject({ name: 'EventDataStoreNotFoundException' });
    await expect(
      ct.send(
        new GetEventDataStoreCommand({
          EventDataStore: 'arn:aws:cloudtrail:us-east-1:999999999999:eventdatastore/x',
        }),
      ),
    ).rejects.toMatchObject({ name: 'EventDataStoreARNInvalidException' });
    await expect(ct.send(new CreateEventDataStoreCommand({ Name: 'org-events' }))).rejects.toMatchObject({
      name: 'EventDataStoreAlreadyExistsException',
    });
    const first = await ct.send(new ListEventDataStoresCommand({ MaxResults: 1 }));
    expect(first.EventDataStores).toHaveLength(1);
    const second = await ct.send(
      new ListEventDataStoresCommand({ MaxResults: 1, NextToken: first.NextToken }),
    );
    expect([...first.EventDataStores!, ...second.EventDataStores!].map((s) => s.Name).sort()).toEqual([
      'object-reads',
      'org-events',
    ]);
    expect(second.NextToken).toBeUndefined();
    // Another region has none of them.
    const eu = new CloudTrailClient(sdkConfig(sim, admin, 'eu-west-1'));
    expect((await eu.send(new ListEventDataStoresCommand({}))).EventDataStores).toEqual([]);
    eu.destroy();
  });

  it('runs a query in the Lake schema through QUEUED, RUNNING, FINISHED and pages its rows', async () => {
    const { id, seen, done } = await run(
      `SELECT eventid, eventtime, readonly, awsregion, useridentity.accesskeyid AS keyid FROM ${storeId}
       WHERE eventname = 'DescribeVpcs' AND eventtime >= TIMESTAMP '2026-02-02 00:00:00' ORDER BY awsregion, eventid`,
    );
    expect(seen.slice(0, 2)).toEqual(['QUEUED', 'RUNNING']);
    expect(done).toMatchObject({ QueryStatus: 'FINISHED', QueryStatistics: { EventsMatched: 6 } });
    const stats = done.QueryStatistics!;
    expect(stats.EventsScanned).toBeGreaterThan(6);
    expect(stats.BytesScanned).toBeGreaterThan(stats.EventsScanned! * 500);
    expect(stats.CreationTime).toEqual(new Date('2026-02-02T08:00:00Z'));
    const pages: Record<string, string>[] = [];
    let token: string | undefined;
    do {
      const page = await ct.send(
        new GetQueryResultsCommand({ QueryId: id, MaxQueryResults: 4, NextToken: token }),
      );
      expect(page.QueryStatus).toBe('FINISHED');
      expect(page.QueryStatistics).toMatchObject({ TotalResultsCount: 6, BytesScanned: stats.BytesScanned });
      pages.push(...page.QueryResultRows!.map(row));
      token = page.NextToken;
    } while (token);
    expect(pages).toHaveLength(6);
    expect(pages[0]).toMatchObject({
      eventtime: '2026-02-02 08:00:00.000',
      readonly: 'true',
      awsregion: 'eu-west-1',
      keyid: intruder.accessKeyId,
    });
    // The S3 store holds the data events only; the management store has none.
    const data = await run(
      `SELECT eventname, element_at(requestparameters, 'bucketName') AS bucket, resources[1].type AS type FROM "${dataStoreId}"`,
    );
    const got = await ct.send(new GetQueryResultsCommand({ QueryId: data.id }));
    expect(
      got
        .QueryResultRows!.map(row)
        .map((r) => r.eventname)
        .sort(),
    ).toEqual(['GetObject', 'PutObject']);
    expect(row(got.QueryResultRows![0]!)).toMatchObject({ bucket: 'loot', type: 'AWS::S3::Object' });
    const none = await run(`SELECT count(*) AS n FROM ${storeId} WHERE eventcategory = 'Data'`);
    const counted = await ct.send(new GetQueryResultsCommand({ QueryId: none.id }));
    expect(counted.QueryResultRows).toEqual([[{ n: '0' }]]);
  });

  it('refuses what Lake refuses at StartQuery, fails at run time with the error, and times out', async () => {
    for (const [statement, name] of [
      [`SELEC * FROM ${storeId}`, 'InvalidQueryStatementException'],
      [`SELECT nosuchcolumn FROM ${storeId}`, 'InvalidQueryStatementException'],
      [`DELETE FROM ${storeId}`, 'InvalidQueryStatementException'],
      ['SELECT 1', 'InvalidQueryStatementException'],
      ['SELECT * FROM 00000000-0000-4000-8000-000000000000', 'EventDataStoreNotFoundException'],
    ]) {
      await expect(
        ct.send(new StartQueryCommand({ QueryStatement: statement })),
        statement,
      ).rejects.toMatchObject({
        name,
      });
    }
    await expect(
      ct.send(new StartQueryCommand({ QueryStatement: `SELECT nosuchcolumn FROM ${storeId}` })),
    ).rejects.toThrow("Column 'nosuchcolumn' cannot be resolved");
    const failed = await run(`SELECT CAST(eventname AS bigint) FROM ${storeId}`);
    expect(failed.done.QueryStatus).toBe('FAILED');
    expect(failed.done.ErrorMessage).toMatch(/DescribeVpcs|Could not convert/);
    await expect(ct.send(new GetQueryResultsCommand({ QueryId: failed.id }))).resolves.toMatchObject({
      QueryStatus: 'FAILED',
      ErrorMessage: failed.done.ErrorMessage,
    });
    await expect(ct.send(new CancelQueryCommand({ QueryId: failed.id }))).rejects.toMatchObject({
      name: 'InactiveQueryException',
    });
    await expect(
      ct.send(new GetQueryResultsCommand({ QueryId: failed.id, MaxQueryResults: 0 })),
    ).rejects.toMatchObject({
      name: 'InvalidMaxResultsException',
    });
    await expect(
      ct.send(new DescribeQueryCommand({ QueryId: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toMatchObject({ name: 'QueryIdNotFoundException' });

    const { QueryId: cancelled } = await ct.send(
      new StartQueryCommand({ QueryStatement: `SELECT * FROM ${storeId}` }),
    );
    await expect(ct.send(new CancelQueryCommand({ QueryId: cancelled }))).resolves.toMatchObject({
      QueryStatus: 'CANCELLED',
    });
    sim.state.limits.lakeQueryTimeoutMs = 0;
    try {
      const timed = await run(`SELECT eventid FROM ${storeId}`);
      expect(timed.done.QueryStatus).toBe('TIMED_OUT');
    } finally {
      sim.state.limits.lakeQueryTimeoutMs = 3_600_000;
    }
  });

  it('answers the official CLI (aws 2.9) and botocore (python3 -m awscli) alike', async () => {
    const started = await runAws(sim, admin, [
      'cloudtrail',
      'start-query',
      '--query-statement',
      `SELECT eventid, eventname FROM ${storeId} WHERE eventname = 'DescribeVpcs' ORDER BY eventid`,
      '--output',
      'json',
    ]);
    expect(started.code, started.stderr).toBe(0);
    const id = (JSON.parse(started.stdout) as { QueryId: string }).QueryId;
    // Waited for with the SDK; the CLI then describes the finished query (with the deprecated member).
    for (let i = 0; i < 3; i++) await ct.send(new DescribeQueryCommand({ QueryId: id }));
    // The CLI runs are independent: started together, checked in turn.
    const py = (args: string) =>
      runShell(
        sim,
        admin,
        `python3 -m awscli --region us-east-1 --endpoint-url "$AWS_ENDPOINT_URL" cloudtrail ${args}`,
      );
    const [described, results, listed, paged, bad] = await Promise.all([
      runAws(sim, admin, [
        'cloudtrail',
        'describe-query',
        '--query-id',
        id,
        '--event-data-store',
        storeArn,
        '--output',
        'json',
      ]),
      runAws(sim, admin, ['cloudtrail', 'get-query-results', '--query-id', id, '--output', 'json']),
      runAws(sim, admin, ['cloudtrail', 'list-event-data-stores', '--output', 'json']),
      py(`get-query-results --query-id ${id} --max-query-results 2 --output json`),
      py(`start-query --query-statement 'SELECT nope FROM ${storeId}'`),
    ]);
    expect(described.code, described.stderr).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({
      QueryStatus: 'FINISHED',
      QueryStatistics: { EventsMatched: 6 },
    });
    expect(results.code, results.stderr).toBe(0);
    const out = JSON.parse(results.stdout) as { QueryResultRows: Record<string, string>[][] };
    expect(out.QueryResultRows).toHaveLength(6);
    expect(Object.keys(row(out.QueryResultRows[0]!))).toEqual(['eventid', 'eventname']);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      EventDataStores: expect.arrayContaining([
        { EventDataStoreArn: storeArn, Name: 'org-events' },
      ]) as unknown,
    });
    expect(paged.code, paged.stderr).toBe(0);
    const page = JSON.parse(paged.stdout) as { NextToken?: string };
    expect(page).toMatchObject({
      QueryStatus: 'FINISHED',
      QueryStatistics: { ResultsCount: 2, TotalResultsCount: 6 },
    });
    expect(typeof page.NextToken).toBe('string');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('(InvalidQueryStatementException) when calling the StartQuery operation');
  }, 60_000);
});
