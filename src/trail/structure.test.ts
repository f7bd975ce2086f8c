import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wasmModuleSource } from '../../scripts/wasm-module.js';
import { closingQuote } from './candidates.js';
import { BACKSLASH_OUTSIDE_STRING, ENDS_IN_STRING, ENDS_IN_VALUE, StructureScanner } from './structure.js';

/**
 * The scanner must agree with the byte-by-byte walk of candidates.ts wherever it answers: the
 * walk below is that walk (strings by `closingQuote`), stopped where the bracket at `start` closes.
 */
function walk(buf: Buffer, start: number): number {
  let depth = 0;
  for (let i = start; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 0x22) {
      i = closingQuote(buf, i + 1);
      if (i < 0) return ENDS_IN_STRING;
    } else if (c === 0x5c) {
      return BACKSLASH_OUTSIDE_STRING;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return i;
    }
  }
  return ENDS_IN_VALUE;
}

/** The `{` and `[` outside strings (where the walk of candidates.ts may ask the scanner). */
function openings(buf: Buffer): number[] {
  const found: number[] = [];
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 0x22) {
      i = closingQuote(buf, i + 1);
      if (i < 0) break;
    } else if (c === 0x7b || c === 0x5b) {
      found.push(i);
    }
  }
  return found;
}

const scanner = StructureScanner.create()!;

function expectAgreement(text: string): void {
  const buf = Buffer.from(text, 'latin1');
  scanner.load(buf);
  for (const start of openings(buf)) {
    const got = scanner.close(start);
    const want = walk(buf, start);
    // Not JSON: the scanner may give up on a backslash outside strings anywhere in its block.
    if (got === BACKSLASH_OUTSIDE_STRING && want !== got) {
      expect(text.slice(start).includes('\\')).toBe(true);
      continue;
    }
    expect(got, `${JSON.stringify(text)} from ${start}`).toBe(want);
  }
}

describe('StructureScanner', () => {
  it('is the assembly of structure.wat', async () => {
    const wat = 'src/trail/structure.wat';
    expect(readFileSync('src/trail/structure-wasm.ts', 'utf8')).toBe(
      await wasmModuleSource(readFileSync(wat, 'utf8'), wat),
    );
  });

  it.each([
    ['{"a":1}', 6],
    ['{"a":"}"} x', 8],
    ['{"a":"\\"}"}', 10], // an escaped quote inside the string
    ['{"a":"\\\\"}', 9], // an escaped backslash ends the string
    ['[1,[2],{"b":[]}] ', 15],
    ['{"a":"never closed', ENDS_IN_STRING],
    ['{"a":[1', ENDS_IN_VALUE],
    ['{\\"a"}', BACKSLASH_OUTSIDE_STRING],
    // Escapes and strings across the 64-byte blocks.
    [`{"a":"${'x'.repeat(57)}\\\\\\"}${'y'.repeat(70)}"}`, 139],
    [`{"a":"${'\\'.repeat(130)}"}`, 137],
    [`{"a":"${'\\'.repeat(129)}"}"}`, 138],
  ])('%s closes at %i', (text, end) => {
    scanner.load(Buffer.from(text));
    expect(scanner.close(0)).toBe(end);
    expect(walk(Buffer.from(text), 0)).toBe(end);
  });

  it('agrees with the byte walk on JSON, whole or cut anywhere', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.nat(), (json, cut) => {
        expectAgreement(json);
        expectAgreement(json.slice(0, cut % (json.length + 1)));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the byte walk on any mix of brackets, quotes and backslashes', () => {
    const piece = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      '\\',
      '\\\\',
      '\\"',
      'a',
      ',',
      ':',
      ' ',
      'x'.repeat(40),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), (pieces) => expectAgreement(pieces.join(''))),
      { numRuns: 3000 },
    );
  });

  it('scans bytes written into its own memory in place, as after a copy, across growth', () => {
    const own = StructureScanner.create()!;
    const record = (i: number): string => JSON.stringify({ id: i, s: `"}]${'\\'.repeat(i % 5)}{[` });
    let text = '';
    for (let round = 0; round < 3; round++) {
      // Each round needs more memory than the last (the first is one 64 KB page).
      text = `[${Array.from({ length: 1000 * 8 ** round }, (_, i) => record(i)).join(',')}]`;
      const bytes = Buffer.from(text);
      const arena = own.arena(bytes.length)!;
      expect(arena.length).toBeGreaterThanOrEqual(bytes.length);
      bytes.copy(arena);
      const view = arena.subarray(0, bytes.length);
      // The memory behind the arena is the scanner's: a view of it is loaded without a copy.
      expect(own.load(view)).toBe(true);
      expect(own.arena(bytes.length)!.buffer).toBe(view.buffer);
      expect(own.close(0)).toBe(bytes.length - 1);
      expect(own.close(1)).toBe(walk(bytes, 1));
      // A copy made after the arena's bytes were dirtied beyond the end reads the same.
      arena.fill(0x22, bytes.length, Math.min(arena.length, bytes.length + 200));
      expect(own.load(view)).toBe(true);
      expect(own.close(0)).toBe(bytes.length - 1);
    }
    expect(own.arena(2 ** 31)).toBeNull();
  });

  it('reads a second, shorter buffer without the first one’s bytes', () => {
    scanner.load(Buffer.from(`{"a":"${'}'.repeat(200)}"}`));
    scanner.load(Buffer.from('{"a":"'));
    expect(scanner.close(0)).toBe(ENDS_IN_STRING);
  });
});
