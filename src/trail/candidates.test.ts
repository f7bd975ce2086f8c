import { describe, expect, it } from 'vitest';
import { closingQuote, cutRecords, findHits, subjectPatterns } from './candidates.js';
import { StructureScanner } from './structure.js';

/**
 * The prefilter's cut finds string ends with `Buffer.indexOf` and a count of the backslashes before
 * each quote. Strings full of backslashes, quotes and braces must not move a record's bounds.
 */
describe('closingQuote', () => {
  const cases: [text: string, end: number][] = [
    ['"abc"', 4],
    ['"a\\"b"', 5], // an escaped quote
    ['"a\\\\"', 4], // an escaped backslash ends the string
    ['"a\\\\\\"b"', 7], // backslash, then escaped quote
    ['"\\\\\\\\"', 5], // two escaped backslashes
    ['""', 1],
    ['"never closed \\"', -1],
  ];
  it.each(cases)('%s closes at %i', (text, end) => {
    expect(closingQuote(Buffer.from(text), 1)).toBe(end);
  });
});

describe('cutRecords', () => {
  const KEY = 'AKIAEXAMPLEKEY000001';
  /** Strings that try to fool a scanner: backslashes before quotes, braces, the key inside them. */
  const nasty = ['\\', '\\\\', '"', '\\"', '{', '}', '[', ']', '","k":"', `{"k":"${KEY}"}`, 'a\\'];

  const scanner = StructureScanner.create()!;

  it('cuts exactly the records holding the key, for random records full of escapes', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const records = Array.from({ length: 1 + random(12) }, (_, i) => {
        const text = Array.from({ length: random(5) }, () => nasty[random(nasty.length)]).join('');
        const record: Record<string, unknown> = {
          eventID: `e${i}`,
          note: text,
          nested: { deep: [text, text] },
        };
        if (random(3) === 0) record.userIdentity = { accessKeyId: KEY };
        return record;
      });
      const buf = Buffer.from(JSON.stringify({ Records: records }));
      const patterns = subjectPatterns([KEY]);
      const cut = cutRecords(buf, 'records', findHits(buf, patterns), patterns);
      expect(cut.problem).toBeNull();
      // The same cut when each record's end is found 64 bytes at a time.
      expect(cutRecords(buf, 'records', findHits(buf, patterns), patterns, scanner)).toEqual(cut);
      const got = cut.spans.map(
        ([s, e]) => (JSON.parse(buf.toString('utf8', s, e)) as { eventID: string }).eventID,
      );
      // A record is a candidate when its text holds the key (inside `note` too): the store decides later.
      const expected = records.filter((r) => JSON.stringify(r).includes(KEY)).map((r) => r.eventID);
      expect(got, buf.toString()).toEqual(expected);
    }
  });
});
