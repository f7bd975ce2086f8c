import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileInflater } from './inflate.js';
import { StructureScanner } from './structure.js';

/**
 * The prefilter's workers read and gunzip every trail file through one `FileInflater` each, into
 * buffers it reuses. Whatever Node's `gunzipSync` makes of a file, it must make too: the same
 * bytes, or an error with the same message, and the next file must not be disturbed.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tq-inflate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Text that compresses like a trail (records with varying values), `n` records of it. */
function trailText(n: number, seed: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        eventID: `${seed}-${i}`,
        eventName: ['GetObject', 'PutObject', 'ListBuckets', 'AssumeRole'][(i * 7 + seed) % 4],
        noise: randomBytes(1 + ((i * 13) % 40)).toString('hex'),
      }),
    );
  }
  return Buffer.from(`{"Records":[${lines.join(',')}]}`);
}

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Bytes as their length and digest (a deep comparison of megabytes is slow). */
function digest(bytes: Buffer): string {
  return `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`;
}

/** What `gunzipSync` gives, or the message it throws. */
function reference(raw: Buffer): string {
  try {
    return digest(gunzipSync(raw));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function inflated(inflater: FileInflater, raw: Buffer, hint: number): string {
  try {
    return digest(inflater.gunzip(raw, hint));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

/**
 * An inflater writing into its own buffers, or into a structure scanner's memory, with or without
 * the gzip CRC-32 (the workers' way: scanner memory, no CRC).
 */
const kinds: [name: string, make: () => FileInflater, checksum: boolean][] = [
  ['own buffers', () => new FileInflater(), true],
  [
    'scanner memory',
    () => {
      const scanner = StructureScanner.create()!;
      return new FileInflater((bytes) => scanner.arena(bytes));
    },
    true,
  ],
  ['own buffers, no CRC', () => new FileInflater(null, { checksum: false }), false],
  [
    'scanner memory, no CRC',
    () => {
      const scanner = StructureScanner.create()!;
      return new FileInflater((bytes) => scanner.arena(bytes), { checksum: false });
    },
    false,
  ],
];

describe.each(kinds)('FileInflater (%s)', (_kind, newInflater, checksum) => {
  it('gives gunzipSync’s bytes and errors for files of every kind, one after the other', () => {
    const small = trailText(10, 1);
    const big = trailText(60_000, 2); // several MB: more than the first output buffer
    const cases: { name: string; raw: Buffer; hint: number }[] = [
      { name: 'small', raw: gzipSync(small), hint: small.length },
      { name: 'big, true size', raw: gzipSync(big), hint: big.length },
      { name: 'big, no size given', raw: gzipSync(big), hint: 0 },
      { name: 'big, size understated', raw: gzipSync(big), hint: 100 },
      { name: 'small, forged huge size', raw: gzipSync(small), hint: 2 ** 32 - 1 },
      {
        name: 'two gzip members',
        raw: Buffer.concat([gzipSync(small), gzipSync(trailText(500, 3))]),
        hint: 0,
      },
      { name: 'trailing zeros', raw: Buffer.concat([gzipSync(small), Buffer.alloc(64)]), hint: 0 },
      { name: 'empty member', raw: gzipSync(Buffer.alloc(0)), hint: 0 },
    ];
    const gz = gzipSync(big);
    const broken: { name: string; raw: Buffer }[] = [
      { name: 'truncated', raw: gz.subarray(0, Math.floor(gz.length / 2)) },
      { name: 'cut in the header', raw: gz.subarray(0, 5) },
      { name: 'not gzip', raw: Buffer.from('{"Records":[]}') },
      { name: 'empty', raw: Buffer.alloc(0) },
      { name: 'bad block', raw: Buffer.concat([gz.subarray(0, 10), Buffer.alloc(200, 0xff)]) },
      { name: 'garbage after a member', raw: Buffer.concat([gzipSync(small), Buffer.from('xyz')]) },
      { name: 'bad checksum', raw: Buffer.from(gz.map((b, i) => (i === gz.length - 6 ? b ^ 1 : b))) },
    ];
    const inflater = newInflater();
    // Broken files between good ones: an error must not leave the next file a closed stream.
    const sequence = cases.flatMap((c, i) => [c, { ...broken[i % broken.length]!, hint: 0 }]);
    for (const c of sequence) {
      // Without the CRC, a file whose only fault is its CRC gives its bytes (as DuckDB reads it).
      const expected = !checksum && c.name === 'bad checksum' ? digest(big) : reference(c.raw);
      expect(inflated(inflater, c.raw, c.hint), c.name).toEqual(expected);
    }
    const errors = broken.map((b) => reference(b.raw));
    expect(errors.every((e) => e.startsWith('error: '))).toBe(true);
    expect(errors).toContain('error: unexpected end of file');
  });

  it('grows its buffer from the first one, keeping what it has inflated', () => {
    const big = trailText(60_000, 5);
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    const twoMembers = Buffer.concat([gzipSync(big), gzipSync(trailText(30_000, 6))]);
    // A new inflater each time: its buffer starts empty and grows from the size hint.
    expect(inflated(newInflater(), gzipSync(big), 0)).toEqual(reference(gzipSync(big)));
    expect(inflated(newInflater(), twoMembers, big.length)).toEqual(reference(twoMembers));
  });
});

/** A gzip member written field by field (RFC 1952): `flags` with their fields, then `body`. */
function member(body: Buffer, flags: number, fields: Buffer[]): Buffer {
  let head = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, flags, 0, 0, 0, 0, 0, 3]), ...fields]);
  if (flags & 2) {
    const crc = Buffer.alloc(2);
    crc.writeUInt16LE(crc32(head) & 0xffff);
    head = Buffer.concat([head, crc]);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(body), 0);
  trailer.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, deflateRawSync(body), trailer]);
}

