import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverTrailFiles, sniffFormat } from './discover.js';

/**
 * Listing a folder sniffs each gzip file's layout from its first inflated bytes: a short head
 * first (enough for `{"Records":`), the longer one when the short one does not settle it. Either
 * way, a file is classified as the whole of its longer head says.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tq-discover-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Text that barely compresses: 1 KB of gzip holds little more than 1 KB of it. */
const noise = (bytes: number): string => randomBytes(bytes / 2).toString('hex');
const record = JSON.stringify({ eventVersion: '1.08', eventID: 'e1', eventTime: '2026-01-01T00:00:00Z' });

const files: [name: string, text: string, expected: string][] = [
  ['records.json.gz', `{"Records":[${record}]}`, 'records'],
  ['bom-and-spaces.json.gz', `\uFEFF \n {"Records":[${record}]}`, 'records'],
  ['array.json.gz', `[${record}]`, 'array'],
  ['lookup.json.gz', `{"Events":[{"CloudTrailEvent":${JSON.stringify(record)}}]}`, 'lookup'],
  // The layout is decided beyond the short head: by the longer one, as before.
  ['records-later.json.gz', `{"note":"${noise(3000)}","Records":[${record}]}`, 'records'],
  ['objects.json.gz', `${record}\n${record}\n`, 'objects'],
  ['digest.json.gz', `{"awsAccountId":"1","pad":"${noise(2000)}","digestSignatureAlgorithm":"x"}`, 'digest'],
  ['spaces-first.json.gz', `${' '.repeat(70)}{"Records":[${record}]}`, 'records'],
];

describe('discoverTrailFiles', () => {
  it('classifies gzip files as their longer head says, whether or not the short head settles it', () => {
    for (const [name, text] of files) writeFileSync(join(dir, name), gzipSync(text));
    const found = discoverTrailFiles([dir]);
    const got = Object.fromEntries<string>([
      ...found.files.map((f): [string, string] => [f.path.slice(dir.length + 1), f.format]),
      ...found.skipped.map((f): [string, string] => [f.path.slice(dir.length + 1), 'digest']),
    ]);
    expect(got).toEqual(Object.fromEntries(files.map(([name, , expected]) => [name, expected])));
    // The same answers from the whole text.
    for (const [name, text, expected] of files) expect(sniffFormat(text), name).toBe(expected);
    expect(found.bad).toEqual([]);
  });

  it('names a file damaged within its head as not gzip data', () => {
    const gz = gzipSync(`{"Records":[${record}],"pad":"${noise(6000)}"}`);
    // Junk after the header: the short head fails, and the longer one with the message reported.
    const damaged = Buffer.concat([gz.subarray(0, 10), Buffer.alloc(3000, 0xff)]);
    writeFileSync(join(dir, 'damaged.json.gz'), damaged);
    const found = discoverTrailFiles([join(dir, 'damaged.json.gz')]);
    expect(found.bad.map((b) => b.path)).toEqual([join(dir, 'damaged.json.gz')]);
    expect(found.bad[0]!.reason).toMatch(/^not gzip data: /);
  });

  it("believes a gzip trailer's length only as far as deflate can expand the file", () => {
    const text = `{"Records":[${record}],"pad":"${noise(4000)}"}`;
    const whole = gzipSync(text);
    writeFileSync(join(dir, 'whole.json.gz'), whole);
    // A cut-off download: its last four bytes are compressed data, here read as 4 GB.
    const cut = Buffer.from(whole.subarray(0, whole.length - 40));
    cut.writeUInt32LE(0xfffffff0, cut.length - 4);
    writeFileSync(join(dir, 'cut.json.gz'), cut);
    const sizes = Object.fromEntries(
      discoverTrailFiles([join(dir, 'whole.json.gz'), join(dir, 'cut.json.gz')]).files.map((f) => [
        f.path.slice(dir.length + 1),
        f.rawSize,
      ]),
    );
    expect(sizes).toEqual({ 'whole.json.gz': Buffer.byteLength(text), 'cut.json.gz': cut.length * 1032 });
  });
});
