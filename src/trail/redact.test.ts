import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../store/schema.js';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from './ingest.js';
import { redactSessionTokens, redactTrailBytes, tokenFingerprint } from './redact.js';

const TOKEN = 'IQoJb3JpZ2luX2VjEAbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/AbCdEfGhIjKlMnOpQr==';
const OTHER = 'FwoGZXIvYXdzEJr//////////wEaDDifferentTokenText0123456789abcdefABCDEF';

/** An AssumeRole record as CloudTrail writes it: the session token in responseElements. */
function assumeRole(id: string, token: string): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/ci',
      accessKeyId: 'AKIAEXAMPLEKEY000001',
    },
    eventTime: '2026-11-30T10:00:00Z',
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.9',
    requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/deploy', roleSessionName: 's' },
    responseElements: {
      credentials: {
        accessKeyId: 'ASIAEXAMPLESESSION01',
        sessionToken: token,
        expiration: 'Nov 30, 2026 11:00:00 AM',
      },
    },
    eventID: id,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  };
}

describe('session tokens are taken out of CloudTrail before the case keeps it', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tq-redact-'));
    store = await openEventStore(join(dir, 'case.duckdb'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a delivery file: each token becomes its fingerprint, everything else is byte for byte the same', () => {
    const text = JSON.stringify({ Records: [assumeRole('e1', TOKEN), assumeRole('e2', OTHER)] });
    const out = redactSessionTokens(text);
    expect(out.count).toBe(2);
    expect(out.text).not.toContain(TOKEN);
    expect(out.text).not.toContain(OTHER);
    expect(out.text).toContain(`"sessionToken":"${tokenFingerprint(TOKEN)}"`);
    expect(out.text).toContain(`"sessionToken":"${tokenFingerprint(OTHER)}"`);
    expect(out.text.replace(tokenFingerprint(TOKEN), TOKEN).replace(tokenFingerprint(OTHER), OTHER)).toBe(
      text,
    );
  });

  it('a LookupEvents page, where the record is a JSON string inside JSON', () => {
    const page = JSON.stringify({
      Events: [{ EventId: 'e1', CloudTrailEvent: JSON.stringify(assumeRole('e1', TOKEN)) }],
    });
    expect(page).toContain('\\"sessionToken\\"');
    const out = redactSessionTokens(page);
    expect(out.count).toBe(1);
    expect(out.text).not.toContain(TOKEN);
    const inner = JSON.parse(
      (JSON.parse(out.text) as { Events: { CloudTrailEvent: string }[] }).Events[0]!.CloudTrailEvent,
    ) as {
      responseElements: { credentials: { sessionToken: string; accessKeyId: string } };
    };
    expect(inner.responseElements.credentials).toMatchObject({
      sessionToken: tokenFingerprint(TOKEN),
      accessKeyId: 'ASIAEXAMPLESESSION01',
    });
  });

  it('a gzip delivery file is kept gzip, without the token, with what it was as received', () => {
    const raw = gzipSync(JSON.stringify({ Records: [assumeRole('e1', TOKEN)] }));
    const kept = redactTrailBytes(raw, true);
    expect(kept.received).toMatchObject({ size: raw.length, redacted: 1 });
    expect(kept.received!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const text = gunzipSync(kept.bytes).toString('utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).toContain(tokenFingerprint(TOKEN));
    // A file without tokens, or one that is not gzip after all, is kept exactly as it came.
    const plain = gzipSync(JSON.stringify({ Records: [{ eventID: 'x', eventName: 'ListBuckets' }] }));
    expect(redactTrailBytes(plain, true)).toEqual({ bytes: plain });
    const junk = Buffer.from('not gzip at all');
    expect(redactTrailBytes(junk, true)).toEqual({ bytes: junk });
  });

  it('records loaded from the responder’s own files keep no token in the DuckDB file, with the same fingerprint', async () => {
    const file = join(dir, 'trail.json');
    writeFileSync(file, JSON.stringify({ Records: [assumeRole('e1', TOKEN), assumeRole('e2', OTHER)] }));
    const report = await ingestPaths(store, [file], { sourceKind: 'file' });
    expect(report.records).toBe(2);
    const rows = await store.query<{ id: string; token: string; key: string }>(
      `SELECT eventid AS id, json_extract_string(responseelements, '$.credentials.sessionToken') AS token,
         json_extract_string(responseelements, '$.credentials.accessKeyId') AS key
       FROM ${EVENTS_TABLE} ORDER BY eventid`,
    );
    expect(rows).toEqual([
      { id: 'e1', token: tokenFingerprint(TOKEN), key: 'ASIAEXAMPLESESSION01' },
      { id: 'e2', token: tokenFingerprint(OTHER), key: 'ASIAEXAMPLESESSION01' },
    ]);
    await store.run('CHECKPOINT');
    const bytes = readFileSync(join(dir, 'case.duckdb')).toString('latin1');
    expect(bytes).not.toContain(TOKEN);
    expect(bytes).not.toContain(OTHER);
  });
});
