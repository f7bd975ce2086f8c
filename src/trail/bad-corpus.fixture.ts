import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'vitest';

/** A well-formed record with a recognisable id. */
export function rec(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      accessKeyId: 'AKIAGOOD',
      userName: 'alice',
      arn: 'arn:aws:iam::111122223333:user/alice',
    },
    eventTime: '2024-07-30T21:31:21Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${id}`,
    eventID: id,
    readOnly: true,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  };
}

const records = (n: number, prefix: string): Record<string, unknown>[] =>
  Array.from({ length: n }, (_, i) => rec(`${prefix}-${i}`));

/**
 * The corpus: every kind of damage from issue §3, each next to good records that must survive.
 * `good` lists every event id that must be stored; `bad` the refusals expected per file.
 */
export function writeCorpus(root: string): { good: string[]; bad: Record<string, Record<string, number>> } {
  mkdirSync(root, { recursive: true });
  const good: string[] = [];
  const bad: Record<string, Record<string, number>> = {};
  const put = (name: string, content: string | Buffer): string => {
    writeFileSync(join(root, name), content);
    return name;
  };

  // A healthy delivery file, so a healthy batch neighbours the damaged ones.
  const healthy = records(20, 'healthy');
  put('healthy.json.gz', gzipSync(JSON.stringify({ Records: healthy })));
  good.push(...healthy.map((r) => r.eventID as string));

  // Truncated gzip: the download stopped half way. Records wholly before the cut survive.
  const cut = records(400, 'cut');
  const gz = gzipSync(JSON.stringify({ Records: cut }));
  const truncated = gz.subarray(0, Math.floor(gz.length / 2));
  put('truncated.json.gz', truncated);
  // What survives is what a streaming gunzip yields before the cut, parsed record by record.
  const partial = gunzipSync(truncated, { finishFlush: constants.Z_SYNC_FLUSH }).toString();
  const whole = cut.filter((r) => partial.includes(JSON.stringify(r)));
  expect(whole.length).toBeGreaterThan(10);
  good.push(...whole.map((r) => r.eventID as string));
  bad['truncated.json.gz'] = { 'file ends inside a record': 1 };

  // Invalid JSON inside one record of a Records file.
  const inv = records(5, 'invalid');
  const invText = JSON.stringify({ Records: inv }).replace(
    '"eventID":"invalid-2"',
    '"eventID":"invalid-2",,"x":tru',
  );
  put('invalid-json.json', invText);
  good.push(...inv.filter((r) => r.eventID !== 'invalid-2').map((r) => r.eventID as string));
  bad['invalid-json.json'] = { 'invalid JSON': 1 };

  // Missing and wrongly-typed fields.
  const typed = [
    rec('typed-ok'),
    rec('typed-ui', { userIdentity: 'root' }),
    rec('typed-res', { resources: { ARN: 'arn:aws:s3:::b' } }),
    rec('typed-ok2', { requestParameters: { deep: { list: [1, 2, { x: null }] } } }),
  ];
  const missing = [
    { ...rec('x'), eventID: undefined },
    { ...rec('no-time'), eventTime: undefined },
    rec('bad-time', { eventTime: 'yesterday' }),
    rec('fields-ok'),
  ];
  put('typed.json', JSON.stringify({ Records: typed }));
  put('missing.json', JSON.stringify({ Records: missing }));
  good.push('typed-ok', 'typed-ok2', 'fields-ok');
  bad['typed.json'] = { 'wrong type: userIdentity': 1, 'wrong type: resources': 1 };
  bad['missing.json'] = { 'missing eventID': 1, 'missing eventTime': 1, 'not an ISO-8601 time': 1 };

  // A record over 1 MB (CloudTrail's own limit is far below).
  const big = [rec('big-ok'), rec('big', { requestParameters: { blob: 'A'.repeat(1_200_000) } })];
  put('big.json', JSON.stringify(big));
  good.push('big-ok');
  bad['big.json'] = { 'larger than 1 MB': 1 };

  // Non-UTF-8 bytes in one record of an NDJSON file.
  const lines = [rec('utf-ok-1'), rec('utf-bad'), rec('utf-ok-2')].map((r) => Buffer.from(JSON.stringify(r)));
  lines[1] = Buffer.from(lines[1]!.toString().replace('aws-cli/2.15.0', 'aws-cli/\u0001MARK'));
  const markAt = lines[1].indexOf('\u0001MARK');
  lines[1][markAt] = 0xff; // a lone 0xFF byte can never appear in UTF-8
  put(
    'latin.jsonl',
    Buffer.concat([lines[0]!, Buffer.from('\n'), lines[1], Buffer.from('\n'), lines[2]!, Buffer.from('\n')]),
  );
  good.push('utf-ok-1', 'utf-ok-2');
  bad['latin.jsonl'] = { 'invalid UTF-8': 1 };

  // NDJSON with a garbage line between good ones.
  put(
    'garbage.ndjson',
    [JSON.stringify(rec('nd-1')), '{"eventID": "nd-broken", ', JSON.stringify(rec('nd-2'))].join('\n'),
  );
  good.push('nd-1', 'nd-2');
  bad['garbage.ndjson'] = { 'invalid JSON': 1 };

  // Wholly unreadable: empty, gzip of nothing, not JSON at all, gzip magic then junk.
  put('empty.json', '');
  put('empty.json.gz', gzipSync(Buffer.alloc(0)));
  put('binary.json', Buffer.from([0x00, 0x01, 0x02, 0xfe, 0x7f, 0x45]));
  put('junk.json.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x99, 0x98, 0x97]));
  return { good, bad };
}
