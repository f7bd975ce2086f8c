import { describe, expect, it } from 'vitest';
import { evidencePathOfKey } from './bucket.js';

describe('the case path of a trail bucket object (keys are chosen by whoever writes to the bucket)', () => {
  it('keeps a delivery key under the bucket folder', () => {
    const key = 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/04/x.json.gz';
    expect(evidencePathOfKey('trail-logs', key)).toBe(`cloudtrail/s3/trail-logs/${key}`);
  });

  it.each([
    'AWSLogs/111122223333/CloudTrail/us-east-1/2026/../../../../../../../../case.json.gz',
    '../../journal.jsonl.json.gz',
    'AWSLogs/../../../other-bucket/x.json.gz',
    'AWSLogs\\..\\..\\..\\..\\x.json.gz',
  ])('refuses %s, which would leave the bucket folder', (key) => {
    expect(evidencePathOfKey('trail-logs', key)).toBeUndefined();
  });
});