describe('FileInflater without the CRC (the gzip framing read by hand)', () => {
  const text = trailText(2_000, 11);
  const flipped = (raw: Buffer, at: number): Buffer => Buffer.from(raw.map((b, i) => (i === at ? b ^ 1 : b)));
  const extra = Buffer.from([4, 0, 0x61, 0x62, 0x63, 0x64]);
  const named = member(text, 8, [Buffer.from('a.json\0')]);
  const headerChecked = member(text, 2 | 8, [Buffer.from('n\0')]);
  const gz = gzipSync(text);

  it('reads every header field gzip writes, and refuses a bad header as gunzipSync does', () => {
    const files: [name: string, raw: Buffer][] = [
      ['file name (what the gzip command writes)', named],
      ['extra field and comment', member(text, 4 | 16, [extra, Buffer.from('note\0')])],
      ['header CRC', headerChecked],
      ['header CRC wrong', flipped(headerChecked, 12)],
      ['file name cut', named.subarray(0, 14)],
      ['extra field cut', member(text, 4, [extra]).subarray(0, 13)],
      ['unknown method', Buffer.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3, 1, 2])],
      ['reserved flag', Buffer.from([0x1f, 0x8b, 8, 0x20, 0, 0, 0, 0, 0, 3, 1, 2])],
      ['one byte', Buffer.from([0x1f])],
      ['length wrong', flipped(gz, gz.length - 1)],
      ['trailer cut', gz.subarray(0, gz.length - 3)],
      ['no trailer', gz.subarray(0, gz.length - 8)],
      ['zeros, then garbage', Buffer.concat([gz, Buffer.from([0, 7, 7])])],
      ['half a magic number after a member', Buffer.concat([gz, Buffer.from([0x1f])])],
      ['a named member after a plain one', Buffer.concat([gz, named])],
    ];
    const inflater = new FileInflater(null, { checksum: false });
    const got = files.map(([name, raw]) => [name, inflated(inflater, raw, 0)]);
    expect(got).toEqual(files.map(([name, raw]) => [name, reference(raw)]));
    expect(got.filter(([, r]) => r!.startsWith('error')).length).toBe(10);
  });

  it('gives the bytes of a file whose only fault is its CRC, which gunzipSync refuses', () => {
    const bad = flipped(gz, gz.length - 8);
    expect(() => gunzipSync(bad)).toThrow('incorrect data check');
    expect(() => new FileInflater().gunzip(bad)).toThrow('incorrect data check');
    expect(new FileInflater(null, { checksum: false }).gunzip(bad).equals(text)).toBe(true);
  });

  it('reads cut-off heads as file discovery does (no trailer in reach), then a whole file', () => {
    const inflater = new FileInflater(null, { checksum: false });
    const head = gz.subarray(0, 4096);
    const got = inflater.gunzip(head, 0, constants.Z_SYNC_FLUSH);
    expect(got.equals(gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }))).toBe(true);
    // And a whole file after it, on the stream of the other kind.
    expect(inflater.gunzip(gz).equals(text)).toBe(true);
  });
});

describe('FileInflater', () => {
  it('inflates into the memory its arena gives, growing it', () => {
    const scanner = StructureScanner.create()!;
    const inflater = new FileInflater((bytes) => scanner.arena(bytes));
    const text = trailText(20_000, 10);
    const out = inflater.gunzip(gzipSync(text), 0);
    expect(out.equals(text)).toBe(true);
    // The scanner's memory (grown from one 64 KB page), not a buffer of the inflater's own.
    expect(out.buffer).toBe(scanner.arena(0)!.buffer);
  });

  it('gives gunzipSync’s result for cut-off heads with Z_SYNC_FLUSH, as file discovery reads them', () => {
    const inflater = new FileInflater();
    const heads = [trailText(10, 7), trailText(5_000, 8), trailText(50_000, 9)].flatMap((text) => {
      const gz = gzipSync(text);
      return [gz.subarray(0, 4096), gz.subarray(0, 11), gz];
    });
    heads.push(Buffer.from('{"Records":[]}'), Buffer.alloc(0));
    for (const [i, raw] of heads.entries()) {
      let expected: string;
      try {
        expected = digest(gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }));
      } catch (error) {
        expected = `error: ${(error as Error).message}`;
      }
      let got: string;
      try {
        got = digest(inflater.gunzip(raw, 0, constants.Z_SYNC_FLUSH));
      } catch (error) {
        got = `error: ${(error as Error).message}`;
      }
      expect(got, `head ${i}`).toEqual(expected);
    }
  });

  it('keeps a flush mode’s meaning: a truncated file is an error, not a short result', () => {
    const gz = gzipSync(trailText(5_000, 4));
    const cut = gz.subarray(0, gz.length - 100);
    expect(() => new FileInflater().gunzip(cut)).toThrow('unexpected end of file');
    // What the slow path's salvage does instead, for comparison: a partial result.
    expect(gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).length).toBeGreaterThan(0);
  });

  it('reads files of any size into its buffer, the empty one included', () => {
    const inflater = new FileInflater();
    const contents = [
      randomBytes(10),
      Buffer.alloc(0),
      randomBytes(3 * 1024 * 1024 + 7),
      randomBytes(256 * 1024),
    ];
    contents.forEach((bytes, i) => {
      const path = write(`file-${i}`, bytes);
      expect(Buffer.from(inflater.read(path)).equals(bytes), `file ${i}`).toBe(true);
    });
    expect(() => inflater.read(join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});
