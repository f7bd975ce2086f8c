import { createHash } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX = '0123456789abcdef';

/**
 * Identifier factory. Under a seed every id (keys, unique ids, request ids, event ids, instance
 * ids) is a pure function of the seed and the number of ids drawn before it, so a scenario run
 * twice with the same seed yields the same account. The counter is part of the saved state.
 */
export class SimIds {
  private counter: number;
  private readonly seed: string;

  constructor(seed: string | number, counter = 0) {
    this.seed = String(seed);
    this.counter = counter;
  }

  /** How many draws have been made (saved with the state so a resumed account continues). */
  get drawn(): number {
    return this.counter;
  }

  /** The seed this factory was made from. */
  get seedValue(): string {
    return this.seed;
  }

  /** 32 pseudo-random bytes for the next draw. */
  private next(): Buffer {
    this.counter += 1;
    return createHash('sha256').update(`${this.seed}:${this.counter}`).digest();
  }

  /** `length` characters from `alphabet`, drawn from as many hashes as needed. */
  chars(alphabet: string, length: number): string {
    let out = '';
    while (out.length < length) {
      for (const byte of this.next()) {
        if (out.length === length) break;
        out += alphabet[byte % alphabet.length];
      }
    }
    return out;
  }

  /** An IAM-style id: prefix + 16 upper-case base32 characters (AKIA…, AIDA…, AROA…; 20 chars). */
  iamId(prefix: string): string {
    return prefix + this.chars(UPPER_ALNUM, 16);
  }

  /** A 21-character unique id as IAM gives users, roles and groups (prefix + 17). */
  uniqueId(prefix: string): string {
    return prefix + this.chars(UPPER_ALNUM, 17);
  }

  /** A 40-character secret access key. */
  secret(): string {
    return this.chars(SECRET_CHARS, 40);
  }

  /** Lower-case hex of a given length (EC2 ids: `i-` + 17 hex). */
  hex(length: number): string {
    return this.chars(HEX, length);
  }

  /** A version-4-shaped UUID (request ids, event ids). */
  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = HEX[(parseInt(h[16] ?? '0', 16) & 0x3) | 0x8] ?? '8';
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** Characters from an arbitrary alphabet, e.g. the 16-char unique part of a trail file name. */
  token(length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
    return this.chars(alphabet, length);
  }
}
