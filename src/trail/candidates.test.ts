import { describe, expect, it } from 'vitest';
import { closingQuote, cutRecords, exactHits, findHits, subjectPatterns } from './candidates.js';
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

describe('exactHits', () => {
  /** Every position of `needle` in `buf`, one byte at a time. */
  const naive = (buf: Buffer, needle: Buffer): number[] => {
    const found: number[] = [];
    for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) found.push(i);
    return found;
  };

  it('finds every occurrence through the rarest part of the value, overlapping and at the edges', () => {
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const values = ['AKIAEXAMPLEKEY000001', 'abab-abab-abab', 'alice', 'ASIAZZZZ'];
    for (const value of values) {
      const patterns = subjectPatterns([value]);
      const needle = patterns[0]!.exact;
      for (let round = 0; round < 20; round++) {
        // Text full of the value's pieces (other keys, prefixes, suffixes), the value itself here and there.
        const pieces = [
          value,
          value.slice(0, -1),
          value.slice(1),
          'AKIA',
          'KIA',
          '"',
          'x'.repeat(50),
          value + value,
        ];
        const parts: string[] = round % 2 === 0 ? [value] : [];
        for (let length = 0; length < 70_000; length += parts.at(-1)!.length) {
          parts.push(pieces[random(pieces.length)]!);
        }
        if (round % 3 === 0) parts.push(value);
        const buf = Buffer.from(parts.join(''));
        const got: number[] = [];
        exactHits(buf, patterns[0]!, got);
        expect(got, `${value} round ${round}`).toEqual(naive(buf, needle));
        // Small buffers too, once the window is chosen.
        const small = buf.subarray(0, 40 + random(60));
        const few: number[] = [];
        exactHits(small, patterns[0]!, few);
        expect(few).toEqual(naive(small, needle));
      }
    }
  });

  it('searches an access key by its own end, not by the AKIA every key holds', () => {
    const key = 'AKIAEXAMPLEKEY000001';
    const others = Array.from(
      { length: 3000 },
      (_, i) => `"accessKeyId":"AKIA${String(i).padStart(16, 'Q')}"`,
    );
    const buf = Buffer.from(`${others.join(',')},"accessKeyId":"${key}"`);
    const [pattern] = subjectPatterns([key]);
    const got: number[] = [];
    exactHits(buf, pattern!, got);
    expect(got).toEqual([buf.length - key.length - 1]);
    expect(pattern!.window!.at).toBeGreaterThanOrEqual(4);
  });
});
