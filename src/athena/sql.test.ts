import { describe, expect, it } from 'vitest';
import { dayRange, huntQuery } from './sql.js';
import { parseAthenaSql } from './test-support/trino.js';

const slice = { account: '111122223333', region: 'eu-west-1' };

describe('Athena hunt SQL', () => {
  it.each([
    ['no filter', {}],
    ['a key', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }],
    ['a user with a quote', { userName: "o'brien" }],
    ['a window', { since: '2026-02-01T00:00:00.000Z', until: '2026-02-03T12:00:00.000Z' }],
    ['everything', { accessKeyId: 'ASIAXXXXXXXXXXXXXXXX', userName: 'bob', since: '2026-01-01T00:00:00Z' }],
  ])('is valid Athena (Trino) SQL for %s', (_name, filter) => {
    const sql = huntQuery('tourniquet', 'cloudtrail_trail_logs', slice, filter);
    expect(() => parseAthenaSql(sql)).not.toThrow();
    expect(sql).toContain(`account = '111122223333'`);
  });

  it('the parser refuses what Athena would: DuckDB spellings and broken statements', () => {
    expect(() => parseAthenaSql(`SELECT eventid FROM t WHERE useragent ILIKE '%boto%'`)).toThrow();
    expect(() => parseAthenaSql(`SELECT eventid FROM t WHERE`)).toThrow();
    expect(() => parseAthenaSql(`SELECT eventid FROM t WHERE eventname = 'a`)).toThrow();
  });

  it('reads the day folders of the window, and the day after its end for late deliveries', () => {
    expect(dayRange({ since: '2026-02-01T23:00:00Z', until: '2026-02-03T12:00:00Z' })).toEqual({
      from: '2026/02/01',
      to: '2026/02/04',
    });
    expect(dayRange({})).toEqual({});
  });
});
